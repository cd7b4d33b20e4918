"""Services: referral → hire → check; job loss back to recommendations; follow-ups;
welfare subsidies; workshop awards. (Training, start-up and assistance: tests/training,
tests/startup, tests/assistance.)"""

import datetime as dt

import pytest

from fupin.assistance.models import LedgerEntry
from fupin.employment import selectors, services
from fupin.employment.models import Recommendation, ReferralStatus, WelfareSubsidy
from fupin.employment.recommend import recommend_persons
from fupin.registry.models import Person
from tests.conftest import TOWN_A

from . import factories as f

TODAY = dt.date.today()


@pytest.fixture
def seeker(make_household):
    hh = make_household(TOWN_A, members=1)
    return f.job_seeker(hh.members.first())


@pytest.fixture
def postings(areas):
    emp = f.employer(TOWN_A)
    return [
        f.posting(
            emp, title=f"岗位{i}", wage_min_fen=200000 + i * 10000, wage_max_fen=300000 + i * 10000
        )
        for i in range(12)
    ]


def test_refer_hire_check_and_job_loss_recommends_again(
    county_user, seeker, postings, django_capture_on_commit_callbacks
):
    recommend_persons(Person.objects.filter(pk=seeker.pk), TODAY, user=county_user)
    assert Recommendation.objects.filter(person=seeker, current=True).count() == 10
    r = services.refer(user=county_user, person=seeker, posting=postings[0])
    services.advance(user=county_user, referral=r, status=ReferralStatus.INTERVIEW)
    r = services.advance(user=county_user, referral=r, status=ReferralStatus.HIRED, wage_fen=350000)
    postings[0].refresh_from_db()
    assert (
        postings[0].filled == 1
        and not Recommendation.objects.filter(person=seeker, current=True).exists()
    )
    services.check_employment(user=county_user, referral=r, still_employed=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.check_employment(
            user=county_user, referral=r, still_employed=False, note="工厂停产"
        )
    r.refresh_from_db()
    postings[0].refresh_from_db()
    assert r.status == ReferralStatus.LEFT and postings[0].filled == 0
    assert (
        Recommendation.objects.filter(person=seeker, current=True).count() == 10
    )  # 避免因失业返贫
    kinds = list(LedgerEntry.objects.filter(person=seeker).values_list("summary", flat=True))
    assert any("上岗" in k for k in kinds) and any("重新纳入岗位推荐" in k for k in kinds)
    with pytest.raises(services.EmploymentError):
        services.advance(user=county_user, referral=r, status=ReferralStatus.HIRED)


def test_job_losses_in_one_transaction_share_one_load_of_the_postings(
    county_user, postings, make_household, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from fupin.employment import recommend

    people = [f.job_seeker(make_household(TOWN_A, members=1).members.get()) for _ in range(3)]
    hires = []
    for p, post in zip(people, postings, strict=False):
        r = services.refer(user=county_user, person=p, posting=post)
        hires.append(
            services.advance(
                user=county_user, referral=r, status=ReferralStatus.HIRED, wage_fen=300000
            )
        )
    loads = []
    real = recommend.open_postings
    monkeypatch.setattr(
        recommend, "open_postings", lambda day, user: loads.append(day) or real(day, user)
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for r in hires:
            services.check_employment(
                user=county_user, referral=r, still_employed=False, note="工厂停产"
            )
    assert len(callbacks) == 1 and len(loads) == 1  # three job losses, one ranking run
    for p in people:
        assert Recommendation.objects.filter(person=p, current=True).count() == 10
    # A later job loss (after that run) gets its own run.
    r = services.refer(user=county_user, person=people[0], posting=postings[5])
    r = services.advance(user=county_user, referral=r, status=ReferralStatus.HIRED, wage_fen=300000)
    with django_capture_on_commit_callbacks(execute=True):
        services.check_employment(user=county_user, referral=r, still_employed=False)
    assert (
        len(loads) == 2
        and Recommendation.objects.filter(person=people[0], current=True).count() == 10
    )


def test_referral_refuses_hard_constraint_breaks(county_user, seeker, areas):
    emp = f.employer(TOWN_A)
    young = f.posting(emp, age_max=30)
    closed = f.posting(emp, closes_on=TODAY - dt.timedelta(days=1))
    with pytest.raises(services.EmploymentError, match="年龄"):
        services.refer(user=county_user, person=seeker, posting=young)
    with pytest.raises(services.EmploymentError, match="截止"):
        services.refer(user=county_user, person=seeker, posting=closed)


def test_township_cannot_refer_outside(town_b_user, seeker, postings):
    from fupin.access.scope import OutOfScope

    with pytest.raises(OutOfScope):
        services.refer(user=town_b_user, person=seeker, posting=postings[0])


def test_follow_up_overdue(county_user, seeker):
    assert selectors.overdue_visits(county_user, TODAY).filter(pk=seeker.pk).exists()
    services.record_visit(user=county_user, person=seeker, day=TODAY - dt.timedelta(days=100))
    assert (
        selectors.overdue_visits(county_user, TODAY).filter(pk=seeker.pk).exists()
    )  # older than a quarter
    services.record_visit(user=county_user, person=seeker, day=TODAY - dt.timedelta(days=10))
    assert not selectors.overdue_visits(county_user, TODAY).filter(pk=seeker.pk).exists()
    rows = {r["code"]: r for r in selectors.overdue_by_township(county_user, TODAY)}
    assert rows[TOWN_A]["due"] == 1 and rows[TOWN_A]["overdue"] == 0


def test_welfare_subsidy_once_a_month_and_workshop_award(county_user, seeker, areas):
    gov = f.employer(TOWN_A, kind="welfare")
    post = f.posting(gov, title="保洁员（公益性岗位）", wage_min_fen=90000, wage_max_fen=120000)
    r = services.refer(
        user=county_user, person=seeker, posting=post, day=TODAY - dt.timedelta(days=20)
    )
    services.advance(
        user=county_user, referral=r, status="hired", day=TODAY - dt.timedelta(days=15)
    )
    month = TODAY.replace(day=1)
    assert (
        services.grant_welfare_subsidies(
            user=county_user, placements=selectors.referrals(county_user), month=month
        )
        == 1
    )
    assert (
        services.grant_welfare_subsidies(
            user=county_user, placements=selectors.referrals(county_user), month=month
        )
        == 0
    )
    assert WelfareSubsidy.objects.get().amount_fen == 500_00

    shop = f.employer(TOWN_A, kind="workshop")
    other = f.job_seeker(Person.objects.exclude(pk=seeker.pk).first() or seeker)
    wp = f.posting(shop, title="陶瓷彩绘（计件）")
    r2 = services.refer(
        user=county_user, person=other, posting=wp, day=TODAY - dt.timedelta(days=10)
    )
    services.advance(
        user=county_user, referral=r2, status="hired", day=TODAY - dt.timedelta(days=5)
    )
    rows, info = selectors.workshop_awards(county_user, TODAY.year)
    assert [(row.employer, row.amount_fen) for row in rows] == [(shop, 1000_00)]
    assert selectors.workshop_awards(county_user, TODAY.year - 1)[0] == []


def test_employer_subsidies_only_where_a_pack_sets_them(
    county_user, seeker, postings, tmp_path, monkeypatch
):
    post = f.posting(postings[0].employer, opens_on=dt.date(TODAY.year, 1, 1))
    r = services.refer(user=county_user, person=seeker, posting=post, day=dt.date(TODAY.year, 1, 5))
    services.advance(user=county_user, referral=r, status="hired", day=dt.date(TODAY.year, 1, 10))
    assert (
        selectors.employer_subsidies(county_user, TODAY.year, TODAY) == []
    )  # Fuliang: "按规定给予", no amount
    (tmp_path / "county-x.yaml").write_text(
        "id: county-x\ninherits: fuliang-2018\nname: 测试县\nregion: 测试\neffective: {from: 2018-01-01}\n"
        "employment:\n  employer_post_subsidy_monthly:\n    value: 200\n    source: {assumed: 测试}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("FUPIN_POLICY_DIRS", str(tmp_path))
    monkeypatch.setenv("FUPIN_EMPLOYMENT_PACK", "county-x")
    rows = selectors.employer_subsidies(county_user, TODAY.year, TODAY)
    assert [(row["months"], row["post_fen"], row["social_fen"]) for row in rows] == [
        (TODAY.month, 200_00 * TODAY.month, 0)
    ]
