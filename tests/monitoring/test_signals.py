"""Each signal on real rows in the database: one household trips it, one just below its
threshold does not. Thresholds from the fuliang-2018 pack (monitoring:), worked by hand here."""

import datetime as dt

import pytest

from fupin.employment.models import EmploymentCheck, Referral
from fupin.exchange.models import ComparisonJob, ComparisonResult
from fupin.insurance.claims.models import ClaimSplit, MedicalClaim
from fupin.monitoring.models import Alert, MonitoredHousehold, Stage
from fupin.registry.models import Person, StatusChange
from tests.conftest import TOWN_A, TOWN_B
from tests.employment import factories as f

from .helpers import TODAY, alerts, exited, run

LINE_YUAN = 5300  # monitoring.income_line (fuliang-2018)


def test_income_below_line_alerts_and_at_line_does_not(county_user, make_household):
    low = exited(make_household, TOWN_A, income_yuan=LINE_YUAN - 1)  # 5299 < 5300 → alert
    at = exited(make_household, TOWN_A, income_yuan=LINE_YUAN)  # 5300 is not below the line
    poor = make_household(
        TOWN_A, status="poor", income_year=TODAY.year - 1, income_wage_fen=100
    )  # not watched: still poor
    r = run(county_user)
    [a] = alerts(low, "income")
    assert (a.value, a.threshold) == (529900, 530000)
    assert a.cause_key == f"income:{TODAY.year - 1}"
    assert a.rule == "fuliang-2018 monitoring.income_line" and "国开发〔2020〕6号" in a.source
    assert (
        not alerts(at).exists() and not MonitoredHousehold.objects.filter(household=poor).exists()
    )
    m = MonitoredHousehold.objects.get(household=low)
    assert (m.stage, m.category, m.origin) == (Stage.ALERT, "unstable", "nightly")
    assert m.check_due == TODAY + dt.timedelta(days=15)  # monitoring.check_days
    assert m.history.get().new_stage == Stage.ALERT
    assert r.new_alerts == 1 and r.by_township == {TOWN_A: {"income": 1}}


def _claim(person, self_fen: int, year: int, *, settled: bool = True) -> MedicalClaim:
    """A stored, settled claim of `person` (fupin.insurance.claims) with its self-pay."""
    from django.utils import timezone

    c = MedicalClaim.objects.create(
        claim_no=f"T{person.pk}-{year}-{MedicalClaim.objects.count()}",
        person=person,
        village_code=person.village_code,
        visit_type="inpatient",
        hospital_level=2,
        admission_date=dt.date(year, 3, 1),
        year=year,
        total_fen=self_fen * 3,
        in_policy_fen=self_fen * 2,
    )
    if settled:  # the official settlement (ClaimSplit) is what the signal reads
        ClaimSplit.objects.create(claim=c, person_id=person.pk, year=year, village_code=c.village_code,
                                  basic_fen=self_fen * 2, critical_fen=0, assistance_fen=0, fallback_fen=0,
                                  self_fen=self_fen, settled_at=timezone.now())  # fmt: skip
    return c


def test_medical_self_pay_above_share_of_income(county_user, make_household):
    # 2 persons × 8000 元 = 16000 元 household income; 40% (the pack's catastrophic_share) = 6400 元 = 640000 fen.
    over = exited(make_household, TOWN_A, income_yuan=8000)
    head, child = over.members.order_by("id")
    _claim(head, 500000, TODAY.year)
    _claim(child, 140001, TODAY.year)  # 5000 + 1400.01 = 6400.01 元 > 6400 元
    at = exited(make_household, TOWN_A, income_yuan=8000)
    _claim(at.members.first(), 640000, TODAY.year)  # exactly 40%: not above
    old = exited(make_household, TOWN_A, income_yuan=8000)
    _claim(
        old.members.first(), 2000000, TODAY.year - 2
    )  # two years ago: neither this year nor last
    unsettled = exited(make_household, TOWN_A, income_yuan=8000)
    _claim(
        unsettled.members.first(), 2000000, TODAY.year, settled=False
    )  # not settled yet: no self-pay known
    run(county_user)
    [a] = alerts(over, "medical")
    assert (a.value, a.threshold, a.cause_key) == (640001, 640000, f"medical:{TODAY.year}")
    assert a.rule == "fuliang-2018 catastrophic_share" and "灾难性医疗支出" in a.rule_text
    assert not alerts(at).exists() and not alerts(old).exists() and not alerts(unsettled).exists()


