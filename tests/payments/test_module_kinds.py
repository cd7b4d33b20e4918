"""The subsidies fupin already computes, paid through batches: each kind's lines come from the
stored records (amounts as stored, never recomputed); golden figures worked by hand."""

import datetime as dt

import pytest

from fupin.employment.models import Referral, WelfareSubsidy
from fupin.payments import providers, services
from fupin.payments.services import PaymentError
from fupin.registry.models import Person
from fupin.startup.models import Loan, StartupSubsidy
from fupin.training.models import Course, Enrolment, JobSeekingSubsidy, TechnicalStudentAid
from tests.conftest import COUNTY, TOWN_A, TOWN_B
from tests.employment import factories as f

pytestmark = pytest.mark.django_db
PACK = "fuliang-2018"


@pytest.fixture
def persons(two_towns):
    a = list(Person.objects.filter(village_code__startswith=TOWN_A).order_by("id"))
    b = list(Person.objects.filter(village_code__startswith=TOWN_B).order_by("id"))
    return [f.job_seeker(p) for p in a], [f.job_seeker(p) for p in b]


def _lines(batch):
    return list(
        batch.lines.order_by("id").values_list(
            "person_id", "period", "item", "amount_fen", "payee_name"
        )
    )


def test_every_module_kind_is_registered_in_settings():
    kinds = providers.kinds()
    assert {
        "welfare_post",
        "workshop_award",
        "job_seeking",
        "technical_aid",
        "startup_subsidy",
        "interest_subsidy",
    } <= set(kinds)
    assert (
        kinds["workshop_award"].payee == "organisation"
        and kinds["interest_subsidy"].unit == "quarter"
    )


def _referral(person, employer, hired_on, status="hired"):
    post = f.posting(employer)
    return Referral.objects.create(
        person=person,
        village_code=person.village_code,
        posting=post,
        status=status,
        referred_on=hired_on - dt.timedelta(days=5),
        hired_on=hired_on,
    )


def test_welfare_post_subsidies_of_the_month_in_the_area(persons, town_a_user):
    (a1, a2, *_), (b1, *_) = persons
    gov_a, gov_b = f.employer(TOWN_A, kind="welfare"), f.employer(TOWN_B, kind="welfare")
    for person, gov, month, fen in (
        (a1, gov_a, 3, 50_000),
        (a2, gov_a, 4, 50_000),
        (b1, gov_b, 3, 50_000),
    ):
        r = _referral(person, gov, dt.date(2018, 1, 10))
        WelfareSubsidy.objects.create(
            referral=r,
            person=person,
            village_code=person.village_code,
            month=dt.date(2018, month, 1),
            amount_fen=fen,
            pack_id=PACK,
        )
    # 浮梁镇 in March 2018: a1 only (a2's is April, b1 is in 鹅湖镇): 500.00 元.
    batch = services.prepare(
        user=town_a_user, kind="welfare_post", period="2018-03", area_code=TOWN_A
    )
    ref = WelfareSubsidy.objects.get(person=a1).referral_id
    assert _lines(batch) == [(a1.pk, "2018-03", f"referral-{ref}", 50_000, "")]
    line = batch.lines.get()
    assert (
        line.rule == "fuliang-2018 employment.welfare_post_monthly_subsidy"
        and line.source.startswith("假设：")
    )


def test_a_stored_amount_is_paid_as_stored_not_recomputed(persons, town_a_user):
    (a1, *_), _ = persons
    r = _referral(a1, f.employer(TOWN_A, kind="welfare"), dt.date(2018, 1, 10))
    WelfareSubsidy.objects.create(
        referral=r,
        person=a1,
        village_code=a1.village_code,
        month=dt.date(2018, 3, 1),
        amount_fen=12_345,
        pack_id=PACK,
    )
    batch = services.prepare(
        user=town_a_user, kind="welfare_post", period="2018-03", area_code=TOWN_A
    )
    assert batch.total_fen == 12_345


def test_workshop_awards_go_to_the_workshop_per_absorbed_worker(persons, county_user):
    (a1, a2, *_), (b1, *_) = persons
    shop_a, shop_b = (
        f.employer(TOWN_A, kind="workshop", name="浮梁茶扶贫车间"),
        f.employer(TOWN_B, kind="workshop"),
    )
    _referral(a1, shop_a, dt.date(2018, 5, 1))
    _referral(a2, shop_a, dt.date(2018, 6, 1), status="left")
    Referral.objects.filter(person=a2).update(ended_on=dt.date(2018, 9, 30))
    _referral(b1, shop_b, dt.date(2019, 2, 1))  # hired in 2019: not a 2018 award
    batch = services.prepare(
        user=county_user, kind="workshop_award", period="2018", area_code=COUNTY
    )
    # Two absorbed workers of 浮梁茶扶贫车间 in 2018 × 1,000 元 (fuliang-2018
    # workshop_award_per_worker_year) = 2,000 元.
    assert [(p, a, payee) for p, _, _, a, payee in _lines(batch)] == [
        (a1.pk, 100_000, "浮梁茶扶贫车间"),
        (a2.pk, 100_000, "浮梁茶扶贫车间"),
    ]
    assert set(batch.lines.values_list("payee_code", flat=True)) == {shop_a.credit_code}
    assert batch.town_totals == {TOWN_A: [2, 200_000]}


