"""帮扶计划与台账 rules: every measure leaves a ledger entry, the ledger is append-only, a
measure that happened closes the planned one of its kind only, overdue measures, scope."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from fupin.access.models import Role
from fupin.assistance import selectors
from fupin.assistance.models import LedgerEntry, MeasureStatus, PlannedMeasure
from fupin.assistance.services import complete_planned, log, plan_measure, set_measure_status
from fupin.employment import services as employment
from tests.conftest import TOWN_A
from tests.employment import factories as f

TODAY = dt.date.today()


@pytest.fixture
def seeker(make_household):
    return f.job_seeker(make_household(TOWN_A, members=1).members.get())


def plan(user, person, kind="follow_up", due_on=TODAY, **kw):
    return plan_measure(
        user=user,
        person=person,
        kind=kind,
        description="本季度入户回访",
        cadre="张三",
        due_on=due_on,
        **kw,
    )


def test_plan_and_ledger(county_user, seeker):
    m = plan(county_user, seeker)
    employment.record_visit(user=county_user, person=seeker)
    m.refresh_from_db()
    assert m.status == MeasureStatus.DONE
    entries = list(
        LedgerEntry.objects.filter(person=seeker)
        .order_by("day", "id")
        .values_list("kind", flat=True)
    )
    assert entries == ["follow_up", "follow_up"]


def test_ledger_is_append_only(county_user, seeker):
    entry = log(person=seeker, kind="other", summary="电话联系" * 100, user=county_user)
    assert (
        len(entry.summary) == 300
        and entry.village_code == seeker.village_code
        and entry.recorded_by == county_user
    )
    with pytest.raises(PermissionError, match="帮扶台账只能追加，不能删除"):
        LedgerEntry.objects.all().delete()
    with pytest.raises(PermissionError, match="帮扶台账只能追加，不能删除"):
        entry.delete()
    assert LedgerEntry.objects.count() == 1


@pytest.mark.parametrize("kind", ["pension", "", "FOLLOW_UP", None])
def test_plan_refuses_an_unknown_kind(county_user, seeker, kind):
    with pytest.raises(ValueError, match="措施类别无效"):
        plan(county_user, seeker, kind=kind)
    assert not PlannedMeasure.objects.exists() and not LedgerEntry.objects.exists()


def test_status_changes_and_refusals(county_user, seeker):
    m = plan(county_user, seeker)
    with pytest.raises(ValueError, match="状态无效"):
        set_measure_status(user=county_user, measure=m, status="finished")
    set_measure_status(user=county_user, measure=m, status="in_progress")
    m.refresh_from_db()
    assert (m.status, m.done_on) == ("in_progress", None)
    set_measure_status(user=county_user, measure=m, status="done", day=TODAY - dt.timedelta(days=1))
    m.refresh_from_db()
    assert (m.status, m.done_on) == ("done", TODAY - dt.timedelta(days=1))
    set_measure_status(
        user=county_user, measure=m, status="cancelled"
    )  # reopening clears the day it was done
    m.refresh_from_db()
    assert (m.status, m.done_on) == ("cancelled", None)
    summaries = list(
        LedgerEntry.objects.filter(person=seeker).order_by("id").values_list("summary", flat=True)
    )
    assert summaries[1:] == [
        "措施“本季度入户回访”：实施中",
        "措施“本季度入户回访”：已完成",
        "措施“本季度入户回访”：取消",
    ]


def test_a_measure_that_happened_closes_only_open_ones_of_its_kind(county_user, seeker):
    visit = plan(county_user, seeker)
    training = plan(county_user, seeker, kind="training")
    cancelled = plan(county_user, seeker)
    set_measure_status(user=county_user, measure=cancelled, status="cancelled")
    assert complete_planned(person=seeker, kind="follow_up", day=TODAY) == 1
    statuses = {m.pk: (m.status, m.done_on) for m in PlannedMeasure.objects.all()}
    assert statuses == {
        visit.pk: ("done", TODAY),
        training.pk: ("planned", None),
        cancelled.pk: ("cancelled", None),
    }


def test_overdue_measures(county_user, seeker):
    late = plan(county_user, seeker, due_on=TODAY - dt.timedelta(days=1))
    plan(county_user, seeker, due_on=TODAY)  # due today: not yet overdue
    done = plan(county_user, seeker, due_on=TODAY - dt.timedelta(days=10))
    set_measure_status(user=county_user, measure=done, status="done")
    assert list(selectors.overdue_measures(county_user, TODAY)) == [late]


def test_scope_of_plans_and_ledger(town_a_user, town_b_user, county_user, seeker, make_user):
    with pytest.raises(PermissionDenied, match="不在本辖区"):
        plan(town_b_user, seeker)
    m = plan(town_a_user, seeker)
    with pytest.raises(PermissionDenied, match="不在本辖区"):
        set_measure_status(user=town_b_user, measure=m, status="done")
    with pytest.raises(PermissionDenied, match="只读"):
        plan(make_user("office", Role.POVERTY_OFFICE, "360222"), seeker)
    assert (
        selectors.ledger(town_b_user).count() == 0 and selectors.measures(town_b_user).count() == 0
    )
    assert selectors.ledger(town_a_user).count() == 1 and selectors.ledger(county_user).count() == 1
    m.refresh_from_db()
    assert m.status == "planned"
