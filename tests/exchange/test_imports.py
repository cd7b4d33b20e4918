"""Imports through staging: every format and fault with a real file, each fault a Chinese
message naming row and column; previews; merges that are all or nothing and idempotent."""

import pytest

from fupin.access.models import AuditAction, AuditEntry
from fupin.exchange import bulk, imports
from fupin.exchange.models import ImportRow, JobState
from fupin.insurance.models import EnrolmentRecord
from fupin.registry.models import Household, Person, StatusChange

from .files import (
    FIXTURES,
    ROSTER_HEADER,
    VILLAGE_A,
    VILLAGE_B,
    csv_bytes,
    idn,
    person_id,
    roster_rows,
    xlsx,
)


def stage(kind, name, content, user=None):
    job = imports.create_job(user=user, kind=kind, filename=name, content=content)
    imports.stage(job, user=user)
    return job


def faults(job) -> dict[int, list[list[str]]]:
    return {r.row_no: r.errors for r in ImportRow.objects.filter(job=job, action="rejected")}


def registry_state():
    return (
        sorted(
            Household.objects.values_list(
                "number", "status", "member_count", "head_name", "village_code"
            )
        ),
        sorted(
            Person.objects.values_list(
                "id_number", "name", "status", "household__number", "dibao", "tekun"
            )
        ),
        StatusChange.objects.count(),
    )


HEAD, CHILD = person_id(1), person_id(2, 2005, "女")


@pytest.fixture
def roster_file():
    rows = roster_rows("H0001", VILLAGE_A, [(HEAD, "张大山", "户主"), (CHILD, "张小花", "子女")])
    rows += roster_rows("H0002", VILLAGE_A, [(person_id(3), "李四", "户主")], cause="因残")
    return xlsx(
        rows, title_rows=["浮梁县建档立卡贫困户花名册", "填报单位：浮梁镇"], header=ROSTER_HEADER
    )


def test_roster_xlsx_with_title_rows_merges_with_history_and_audit(areas, county_user, roster_file):
    job = stage("roster", "花名册.xlsx", roster_file, county_user)
    assert job.state == JobState.READY, job.message
    assert (
        job.counts["new"] == 3 and job.counts["rejected"] == 0 and job.counts["households_new"] == 2
    )
    assert not Household.objects.exists()  # the preview touches nothing
    imports.merge(job, user=county_user)
    hh = Household.objects.get(number="H0001")
    assert (
        hh.member_count == 2
        and hh.head_name == "张大山"
        and hh.village_code == VILLAGE_A
        and hh.main_cause == "illness"
    )
    child = Person.objects.get(id_number=CHILD)
    assert child.sex == "女" and child.birth_date.year == 2005 and child.village_code == VILLAGE_A
    assert StatusChange.objects.filter(household=hh, person__isnull=True).count() == 1
    assert StatusChange.objects.filter(person=child).count() == 1
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert "新增3" in entry.summary and entry.user == county_user
    assert ImportRow.objects.filter(job=job).count() == 3


def test_importing_the_same_file_twice_changes_nothing(areas, county_user, roster_file):
    imports.merge(stage("roster", "a.xlsx", roster_file, county_user), user=county_user)
    before = registry_state()
    again = stage("roster", "a.xlsx", roster_file, county_user)
    assert (
        again.counts["unchanged"] == 3 and again.counts["new"] == 0 and again.counts["changed"] == 0
    )
    imports.merge(again, user=county_user)
    assert registry_state() == before


def test_changed_rows_update_and_status_moves_are_history(areas, county_user, roster_file):
    imports.merge(stage("roster", "a.xlsx", roster_file, county_user), user=county_user)
    header = [*ROSTER_HEADER, "人员状态", "文化程度"]
    rows = [
        r + [None, None]
        for r in roster_rows(
            "H0001", VILLAGE_A, [(HEAD, "张大山", "户主"), (CHILD, "张小花", "子女")]
        )
    ]
    rows[1][-2:] = ["未脱贫", "初中"]
    job = stage("roster", "b.xlsx", xlsx(rows, header=header), county_user)
    assert job.counts["changed"] == 1 and job.counts["unchanged"] == 1, faults(job)
    imports.merge(job, user=county_user)
    child = Person.objects.get(id_number=CHILD)
    assert child.status == "poor" and child.education == "junior"
    assert StatusChange.objects.filter(person=child, old_status="new", new_status="poor").exists()


