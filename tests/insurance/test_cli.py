"""fupin settle / fupin policy through Django's call_command, as a county IT officer runs them."""

from io import StringIO

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

ROWS = (
    # 浮梁 poor person: lung cancer at a level-2 hospital, then a class-I chronic claim.
    "C1,P1,poor,inpatient,2,,C34.1,2018-03-01,50000,40000",
    "C2,P1,poor,chronic_outpatient,1,I,,2018-04-01,80000,70000",
    "C3,P2,general,inpatient,3,,,2018-05-01,12000.50,10000",
)


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_settle_writes_csv_whose_parts_add_up(claims_csv, tmp_path):
    out = tmp_path / "split.csv"
    text = run(
        "settle", "--policy", "fuliang-2018", "--claims", str(claims_csv(*ROWS)), "--out", str(out)
    )
    assert "结算 3 笔" in text
    table = pl.read_csv(out, infer_schema=False)
    assert table.columns == [
        "claim_id",
        "basic_pay",
        "critical_pay",
        "assistance_pay",
        "fallback_pay",
        "self_pay",
    ]
    # C1 worked by hand in tests/policy/test_golden.py F-01: the fixed quota 50000 × 80% = 40000
    # by basic insurance, the fifth line 5000, self 5000.
    assert table.row(0) == ("C1", "40000.00", "0.00", "0.00", "5000.00", "5000.00")
    assert table.row(2) == ("C3", "5520.00", "0.00", "0.00", "0.00", "6480.50")
    totals = {"C1": 5_000_000, "C2": 8_000_000, "C3": 1_200_050}
    for row in table.iter_rows():
        fen = sum(round(float(v) * 100) for v in row[1:])
        assert fen == totals[row[0]]


def test_settle_parquet_keeps_exact_decimals(claims_csv, tmp_path):
    out = tmp_path / "split.parquet"
    run("settle", "--policy", "fuliang-2018", "--claims", str(claims_csv(*ROWS)), "--out", str(out))
    table = pl.read_parquet(out)
    assert table.schema["self_pay"] == pl.Decimal(18, 2)
    assert str(table.filter(pl.col("claim_id") == "C3")["self_pay"][0]) == "6480.50"


def test_settle_reads_xlsx(tmp_path):
    import xlsxwriter

    path = tmp_path / "claims.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        sheet = book.add_worksheet()
        sheet.write_row(
            0,
            0,
            [
                "claim_id",
                "person_id",
                "category",
                "visit_type",
                "hospital_level",
                "chronic_class",
                "disease_code",
                "admission_date",
                "total_cost",
                "in_policy_cost",
            ],
        )
        sheet.write_row(
            1, 0, ["C3", "P2", "general", "inpatient", 3, None, None, "2018-05-01", 12000.5, 10000]
        )
    assert CalamineWorkbook.from_path(str(path)).sheet_names
    out = tmp_path / "split.csv"
    run("settle", "--policy", "fuliang-2018", "--claims", str(path), "--out", str(out))
    assert pl.read_csv(out, infer_schema=False).row(0) == (
        "C3",
        "5520.00",
        "0.00",
        "0.00",
        "0.00",
        "6480.50",
    )


