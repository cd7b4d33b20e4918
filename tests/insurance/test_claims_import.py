"""Stored claims (issue 10 part 5): a hospital settlement file through staging → validation →
preview → merge, claims linked by ID number, settled and stored with split and trail."""

from __future__ import annotations

import datetime as dt

import pytest

from fupin.access.models import AuditEntry
from fupin.insurance.claims import imports
from fupin.insurance.claims.models import ClaimImport, ImportState, MedicalClaim
from fupin.policy.quote import quote
from fupin.registry.models import IdentityPeriod, Person, StatusChange
from tests.conftest import TOWN_A, TOWN_B

HEADER = "结算单号,身份证号,姓名,医院名称,就诊类型,医院级别,疾病编码,入院日期,总费用,政策范围内费用"


def csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


@pytest.fixture
def people(make_household):
    """A (poor by default: 新识别) in 浮梁镇; G a general resident (已脱贫不再享受) there; B in 鹅湖镇."""
    a = Person.objects.get(household=make_household(TOWN_A, members=1))
    g = Person.objects.get(household=make_household(TOWN_A, members=1))
    Person.objects.filter(pk=g.pk).update(status="exited")
    b = Person.objects.get(household=make_household(TOWN_B, members=1))
    return {"a": a, "g": Person.objects.get(pk=g.pk), "b": b}


def run_import(user, content: bytes) -> ClaimImport:
    job = imports.create_import(user=user, filename="医院结算.csv", content=content)
    return imports.stage(job, user=user)


def errors(job) -> dict[int, list[list[str]]]:
    return {r.row_no: r.errors for r in job.rows.all() if r.errors}


def test_general_resident_claim_golden_case(
    people, town_a_user, django_capture_on_commit_callbacks
):
    g = people["g"]
    job = run_import(
        town_a_user,
        csv(f"ZY001,{g.id_number},{g.name},县医院,住院,二级,,2018-03-02,10000.00,8000.00"),
    )
    assert job.state == ImportState.READY and job.rows_rejected == 0, errors(job)
    assert MedicalClaim.objects.count() == 0  # the preview stores nothing
    with django_capture_on_commit_callbacks(execute=True):  # the trail fill queued on commit
        imports.merge(job, user=town_a_user)
    c = MedicalClaim.objects.with_split().get(claim_no="ZY001")
    # By hand, fuliang-2018, general resident, level-2 inpatient, in policy 8000 元 of 10000 元:
    # basic (8000 − 400 deductible) × 75% = 5700.00; critical: in-policy self-pay 8000 − 5700 =
    # 2300 is below the 10000 threshold → 0; no assistance, no fallback for a general resident;
    # self-pay 10000 − 5700 = 4300.00.
    assert (
        c.split.basic_fen,
        c.split.critical_fen,
        c.split.assistance_fen,
        c.split.fallback_fen,
        c.split.self_fen,
    ) == (
        570000,
        0,
        0,
        0,
        430000,
    )
    assert c.category == "general" and c.person_id == g.pk and c.village_code == g.village_code
    assert (
        c.year == 2018
        and c.policy == "fuliang"
        and c.trail.steps
        and all("source" in s for s in c.trail.steps)
        and c.trail.settled_at == c.settled_at
    )
    assert AuditEntry.objects.filter(action="import").exists()


def test_stored_split_equals_the_quote_for_the_same_claims(people, town_a_user):
    a = people["a"]
    # 低保 from 1 July: the August claim settles as 低保, the March one as 建档立卡; the year-to-date
    # totals run across the change. (A has left 建档立卡 policies on 1 June: Fuliang settles a
    # person who is both 建档立卡 and 低保 as 建档立卡 — its order of categories.)
    StatusChange.objects.create(household=a.household, person=a, village_code=a.village_code,
                                old_status="new", new_status="exited",
                                effective_date=dt.date(2018, 6, 1), reason="测试")  # fmt: skip
    IdentityPeriod.objects.create(
        person=a, identity="dibao", start=dt.date(2018, 7, 1), reason="民政认定"
    )
    rows = [
        f"ZY1{i},{a.id_number},,县医院,住院,{lv},{code},{day},{total},{inpol}"
        for i, (lv, code, day, total, inpol) in enumerate(
            [
                (2, "", "2018-03-02", "30000", "25000"),
                (3, "C16", "2018-08-10", "90000.50", "70000.25"),
                (1, "", "2018-11-01", "1200", "1000"),
            ]
        )
    ]
    job = run_import(town_a_user, csv(*rows))
    assert job.rows_rejected == 0, errors(job)
    imports.merge(job, user=town_a_user)
    stored = list(MedicalClaim.objects.with_split().filter(person=a).order_by("admission_date"))
    assert [c.category for c in stored] == ["poor", "dibao", "dibao"]
    records = [
        {
            "claim_id": c.claim_no,
            "visit_type": "inpatient",
            "hospital_level": c.hospital_level,
            "disease_code": c.disease_code or None,
            "admission_date": c.admission_date.isoformat(),
            "total_cost": f"{c.total_fen / 100:.2f}",
            "in_policy_cost": f"{c.in_policy_fen / 100:.2f}",
            "category": cat,
        }
        for c, cat in zip(stored, ["poor", "dibao", "dibao"], strict=True)
    ]
    q = quote("fuliang", "", records)
    for c, s in zip(stored, q.settlements, strict=True):
        assert (
            c.split.basic_fen,
            c.split.critical_fen,
            c.split.assistance_fen,
            c.split.fallback_fen,
            c.split.self_fen,
        ) == tuple(s.parts().values())
        assert (
            c.split.basic_fen
            + c.split.critical_fen
            + c.split.assistance_fen
            + c.split.fallback_fen
            + c.split.self_fen
            == c.total_fen
        )


