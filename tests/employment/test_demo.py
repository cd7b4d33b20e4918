"""The demo county: every eligible person gets at least 10 recommendations, none breaks a
hard constraint, and the whole flow has run (referral → hire → check, training →
certificate → subsidy, loan → schedule, plan → ledger)."""

import datetime as dt

import pytest

from fupin.access.models import User
from fupin.assistance.models import LedgerEntry, MeasureStatus, PlannedMeasure
from fupin.demo import builder, hooks
from fupin.employment.models import (
    FollowUpVisit,
    JobFair,
    Recommendation,
    Referral,
    ReferralStatus,
    WelfareSubsidy,
)
from fupin.employment.recommend import area_persons, eligible, recommend_persons
from fupin.policy.employment import rules
from fupin.registry.choices import Health, LabourSkill
from fupin.registry.models import Person
from fupin.startup.models import Loan, StartupSubsidy
from fupin.training.models import Enrolment, JobSeekingSubsidy


@pytest.fixture
def demo_county(db):
    builder.build(households=300)
    summary = hooks.run(*hooks.EMPLOYMENT_APPS)
    return summary


def test_demo_county(demo_county):
    """One build (it takes a while), two properties."""
    today = dt.date.today()
    recommend_persons(
        area_persons("360222"), today, user=User.objects.get(username="county")
    )  # fresh, after the demo's hires filled some positions
    people = list(eligible(Person.objects.all(), today))
    need = rules().recommendations_per_person.value
    assert need == 10 and len(people) > 100
    recs = Recommendation.objects.filter(current=True).select_related(
        "posting", "posting__employer", "person"
    )
    by_person: dict[int, list[Recommendation]] = {}
    for r in recs:
        by_person.setdefault(r.person_id, []).append(r)
    for p in people:
        assert len(by_person.get(p.pk, [])) >= need, f"{p.name} got {len(by_person.get(p.pk, []))}"
    for r in recs:
        p, post, age = r.person, r.posting, r.person.age_on(today)
        assert post.opens_on <= today <= post.closes_on and post.filled < post.positions
        assert post.age_min <= age <= post.age_max
        if p.health == Health.DISABLED or p.disability_grade:
            assert post.accepts_disabled
        if p.labour_skill == LabourSkill.WEAK:
            assert post.physical != "heavy"
        assert "年龄符合" in r.reasons and "月薪" in r.reasons
    ranks = sorted(r.rank for r in by_person[people[0].pk])
    assert ranks == list(range(1, len(ranks) + 1))
    _the_whole_flow_ran(demo_county)


def _the_whole_flow_ran(summary: str) -> None:
    assert "就业帮扶" in summary
    hired = Referral.objects.filter(status__in=[ReferralStatus.HIRED, ReferralStatus.LEFT])
    assert hired.exists() and Referral.objects.filter(checks__isnull=False).exists()
    assert FollowUpVisit.objects.exists() and JobFair.objects.exists()
    assert JobSeekingSubsidy.objects.filter(amount_fen=500_00).exists()
    assert Enrolment.objects.exclude(certificate_no="").exists()
    assert Loan.objects.exists() and StartupSubsidy.objects.filter(amount_fen=5000_00).exists()
    assert PlannedMeasure.objects.filter(status=MeasureStatus.DONE).exists()
    assert (
        WelfareSubsidy.objects.exists()
        or not hired.filter(posting__employer__kind="welfare").exists()
    )
    # Every referral left a trace in the person's ledger.
    r = hired.first()
    assert (
        LedgerEntry.objects.filter(
            person=r.person, object_type="referral", object_id=str(r.pk)
        ).count()
        >= 2
    )