def test_explain_prints_the_trail_in_chinese(claims_csv, tmp_path):
    text = run(
        "settle",
        "--policy",
        "fuliang-2018",
        "--claims",
        str(claims_csv(*ROWS)),
        "--out",
        str(tmp_path / "o.csv"),
        "--explain",
        "C1",
    )
    assert "15 种重大疾病按病种定额救治" in text
    assert "第五条保障线" in text
    assert "确保贫困人员住院自付医疗费用控制在10%以内" in text
    assert "个人自付 5000.00 元" in text


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "C9,P9,poor,inpatient,2,,,2018-03-01,-5,0",
            "第 2 行，列 total_cost（总费用）：金额不能为负数",
        ),
        (
            "C9,P9,poor,inpatient,2,,,2018-03-01,100,200",
            "第 2 行，列 in_policy_cost（政策范围内费用）：政策范围内费用 200 元大于总费用 100 元",
        ),
        (
            "C9,P9,rich,inpatient,2,,,2018-03-01,100,50",
            "第 2 行，列 category（人员类别）：未知人员类别 rich",
        ),
        (
            "C9,P9,poor,chronic_outpatient,2,Z,,2018-03-01,100,50",
            "第 2 行，列 chronic_class（慢性病类别）：未知慢性病类别 Z",
        ),
        (
            "C9,P9,poor,inpatient,2,,,2018-02-30,100,50",
            "第 2 行，列 admission_date（入院日期）：日期无效 2018-02-30",
        ),
        ("C9,P9,poor,inpatient,4,,,2018-02-01,100,50", "第 2 行，列 hospital_level（医院级别）"),
        (
            "C9,P9,poor,inpatient,2,,,2018-02-01,100.123,50",
            "第 2 行，列 total_cost（总费用）：不是金额",
        ),
    ],
)
def test_bad_value_exits_2_naming_row_column_and_fault(claims_csv, tmp_path, row, expected):
    out = tmp_path / "split.csv"
    with pytest.raises(CommandError) as err:
        run(
            "settle",
            "--policy",
            "fuliang-2018",
            "--claims",
            str(claims_csv(ROWS[0], row)),
            "--out",
            str(out),
        )
    assert err.value.returncode == 2
    assert expected.replace("第 2 行", "第 3 行") in str(err.value)
    assert not out.exists()