def test_job_lost_and_welfare_post_ended(county_user, make_household):
    hh = exited(make_household, TOWN_A)
    person = f.job_seeker(hh.members.first(), status="exited_policy")
    firm, welfare = f.employer(TOWN_A), f.employer(TOWN_A, kind="welfare")
    left = Referral.objects.create(
        person=person,
        village_code=person.village_code,
        posting=f.posting(firm, title="采茶工"),
        referred_on=TODAY - dt.timedelta(days=200),
        status="left",
        hired_on=TODAY - dt.timedelta(days=180),
        ended_on=TODAY - dt.timedelta(days=90),
    )  # 90 days ago: inside the look-back (monitoring.job_loss_lookback_days)
    post = Referral.objects.create(
        person=person,
        village_code=person.village_code,
        posting=f.posting(welfare, title="保洁员"),
        referred_on=TODAY - dt.timedelta(days=100),
        status="hired",
        hired_on=TODAY - dt.timedelta(days=100),
    )
    EmploymentCheck.objects.create(
        referral=post,
        village_code=person.village_code,
        checked_on=TODAY - dt.timedelta(days=3),
        still_employed=False,
    )
    other = exited(make_household, TOWN_A)
    p2 = f.job_seeker(other.members.first(), status="exited_policy")
    Referral.objects.create(
        person=p2,
        village_code=p2.village_code,
        posting=f.posting(firm, title="包装工"),
        referred_on=TODAY - dt.timedelta(days=200),
        status="left",
        hired_on=TODAY - dt.timedelta(days=180),
        ended_on=TODAY - dt.timedelta(days=91),
    )  # one day too old
    run(county_user)
    [a] = alerts(hh, "job_lost")
    assert (
        a.cause_key == f"referral:{left.pk}" and a.person_id == person.pk and "采茶工" in a.detail
    )
    [w] = alerts(hh, "welfare_post_ended")
    assert w.cause_key == f"referral:{post.pk}" and "保洁员" in w.detail
    assert not alerts(other).exists()


def test_insurance_gap_from_latest_comparison(county_user, make_household):
    hh = exited(make_household, TOWN_A)
    ok = exited(make_household, TOWN_A)
    p, q = hh.members.first(), ok.members.first()
    old = ComparisonJob.objects.create(area_code="360222", state="done")
    ComparisonResult.objects.create(
        job=old, category="suspended", insurance="pension", village_code=q.village_code, person=q
    )
    job = ComparisonJob.objects.create(area_code="360222", state="done")
    ComparisonResult.objects.create(
        job=job, category="suspended", insurance="medical", village_code=p.village_code, person=p
    )
    ComparisonResult.objects.create(
        job=job, category="matched", insurance="medical", village_code=q.village_code, person=q
    )
    run(county_user)
    [a] = alerts(hh, "insurance")
    assert (
        a.cause_key == f"suspended:medical:{TODAY.year}" and "参保暂停或终止（医疗保险" in a.detail
    )
    assert not alerts(ok).exists()  # its gap is in an older comparison, settled by the latest


def test_main_labourer_death_illness_disability(county_user, make_household):
    dead = exited(make_household, TOWN_A)
    head = dead.members.get(relation="head")
    Person.objects.filter(pk=head.pk).update(status="removed", removal_reason="death")
    StatusChange.objects.create(
        person=head,
        village_code=head.village_code,
        old_status="exited_policy",
        new_status="removed",
        effective_date=TODAY - dt.timedelta(days=10),
        reason="死亡",
    )
    ill = exited(make_household, TOWN_A)
    Person.objects.filter(household=ill, relation="head").update(health="serious")
    child_ill = exited(make_household, TOWN_A)
    Person.objects.filter(household=child_ill, relation="child").update(
        health="disabled"
    )  # not a main labourer
    old = exited(make_household, TOWN_A)
    # 65 on the run day: past the working age 16–64 (employment.working_age).
    Person.objects.filter(household=old, relation="head").update(
        health="serious", birth_date=TODAY.replace(year=TODAY.year - 65)
    )
    run(county_user)
    assert alerts(dead, "labourer").get().cause_key == f"death:{head.pk}"
    assert alerts(ill, "labourer").get().detail == "主要劳动力患有大病"
    assert not alerts(child_ill).exists() and not alerts(old).exists()


def test_rerun_raises_nothing_new_and_decided_alert_stays_decided(county_user, make_household):
    low = exited(make_household, TOWN_A, income_yuan=1000)
    first = run(county_user)
    second = run(county_user)
    assert (first.new_alerts, second.new_alerts) == (1, 0)
    assert Alert.objects.count() == 1 and MonitoredHousehold.objects.count() == 1
    m = MonitoredHousehold.objects.get(household=low)
    MonitoredHousehold.objects.filter(pk=m.pk).update(stage=Stage.NOT_MONITORED)
    assert run(county_user).new_alerts == 0  # same cause, already there: not raised again
    assert MonitoredHousehold.objects.get(pk=m.pk).stage == Stage.NOT_MONITORED
    # A new cause (this year's income) brings it back to 预警.
    type(low).objects.filter(pk=low.pk).update(income_year=TODAY.year)
    assert run(county_user).new_alerts == 1
    m.refresh_from_db()
    assert m.stage == Stage.ALERT and list(m.history.values_list("old_stage", "new_stage")) == [
        ("", "alert"),
        ("not_monitored", "alert"),
    ]


def test_township_run_sees_only_its_households(town_a_user, make_household):
    a = exited(make_household, TOWN_A, income_yuan=1000)
    b = exited(make_household, TOWN_B, income_yuan=1000)
    run(town_a_user)
    assert alerts(a).exists() and not alerts(b).exists()


@pytest.mark.parametrize("area", ["360222101", "36022210"])
def test_run_outside_the_users_area_refused(town_a_user, area):
    from fupin.access.scope import OutOfScope

    with pytest.raises(OutOfScope):
        run(town_a_user, area_code=area)
