"""Stored claims: a chronic claim settled with the certificate's class, re-settlement under
another region (政策测算, stored apart, compared), the high self-pay flag, scope."""

from __future__ import annotations

import datetime as dt

import pytest

from fupin.access.scope import OutOfScope
from fupin.insurance.claims import imports, resettle, selectors
from fupin.insurance.claims.models import ClaimSplit, MedicalClaim, ResettledClaim, Resettlement
from fupin.registry.models import Household, Person
from tests.conftest import TOWN_A, TOWN_B
from tests.insurance.claims_factories import certify, csv, run_import


@pytest.fixture
def poor(make_household):
    return Person.objects.get(household=make_household(TOWN_A, members=1))


@pytest.fixture
def general(make_household):
    p = Person.objects.get(household=make_household(TOWN_A, members=1))
    Person.objects.filter(pk=p.pk).update(status="exited")
    return Person.objects.get(pk=p.pk)


def test_chronic_claim_settles_with_the_certificates_class(poor, town_a_user):
    certify(poor, town_a_user, "I", dt.date(2018, 2, 1))
    job = run_import(
        town_a_user,
        csv(f"MZ1,{poor.id_number},,县医院,门诊慢性病,二级,I10,2018-03-10,1000.00,1000.00"),
    )
    assert job.rows_rejected == 0, [r.errors for r in job.rows.all()]
    imports.merge(job, user=town_a_user)
    c = MedicalClaim.objects.with_split().get(claim_no="MZ1")
    # Poor (新识别) on 2018-03-10, Ⅰ类 from the certificate: no deductible, level 2 at 80% →
    # basic 1000 × 80% = 800.00; self-pay in policy 200 is far below the 大病 threshold
    # 10000 × (1 − 50%) = 5000 → 0; self-pay 200.00.
    assert (
        c.chronic_class,
        c.category,
        c.split.basic_fen,
        c.split.critical_fen,
        c.split.self_fen,
    ) == (
        "I",
        "poor",
        80000,
        0,
        20000,
    )


def test_chronic_claim_before_the_certificate_is_refused(poor, town_a_user):
    certify(poor, town_a_user, "I", dt.date(2018, 4, 1))
    job = run_import(
        town_a_user,
        csv(f"MZ1,{poor.id_number},,县医院,门诊慢性病,二级,I10,2018-03-10,1000.00,1000.00"),
    )
    assert "无有效慢性病医疗证" in job.rows.get().errors[0][1]


def test_resettle_under_another_region_stored_apart(general, poor, town_a_user):
    certify(poor, town_a_user, "I", dt.date(2018, 2, 1))
    job = run_import(
        town_a_user,
        csv(
            f"ZY1,{general.id_number},,县医院,住院,二级,,2018-03-02,10000.00,8000.00",
            f"MZ1,{poor.id_number},,县医院,门诊慢性病,二级,I10,2018-03-10,1000.00,1000.00",
        ),
    )
    imports.merge(job, user=town_a_user)
    run = resettle.start(user=town_a_user, year=2018, policy="jining")  # runs at once in tests
    run.refresh_from_db()
    assert run.state == "done" and run.rows_total == 2 and run.skipped == 1, run.message
    assert (
        "未测算" in run.message
    )  # 济宁 has no class Ⅰ: the chronic claim is left out, and said so
    r = ResettledClaim.objects.get(run=run)
    # By hand under 济宁 2016 (in force on 2018-03-02), general resident, level 2:
    # (8000 − 500) × 70% = 5250.00; in-policy self-pay 2750 below the 12000 threshold → 0;
    # self-pay 10000 − 5250 = 4750.00.
    assert (r.basic_fen, r.critical_fen, r.fallback_fen, r.self_fen) == (525000, 0, 0, 475000)
    official = MedicalClaim.objects.with_split().get(claim_no="ZY1")
    assert (official.split.basic_fen, official.split.self_fen) == (570000, 430000)  # untouched
    [row] = selectors.comparison(town_a_user, run)
    assert row["official_self_fen"] == 430000 and row["self_fen"] == 475000 and row["n"] == 1


def test_resettle_under_the_same_policy_equals_the_official_split(general, town_a_user):
    job = run_import(
        town_a_user,
        csv(
            *[
                f"ZY{i},{general.id_number},,县医院,住院,{1 + i % 3},,2018-{1 + i:02d}-05,{30000 + 997 * i}.{i:02d},"
                f"{20000 + 501 * i}.50"
                for i in range(12)
            ]
        ),
    )
    imports.merge(job, user=town_a_user)
    run = resettle.start(user=town_a_user, year=2018, policy="fuliang")
    got = {
        r.claim_id: (r.basic_fen, r.critical_fen, r.assistance_fen, r.fallback_fen, r.self_fen)
        for r in ResettledClaim.objects.filter(run=run)
    }
    want = {
        c.pk: (
            c.split.basic_fen,
            c.split.critical_fen,
            c.split.assistance_fen,
            c.split.fallback_fen,
            c.split.self_fen,
        )
        for c in MedicalClaim.objects.with_split().all()
    }
    assert got == want and len(got) == 12


