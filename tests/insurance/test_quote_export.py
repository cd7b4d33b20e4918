"""测算结果导出: the calculator page's result as xlsx — claims, splits in 元, trail steps, policy and
sources — read back and checked against figures worked by hand; refused input is not exported."""

from __future__ import annotations

import io

import openpyxl
import pytest

from fupin.access.models import AuditEntry
from tests.conftest import login
from tests.insurance.test_page import form

URL = "/insurance/settlement/export.xlsx"


def book(response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_export_of_two_categories_matches_the_hand_worked_split(staff_client):
    wb = book(staff_client.post(URL, form(category="general", category_b="poor")))
    assert wb.sheetnames == ["结算单", "分担", "计算过程", "政策"]
    claims = rows(wb["结算单"])
    assert claims[0][:4] == ("结算单", "入院日期", "就诊类型", "医院级别")
    assert claims[1] == (
        "第1笔", "2018-03-01", "住院", "二级", None, "C34", 50000, 40000, 0, "否",
    )  # fmt: skip
    split = rows(wb["分担"])
    assert split[0] == ("方案", "结算单", "入院当日人员类别", "适用政策期间", "总费用(元)",
                        "基本医保(元)", "大病保险(元)", "医疗救助(元)", "兜底保障(元)", "个人自付(元)")  # fmt: skip
    general, general_total, poor, poor_total = split[1:]
    # 浮梁 2018, general resident, level 2: basic (40000 − 400) × 75% = 29700.00; 大病 on the
    # in-policy self-pay 40000 − 29700 = 10300 above the 10000 threshold at 50% = 150.00; no
    # assistance or fallback; self-pay 50000 − 29700 − 150 = 20150.00.
    assert general[1:3] == ("第1笔", "普通参保居民")
    assert general[4:] == (50000, 29700, 150, 0, 0, 20150)
    assert general_total[1] == "合计" and general_total[4:] == general[4:]
    # Poor: the fifth line leaves 5000.00 (tests/insurance/test_page.py); the five parts add up.
    assert poor[2] == "建档立卡贫困人口" and poor[9] == 5000
    assert sum(poor[5:]) == 50000 and poor_total[4:] == poor[4:]
    assert "浮梁" in general[3] and general[0] != poor[0]
    # Amounts are numbers shown with two decimals.
    cell = wb["分担"]["F2"]
    assert cell.value == 29700 and cell.number_format == "0.00"
    steps = rows(wb["计算过程"])
    assert steps[0] == ("方案", "结算单", "步骤", "层次", "规则", "计算", "金额(元)", "依据")
    mine = [s for s in steps[1:] if s[0] == general[0]]
    assert [s[2] for s in mine] == list(range(1, len(mine) + 1))
    assert ("基本医疗保险", 29700) in {(s[3], s[6]) for s in mine}
    assert ("个人自付", 20150) in {(s[3], s[6]) for s in mine}
    assert any(s[7] for s in mine)  # the source sentences of the rules
    policy = rows(wb["政策"])
    assert policy[0] == ("方案", "政策地区", "政策日期", "政策期间", "政策包", "政策文件")
    assert {p[0] for p in policy[1:]} == {general[0], poor[0]}
    assert all(p[1] == "江西省景德镇市浮梁县" and p[5] for p in policy[1:])
    assert AuditEntry.objects.filter(action="export", summary__contains="结算测算").exists()


def test_a_region_at_a_date_says_the_date(staff_client):
    wb = book(staff_client.post(URL, form(policy="jining", at="2021-06-01", compare="none")))
    [(_, region, day, period, pack, _)] = rows(wb["政策"])[1:]
    assert (region, day) == ("山东省济宁市", "2021-06-01")
    assert period.startswith("2020-01-01 起") and "2020" in pack


@pytest.mark.parametrize(
    ("data", "fault"),
    [
        ({"total_cost": ["-1"], "compare": "none"}, "第 1 行，“总费用”：金额不能为负数"),
        ({"policy": "nowhere", "compare": "none"}, "未知"),
        (
            {"admission_date": [""], "total_cost": [""], "in_policy_cost": [""]},
            "请至少填写一笔费用",
        ),
    ],
)
def test_input_the_page_refuses_is_not_exported(staff_client, data, fault):
    before = AuditEntry.objects.filter(action="export").count()
    r = staff_client.post(URL, form(**data))
    html = r.content.decode()
    assert r.status_code == 422 and r["Content-Type"].startswith("text/html")
    assert "测算有错误，未导出" in html and fault in html
    assert AuditEntry.objects.filter(action="export").count() == before


def test_export_needs_login_and_post(client, county_user):
    r = client.post(URL, form())
    assert r.status_code == 302 and "/login/" in r["Location"]
    assert login(county_user).get(URL).status_code == 405


def test_the_page_offers_the_export(staff_client):
    html = staff_client.get("/insurance/settlement/").content.decode()
    assert f'formaction="{URL}"' in html