def test_merged_header_cells_and_synonyms(areas, county_user):
    header = [
        "户号",
        "行政区划代码",
        "识别年份",
        "致贫原因",
        "公民身份号码",
        "成员姓名",
        "家庭关系",
    ]
    rows = roster_rows("M0001", VILLAGE_A, [(HEAD, "王五", "户主")])
    body = xlsx(
        rows,
        title_rows=["花名册"],
        merged_header=[(0, 3, "户基本信息"), (4, 6, "家庭成员")],
        header=header,
    )
    job = stage("roster", "merged.xlsx", body, county_user)
    assert job.counts["new"] == 1, faults(job) or job.message


def test_two_row_header_with_vertical_merge(areas, county_user):
    """Group cells merged across the top; the lower row has the names, one column named only above."""
    rows = [["V0001", VILLAGE_A, 2016, "因病", HEAD, "赵六", "户主"]]
    body = xlsx(
        rows,
        merged_header=[(0, 0, "户编号"), (1, 3, "户信息"), (4, 6, "成员")],
        header=[None, "村代码", "识别年度", "主要致贫原因", "身份证号", "姓名", "与户主关系"],
    )
    job = stage("roster", "twolevel.xlsx", body, county_user)
    assert job.counts["new"] == 1, faults(job) or job.message


def test_id_numbers_as_numbers_scientific_spaces_fullwidth(areas, county_user):
    ids = [person_id(10), person_id(11), person_id(12), person_id(13)]
    spaced = f"{ids[2][:6]} {ids[2][6:14]} {ids[2][14:]}"
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in ids[3])
    rows = [
        ["N0001", VILLAGE_A, 2016, "因病", ids[0], "甲", "户主"],
        ["N0001", None, None, None, ids[1], "乙", "子女"],
        ["N0001", None, None, None, "3.60222E+17", "丙", "子女"],
        ["N0001", None, None, None, spaced, "丁", "子女"],
        ["N0001", None, None, None, fullwidth, "戊", "子女"],
    ]
    body = xlsx(
        rows, header=ROSTER_HEADER, numeric_cells={(1, 4)}
    )  # typed as an Excel number: digits lost
    job = stage("roster", "ids.xlsx", body, county_user)
    got = faults(job)
    assert got[3] == [
        ["身份证号", "身份证号以数字格式存储，末位已丢失：请将该列设为文本后重新录入"]
    ]
    assert got[4] == [
        [
            "身份证号",
            "身份证号为科学计数法（如 3.60222E+17），数字已丢失：请将该列设为文本后重新录入",
        ]
    ]
    assert set(got) == {3, 4} and job.counts["new"] == 3  # spaces and full-width digits are fine
    assert set(
        ImportRow.objects.filter(job=job, action="new").values_list("id_number", flat=True)
    ) == {ids[0], ids[2], ids[3]}


def test_id_number_faults_each_named(areas, county_user):
    good = person_id(20)
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    bad_date = idn("36022219801301001")
    rows = roster_rows(
        "F0001",
        VILLAGE_A,
        [
            (good, "户主甲", "户主"),
            (wrong_check, "校验错", "子女"),
            (bad_date, "日期错", "子女"),
            ("12345", "位数错", "子女"),
            ("", "空号", "子女"),
        ],
    )
    job = stage("roster", "faults.xlsx", xlsx(rows, header=ROSTER_HEADER), county_user)
    got = faults(job)
    assert got[3] == [["身份证号", f"校验码错误，应为{good[17]}"]]
    assert got[4][0][0] == "身份证号" and "出生日期无效" in got[4][0][1]
    assert "位数错误" in got[5][0][1]
    assert got[6] == [["身份证号", "必填项为空"]]
    assert job.counts["new"] == 1 and job.counts["rejected"] == 4