def test_bad_rows_named_by_row_and_column_and_nothing_stored(people, town_a_user):
    a = people["a"]
    job = run_import(town_a_user, csv(
        f"ZY1,{a.id_number},,县医院,住院,二级,,2018-03-02,100.00,80.00",
        f"ZY2,{a.id_number},,县医院,门诊,二级,,2018-03-03,100.00,80.00",
        f"ZY3,{a.id_number},,县医院,住院,二级,,2018-02-30,100.00,80.00",
        f"ZY4,{a.id_number},,县医院,住院,二级,,2018-03-05,100.00,180.00",
        f"ZY5,{a.id_number},,县医院,住院,二级,,2018-03-05,-1,0",
        f"ZY1,{a.id_number},,县医院,住院,二级,,2018-03-06,100.00,80.00",
        f"ZY7,{a.id_number},,县医院,住院,二级,,2099-03-06,100.00,80.00",
        f"ZY8,{a.id_number},,县医院,门诊慢性病,二级,,2018-03-06,100.00,80.00",
        f"ZY9,{a.id_number},,县医院,住院,二级,,2010-03-06,100.00,80.00",
        f"ZY10,{a.id_number},王五,县医院,住院,二级,,2018-03-06,100.00,80.00",
    ))  # fmt: skip
    found = errors(job)
    assert "门诊" in found[3][0][1] and found[3][0][0] == "就诊类型"
    assert found[4][0][0] == "入院日期" and "2018-02-30" in found[4][0][1]
    assert any(col == "政策范围内费用" and "大于总费用" in msg for col, msg in found[5])
    assert any(col == "总费用" and "负数" in msg for col, msg in found[6])
    assert any("重复" in msg for _, msg in found[7]) and any("重复" in msg for _, msg in found[2])
    assert any("晚于今天" in msg for _, msg in found[8])
    assert any("慢性病医疗证" in msg for _, msg in found[9])
    assert any("不在" in msg and "政策期间" in msg for _, msg in found[10])
    assert any(col == "姓名" for col, _ in found[11])
    with pytest.raises(imports.ImportRefused, match="全部或全不"):
        imports.merge(job, user=town_a_user)
    assert MedicalClaim.objects.count() == 0


def test_unknown_person_listed_never_guessed(people, town_a_user):
    a = people["a"]
    stranger = "11010519491231002X"
    job = run_import(
        town_a_user,
        csv(
            f"ZY1,{a.id_number},{a.name},县医院,住院,二级,,2018-03-02,100.00,80.00",
            f"ZY2,{stranger},{a.name},县医院,住院,二级,,2018-03-02,100.00,80.00",
        ),
    )
    assert job.unknown_persons == [[3, "110105********002X", a.name]]
    assert "不按姓名匹配" in errors(job)[3][0][1]
    assert job.rows.get(row_no=3).person_id is None


def test_id_number_normalised_lowercase_x_and_spaces(make_household, town_a_user):
    p = Person.objects.get(household=make_household(TOWN_A, members=1))
    Person.objects.filter(pk=p.pk).update(id_number="36022219800101017X")  # GB 11643 check digit X
    job = run_import(
        town_a_user, csv("ZY1, 36022219800101017x ,,县医院,住院,二级,,2018-03-02,100.00,80.00")
    )
    assert job.rows_rejected == 0, errors(job)
    assert job.rows.get().person_id == p.pk and job.rows.get().id_number == "36022219800101017X"


def test_another_townships_person_refused_without_saying_who(people, town_a_user):
    b = people["b"]
    job = run_import(
        town_a_user, csv(f"ZY1,{b.id_number},{b.name},县医院,住院,二级,,2018-03-02,100.00,80.00")
    )
    assert errors(job)[2] == [["身份证号", "该人员不在本辖区"]]


def test_claim_number_already_stored_refused(people, town_a_user):
    a = people["a"]
    line = f"ZY1,{a.id_number},,县医院,住院,二级,,2018-03-02,100.00,80.00"
    imports.merge(run_import(town_a_user, csv(line)), user=town_a_user)
    job = run_import(town_a_user, csv(line))
    assert "已入库" in errors(job)[2][0][1]


def test_file_without_header_fails_in_chinese(town_a_user, areas):
    job = run_import(town_a_user, b"a,b,c\n1,2,3\n")
    assert job.state == ImportState.FAILED and "表头" in job.message