def test_missing_column_and_unknown_pack_exit_2(tmp_path, claims_csv):
    bad = tmp_path / "bad.csv"
    bad.write_text("claim_id,person_id\nC1,P1\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    with pytest.raises(CommandError) as err:
        run("settle", "--policy", "fuliang-2018", "--claims", str(bad), "--out", str(out))
    assert err.value.returncode == 2 and "缺少列 category（人员类别）" in str(err.value)
    with pytest.raises(CommandError) as err:
        run(
            "settle",
            "--policy",
            "atlantis-2018",
            "--claims",
            str(claims_csv(*ROWS)),
            "--out",
            str(out),
        )
    assert err.value.returncode == 2 and "未知政策包：atlantis-2018" in str(err.value)
    assert not out.exists()


def test_a_claim_outside_every_period_exit_2(claims_csv, tmp_path):
    out = tmp_path / "o.csv"
    rows = (
        "C1,P1,poor,inpatient,2,,,2018-03-01,500,400",
        "C2,P1,general,inpatient,2,,,2012-04-01,500,400",
    )
    with pytest.raises(CommandError) as err:
        run("settle", "--policy", "jining", "--claims", str(claims_csv(*rows)), "--out", str(out))
    assert err.value.returncode == 2
    assert (
        "第 3 行，列 admission_date（入院日期）：入院日期 2012-04-01 不在山东省济宁市任何政策期间内；"
        "现有期间：2016-01-01 至 2019-12-31（济宁市医疗保险精准扶贫（2016））；"
        "2020-01-01 起（济宁市医疗保险精准扶贫“三降低、四提高”（2020））"
    ) in str(err.value)
    assert not out.exists()


def test_region_by_date_with_a_change_of_category(claims_csv, tmp_path):
    out = tmp_path / "o.csv"
    rows = (
        "C1,P1,general,inpatient,3,,,2019-03-01,60000,50000",
        "C2,P1,poor,inpatient,1,,,2019-09-01,10000,10000",
        "C3,P1,poor,inpatient,3,,,2020-03-01,60000,50000",
    )
    text = run(
        "settle", "--policy", "jining", "--claims", str(claims_csv(*rows)), "--out", str(out)
    )
    assert "已按 jining 结算 3 笔" in text
    # C1/C2 under jining-2016, one year: 26950 + 5525; then poor 8910 + 1090 × 55% = 599.50
    # (the 大病 year-to-date 23050 is already past the threshold). C3 under jining-2020: 32175 +
    # 17825 × 55% = 9803.75. Worked in tests/policy/test_dated.py (C-01, D-01).
    assert pl.read_csv(out, infer_schema=False).rows() == [
        ("C1", "26950.00", "5525.00", "0.00", "0.00", "27525.00"),
        ("C2", "8910.00", "599.50", "0.00", "0.00", "490.50"),
        ("C3", "32175.00", "9803.75", "0.00", "0.00", "18021.25"),
    ]


def test_gbk_csv_is_read(tmp_path):
    from tests.insurance.conftest import HEADER

    path = tmp_path / "gbk.csv"
    path.write_bytes(
        (HEADER + "\n甲1,张三,poor,inpatient,1,,,2016-05-01,1000,800\n").encode("gb18030")
    )
    out = tmp_path / "o.csv"
    run("settle", "--policy", "jining-2016", "--claims", str(path), "--out", str(out))
    # 济宁 2016 poor, level 1: (800 − 100) × 90% = 630; 大病 50% of the 170 below the threshold = 85.
    assert pl.read_csv(out, infer_schema=False).row(0) == (
        "甲1",
        "630.00",
        "85.00",
        "0.00",
        "0.00",
        "285.00",
    )


def test_compare_prints_and_writes_xlsx(claims_csv, tmp_path):
    rows = (
        "C1,P1,poor,inpatient,3,,,2020-03-01,300000,280000",
        "C2,P2,general,inpatient,2,,,2020-03-01,20000,18000",
    )
    xlsx = tmp_path / "测算.xlsx"
    text = run(
        "settle",
        "--policy",
        "jining-2016",
        "--vs",
        "jining-2020",
        "--claims",
        str(claims_csv(*rows)),
        "--out",
        str(xlsx),
    )
    assert "政策测算：jining-2016" in text and "灾难性医疗支出" in text
    book = CalamineWorkbook.from_path(str(xlsx))
    assert book.sheet_names == ["汇总", "自付分布", "灾难性支出"]
    summary = book.get_sheet_by_name("汇总").to_python()
    fund = next(r for r in summary if r[0] == "各项基金合计")
    # Only the poor person's 大病 changes (threshold and cap removed in 2020): the fund pays more.
    assert fund[2] > fund[1] and fund[3] == pytest.approx(fund[2] - fund[1])


def test_compare_one_region_at_two_dates(claims_csv, tmp_path):
    rows = ("C1,P1,poor,inpatient,3,,,2020-03-01,300000,280000",)
    text = run(
        "settle",
        "--policy",
        "jining@2016-01-01",
        "--vs",
        "jining@2020-01-01",
        "--claims",
        str(claims_csv(*rows)),
        "--out",
        str(tmp_path / "t.xlsx"),
    )
    assert "政策测算：jining@2016-01-01" in text and "对比 jining@2020-01-01" in text
    # the line from each pack's catastrophic_share (40%, illustrative) of its income figure
    assert "jining-2016 线 5200.00 元（人均可支配收入的 40%）" in text
    assert "jining-2020 线 6800.00 元（人均可支配收入的 40%）" in text


def test_policy_list_and_show():
    listing = run("policy", "list")
    for pack in ("jining-2016", "jining-2020", "qingcheng-2018", "jilin-2017", "fuliang-2018"):
        assert pack in listing
    assert (
        "jining          山东省济宁市：2016-01-01 至 2019-12-31（jining-2016）；2020-01-01 起（jining-2020）"
        in listing
    )
    region = run("policy", "show", "jining")
    # one line of dated values: 2016's threshold for the poor, then 2020's, each with its source
    assert "- medical.critical.variants.poor.threshold" in region
    assert (
        "2020-01-01 起 = 0.00（jining-2020）；出处：《凝聚脱贫攻坚强大合力 共同筑起全面小康梦》"
        in region
    )
    assert "【示意值】" in region and ".txt" not in region
    shown = run("policy", "show", "jining-2020")
    assert "medical.critical.variants.poor.threshold = 0.00" in shown
    assert "全面取消了扶贫对象的大病保险起付标准" in shown
    assert "继承：jining-2016" in shown
    with pytest.raises(CommandError) as err:
        run("policy", "show", "nowhere")
    assert err.value.returncode == 2


def test_settle_reports_single_disease_cost_control(claims_csv, tmp_path):
    rows = (
        "C1,P1,poor,inpatient,3,,N18.5,2018-03-01,20000,20000",
        "C2,P2,general,inpatient,3,,N18.5,2018-03-01,20000,20000",
    )
    text = run(
        "settle",
        "--policy",
        "fuliang",
        "--claims",
        str(claims_csv(*rows)),
        "--out",
        str(tmp_path / "o.csv"),
    )
    # 004 §7 lists 终末期肾病 for 建档立卡贫困人口 only: the poor person's stay is flagged.
    assert "单病种控费病种住院 1 笔（已标记，请汇总上报）" in text