def test_validation_faults_area_required_duplicates_orphans(areas, county_user, make_household):
    existing = make_household()
    taken = existing.members.first().id_number
    rows = [
        ["A0001", "360222999999", 2016, "因病", person_id(30), "错村", "户主"],  # 2 unknown village
        ["A0002", VILLAGE_A, None, "因病", person_id(31), "缺年", "户主"],  # 3 required year
        ["A0003", VILLAGE_A, 2016, "因病", person_id(32), "重一", "户主"],  # 4 duplicate in file
        ["A0003", None, None, None, person_id(32), "重二", "子女"],  # 5 duplicate in file
        ["A0004", VILLAGE_A, 2016, "因病", taken, "已登记", "户主"],  # 6 in another household
        ["A0005", None, None, None, person_id(33), "孤儿", "子女"],  # 7 member without household
        ["A0006", VILLAGE_A, 2016, "因懒", person_id(34), "怪因", "户主"],  # 8 unknown cause
        ["A0007", VILLAGE_A, 2016, "因病", person_id(35), "正常", "户主"],  # 9 fine
    ]
    job = stage("roster", "v.xlsx", xlsx(rows, header=ROSTER_HEADER), county_user)
    got = faults(job)
    assert got[2] == [["村代码", "村代码“360222999999”不存在（不是已知的村级区划代码）"]]
    assert got[3] == [["识别年度", "新户的户主行此项必填"]]
    assert ["身份证号", "身份证号在文件中重复出现（第4、5行）"] in got[4] and got[5][0][
        1
    ].startswith("身份证号在文件中重复")
    assert (
        got[6][0][0] == "身份证号"
        and "已登记在户" in got[6][0][1]
        and existing.number in got[6][0][1]
    )
    assert got[7] == [
        ["户编号", "户编号“A0005”在文件中没有户主行，建档立卡中也不存在：成员没有所属户"]
    ]
    assert got[8][0][0] == "主要致贫原因" and "“因懒”无法识别" in got[8][0][1]
    assert job.counts == {**job.counts, "new": 1, "rejected": 7}
    before = registry_state()
    imports.merge(job, user=county_user)
    assert Household.objects.filter(number="A0007").exists()
    assert not Household.objects.filter(
        number__in=["A0001", "A0002", "A0003", "A0004", "A0006"]
    ).exists()
    assert len(registry_state()[1]) == len(before[1]) + 1


def test_township_user_cannot_import_outside_its_township(areas, town_a_user):
    rows = roster_rows("T0001", VILLAGE_B, [(person_id(40), "越界", "户主")])
    job = stage("roster", "t.xlsx", xlsx(rows, header=ROSTER_HEADER), town_a_user)
    assert faults(job)[2] == [["村代码", f"村代码“{VILLAGE_B}”不在本辖区"]]


def test_csv_utf8_and_gbk(areas, county_user):
    for i, enc in enumerate(("utf-8", "gbk", "gb18030")):
        rows = roster_rows(f"C000{i}", VILLAGE_A, [(person_id(50 + i), "陈镕", "户主")])
        job = stage("roster", f"roster-{enc}.csv", csv_bytes(rows, ROSTER_HEADER, enc), county_user)
        assert job.counts["new"] == 1, (enc, faults(job), job.message)
        assert ImportRow.objects.get(job=job).name == "陈镕"


def test_csv_scientific_notation_is_refused(areas, county_user):
    rows = roster_rows("S0001", VILLAGE_A, [("3.60222E+17", "科学", "户主")])
    job = stage("roster", "sci.csv", csv_bytes(rows, ROSTER_HEADER, "gbk"), county_user)
    assert faults(job)[2][0] == [
        "身份证号",
        "身份证号为科学计数法（如 3.60222E+17），数字已丢失：请将该列设为文本后重新录入",
    ]


def test_xls_legacy_file(areas, county_user):
    job = stage("roster", "roster.xls", (FIXTURES / "roster.xls").read_bytes(), county_user)
    assert job.state == JobState.READY, job.message
    got = faults(job)
    assert job.counts["new"] == 2  # the head, and the member whose ID had spaces
    assert got[6][0][0] == "公民身份号码" and "末位已丢失" in got[6][0][1]


def test_unreadable_and_headerless_files_fail_with_a_message(areas, county_user):
    job = stage("roster", "broken.xlsx", b"PK\x03\x04 not really", county_user)
    assert job.state == JobState.FAILED and "无法读取 Excel 文件" in job.message
    job = stage("roster", "noheader.xlsx", xlsx([["a", "b"], ["c", "d"]]), county_user)
    assert job.state == JobState.FAILED and "未找到表头" in job.message
    job = stage(
        "roster", "missing.xlsx", xlsx([["X", "Y"]], header=["户编号", "姓名"]), county_user
    )
    assert (
        job.state == JobState.FAILED and "缺少必填列" in job.message and "身份证号" in job.message
    )
    job = stage("roster", "list.pdf", b"%PDF", county_user)
    assert "不支持的文件类型" in job.message