def test_resettle_refuses_bad_input(town_a_user, town_b_user, areas):
    with pytest.raises(resettle.ResettleError, match="未知政策"):
        resettle.start(user=town_a_user, year=2018, policy="nowhere")
    with pytest.raises(resettle.ResettleError, match="年度"):
        resettle.start(user=town_a_user, year=9999, policy="jining")
    with pytest.raises(OutOfScope):
        resettle.start(user=town_a_user, year=2018, policy="jining", area_code=TOWN_B)
    assert Resettlement.objects.count() == 0


def test_resettle_reads_only_its_area(make_household, town_a_user, town_b_user):
    a = Person.objects.get(household=make_household(TOWN_A, members=1))
    b = Person.objects.get(household=make_household(TOWN_B, members=1))
    imports.merge(
        run_import(
            town_a_user, csv(f"A1,{a.id_number},,县医院,住院,二级,,2018-03-02,100.00,80.00")
        ),
        user=town_a_user,
    )
    imports.merge(
        run_import(
            town_b_user, csv(f"B1,{b.id_number},,县医院,住院,二级,,2018-03-02,100.00,80.00")
        ),
        user=town_b_user,
    )
    run = resettle.start(user=town_a_user, year=2018, policy="jining")
    assert [r.claim.claim_no for r in ResettledClaim.objects.filter(run=run)] == ["A1"]
    assert not selectors.resettlements(town_b_user).filter(pk=run.pk).exists()


def _claim(person, no: str, self_fen: int, year: int = 2018) -> MedicalClaim:
    c = MedicalClaim.objects.create(
        claim_no=no,
        person=person,
        village_code=person.village_code,
        visit_type="inpatient",
        hospital_level=2,
        admission_date=dt.date(year, 3, 2),
        year=year,
        total_fen=self_fen,
        in_policy_fen=0,
    )
    ClaimSplit.objects.create(claim=c, person_id=person.pk, year=year, village_code=person.village_code, basic_fen=0,
                              critical_fen=0, assistance_fen=0, fallback_fen=0, self_fen=self_fen,
                              category="general", policy="fuliang")  # fmt: skip
    return c


def test_flag_just_above_and_just_below_the_line(make_household, town_a_user):
    # Household of 2 with a recorded income of 3000.00 元 per person: 6000.00 元 a year. The pack's
    # catastrophic_share is 40% → the line is 2400.00 元 (240000 fen); strictly above it is flagged.
    hh = make_household(
        TOWN_A, members=2, income_year=2017, income_wage_fen=250000, income_transfer_fen=50000
    )
    below, above = Person.objects.filter(household=hh).order_by("pk")
    _claim(below, "B1", 200000)
    _claim(below, "B2", 40000)  # 2400.00 元 in all: at the line, not above it
    _claim(above, "A1", 240001)  # one fen above
    flags = selectors.self_pay_flags([below.pk, above.pk], 2018)
    assert flags[below.pk].line_fen == 240000 and flags[below.pk].self_pay_fen == 240000
    assert not flags[below.pk].flagged and flags[above.pk].flagged
    assert "2017" in flags[above.pk].income_basis and "示意值" in flags[above.pk].source
    assert [f.person_id for f in selectors.high_self_pay(town_a_user, 2018)] == [above.pk]


def test_flag_without_recorded_income_uses_the_packs_and_says_so(make_household, town_a_user):
    hh = make_household(TOWN_A, members=1)
    p = Person.objects.get(household=hh)
    assert Household.objects.get(pk=hh.pk).income_year is None
    # The pack's income_per_capita 14000 元 × 1 × 40% = 5600.00 元.
    _claim(p, "X1", 560000)
    flag = selectors.self_pay_flags([p.pk], 2018)[p.pk]
    assert flag.line_fen == 560000 and not flag.flagged and "未登记" in flag.income_basis
    _claim(p, "X2", 1)
    assert selectors.self_pay_flags([p.pk], 2018)[p.pk].flagged
    assert (
        selectors.self_pay_flags([p.pk], 2017) == {}
    )  # no claims that year (and no pack before 2018)


def test_flags_are_scoped(make_household, town_a_user, town_b_user):
    b = Person.objects.get(household=make_household(TOWN_B, members=1))
    _claim(b, "X1", 10_000_000)
    assert selectors.high_self_pay(town_a_user, 2018) == []
    assert [f.person_id for f in selectors.high_self_pay(town_b_user, 2018)] == [b.pk]