def test_job_seeking_and_startup_subsidies_are_paid_once_in_a_lifetime(
    persons, town_a_user, county_user
):
    (a1, a2, *_), _ = persons
    course = Course.objects.create(
        title="茶艺培训班",
        trade="茶艺",
        provider="职校",
        area_code=TOWN_A.ljust(12, "0"),
        place="镇",
        starts_on=dt.date(2018, 6, 1),
        ends_on=dt.date(2018, 6, 20),
    )
    e = Enrolment.objects.create(
        course=course, person=a1, village_code=a1.village_code, enrolled_on=dt.date(2018, 5, 20)
    )
    JobSeekingSubsidy.objects.create(
        person=a1,
        enrolment=e,
        village_code=a1.village_code,
        amount_fen=50_000,
        pack_id=PACK,
        granted_on=dt.date(2018, 7, 1),
    )
    StartupSubsidy.objects.create(
        person=a2,
        village_code=a2.village_code,
        firm_name="瑶里茶叶有限公司",
        credit_code="91360222MA35X0000X",
        founded_on=dt.date(2017, 10, 1),
        amount_fen=500_000,
        pack_id=PACK,
        granted_on=dt.date(2018, 8, 1),
    )
    with pytest.raises(PaymentError, match="没有待发放"):
        services.prepare(user=town_a_user, kind="job_seeking", period="2019", area_code=TOWN_A)
    js = services.prepare(user=town_a_user, kind="job_seeking", period="2018", area_code=TOWN_A)
    assert _lines(js) == [(a1.pk, "once", "", 50_000, "")]
    su = services.prepare(user=town_a_user, kind="startup_subsidy", period="2018", area_code=TOWN_A)
    assert _lines(su) == [(a2.pk, "once", "", 500_000, "")]
    # The county's batch of the same year finds both already taken.
    with pytest.raises(PaymentError, match="其中 1 条已在其他发放批次中"):
        services.prepare(user=county_user, kind="startup_subsidy", period="2018", area_code=COUNTY)


def test_technical_school_allowance_per_school_year(persons, town_a_user):
    (a1, *_), _ = persons
    Person.objects.filter(pk=a1.pk).update(technical_student=True)
    for year in (2018, 2019):
        TechnicalStudentAid.objects.create(
            person=a1,
            village_code=a1.village_code,
            school="景德镇陶瓷技工学校",
            school_year=year,
            living_allowance_fen=200_000,
            pack_id=PACK,
        )
    batch = services.prepare(
        user=town_a_user, kind="technical_aid", period="2018", area_code=TOWN_A
    )
    assert _lines(batch) == [(a1.pk, "2018", "", 200_000, "")]


def test_loan_interest_subsidy_per_quarter(persons, town_a_user):
    (a1, *_), _ = persons
    loan = Loan.objects.create(
        person=a1,
        village_code=a1.village_code,
        project="茶园",
        principal_fen=10_000_000,
        annual_rate_bp=435,
        term_months=24,
        start_on=dt.date(2018, 1, 15),
        pack_id=PACK,
    )
    # Interest-only, quarterly from 15 January: period 1 ends 14 April (Q2), period 2 on 14 July (Q3) …
    # One quarter's interest: 100,000.00 元 × 4.35% × 3/12 = 1,087.50 元 = 108,750 fen; fuliang-2018
    # subsidises 100% for 2 years.
    with pytest.raises(PaymentError, match="没有待发放"):
        services.prepare(
            user=town_a_user, kind="interest_subsidy", period="2018-Q1", area_code=TOWN_A
        )
    q2 = services.prepare(
        user=town_a_user, kind="interest_subsidy", period="2018-Q2", area_code=TOWN_A
    )
    assert _lines(q2) == [(a1.pk, "2018-Q2", f"loan-{loan.pk}", 108_750, "")]
    assert "第1期" in q2.lines.get().note
    q3 = services.prepare(
        user=town_a_user, kind="interest_subsidy", period="2018-Q3", area_code=TOWN_A
    )
    assert _lines(q3)[0][3] == 108_750 and "第2期" in q3.lines.get().note
    # 24 months = 8 periods, the last ending 14 January 2020 (Q1 2020); nothing after.
    assert (
        services.prepare(
            user=town_a_user, kind="interest_subsidy", period="2020-Q1", area_code=TOWN_A
        ).total_fen
        == 108_750
    )
    with pytest.raises(PaymentError, match="没有待发放"):
        services.prepare(
            user=town_a_user, kind="interest_subsidy", period="2020-Q2", area_code=TOWN_A
        )


def test_a_provider_reads_only_the_users_area(persons, town_a_user):
    _, (b1, *_) = persons
    JobSeekingSubsidy.objects.create(
        person=b1,
        enrolment=Enrolment.objects.create(
            course=Course.objects.create(
                title="x",
                trade="x",
                provider="x",
                area_code=TOWN_B.ljust(12, "0"),
                place="x",
                starts_on=dt.date(2018, 1, 1),
                ends_on=dt.date(2018, 1, 2),
            ),
            person=b1,
            village_code=b1.village_code,
            enrolled_on=dt.date(2018, 1, 1),
        ),
        village_code=b1.village_code,
        amount_fen=50_000,
        pack_id=PACK,
        granted_on=dt.date(2018, 2, 1),
    )
    kind = providers.get_kind("job_seeking")
    assert list(kind.lines(user=town_a_user, period="2018", area_code="360222")) == []