def test_dibao_tekun_and_disability_lists(areas, county_user, make_household):
    hh = make_household(members=2)
    a, b = list(hh.members.order_by("id"))
    body = xlsx(
        [[a.id_number, a.name], [b.id_number, "别人"], [person_id(60), "外人"]],
        title_rows=["低保对象名单"],
        header=["证件号码", "姓名"],
    )
    job = stage("dibao", "dibao.xlsx", body, county_user)
    got = faults(job)
    assert job.counts["changed"] == 1
    assert got[4] == [["姓名", f"姓名“别人”与建档立卡登记的“{b.name}”不一致"]]
    assert got[5] == [["证件号码", "身份证号不在建档立卡名单中（非建档立卡人员不导入）"]]
    imports.merge(job, user=county_user)
    assert Person.objects.get(pk=a.pk).dibao and not Person.objects.get(pk=b.pk).dibao
    assert stage("dibao", "dibao.xlsx", body, county_user).counts["changed"] == 0
    body = xlsx(
        [
            [a.id_number, a.name, "肢体残疾", "二级", "36022219800101001422"],
            [b.id_number, b.name, "肢体", "五级", ""],
        ],
        header=["身份证号", "姓名", "残疾类别", "残疾等级", "残疾证号"],
    )
    job = stage("disability", "cjr.xlsx", body, county_user)
    assert faults(job)[3] == [["残疾等级", "“五级”不是有效残疾等级（应为1–4级）"]]
    imports.merge(job, user=county_user)
    p = Person.objects.get(pk=a.pk)
    assert (
        p.disability_type == "physical"
        and p.disability_grade == 2
        and p.severe_disability
        and p.health == "disabled"
    )


def test_enrolment_extract_keeps_faulty_ids_for_the_comparison(areas, county_user):
    good, other = person_id(70), person_id(71)
    typo = good[:17] + ("0" if good[17] != "0" else "1")
    header = ["公民身份号码", "姓名", "参保地", "参保状态", "贫困标识", "代缴标识", "死亡标识"]
    rows = [
        [good, "甲", VILLAGE_A, "正常参保", "是", "是", "否"],
        [typo, "乙", VILLAGE_A, "暂停", "否", "否", "否"],
        [other, "丙", "360281", "终止", "1", "0", "0"],
        [person_id(72), "丁", VILLAGE_A, "不知道", "是", "是", "否"],
        ["3.60222E+17", "戊", VILLAGE_A, "正常", "是", "是", "否"],
    ]
    job = stage("medical", "yb.xlsx", xlsx(rows, header=header), county_user)
    got = faults(job)
    assert job.counts["new"] == 3
    assert got[5][0][0] == "参保状态" and "“不知道”无法识别" in got[5][0][1]
    assert "科学计数法" in got[6][0][1]
    imports.merge(job, user=county_user)
    assert EnrolmentRecord.objects.get(id_number=typo).enrolment_status == "suspended"
    assert EnrolmentRecord.objects.get(id_number=other).village_code == "360281000000"
    again = stage("medical", "yb.xlsx", xlsx(rows, header=header), county_user)
    assert again.counts["unchanged"] == 3 and again.counts["new"] == 0


def test_township_station_may_not_import_enrolment_extracts(areas, town_a_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        imports.create_job(user=town_a_user, kind="pension", filename="x.csv", content=b"")


def test_merge_refused_when_registry_changed_after_preview(areas, county_user, roster_file):
    imports.merge(stage("roster", "a.xlsx", roster_file, county_user), user=county_user)
    rows = roster_rows("H0001", VILLAGE_A, [(HEAD, "张大山改", "户主")])
    job = stage("roster", "c.xlsx", xlsx(rows, header=ROSTER_HEADER), county_user)
    Person.objects.filter(id_number=HEAD).update(name="别人改了")
    import datetime as dt

    from django.utils import timezone

    Person.objects.filter(id_number=HEAD).update(
        updated_at=timezone.now() + dt.timedelta(seconds=5)
    )
    with pytest.raises(imports.ImportRefused, match="预览之后建档立卡数据已被修改"):
        imports.merge(job, user=county_user)
    assert Person.objects.get(id_number=HEAD).name == "别人改了"


def test_a_failing_merge_writes_nothing(areas, county_user, roster_file, monkeypatch):
    job = stage("roster", "a.xlsx", roster_file, county_user)
    before = registry_state()

    def boom(*args, **kwargs):
        raise RuntimeError("磁盘已满")

    # The history of status moves is written after the households, persons and 建档 rows are in.
    monkeypatch.setattr(bulk, "insert", boom)
    with pytest.raises(imports.ImportRefused, match="建档立卡数据未作任何修改"):
        imports.merge(job, user=county_user)
    assert registry_state() == before
    job.refresh_from_db()
    assert job.state == JobState.FAILED
