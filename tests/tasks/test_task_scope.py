"""Background tasks act for a user: they start from `acting_user(user_id, area)` and read through
`scoped()`. A task never runs over an area its user does not hold, whoever enqueues it."""

import pytest
from django_tasks import TaskResultStatus

from fupin.exchange import imports
from fupin.exchange.models import (
    ComparisonJob,
    ComparisonResult,
    ImportJob,
    JobState,
)
from fupin.exchange.tasks import comparison_task, merge_task, stage_task
from fupin.insurance.models import EnrolmentRecord
from fupin.registry.models import Household, Person
from fupin.registry.tasks import refresh_summaries
from tests.conftest import TOWN_A, TOWN_B, login

ROSTER = "户编号,所在村代码,识别年度,主要致贫原因,身份证号,姓名,与户主关系\n"


def refused(result) -> bool:
    """The task failed because its area is not its user's (the immediate backend keeps the error)."""
    return result.status == TaskResultStatus.FAILED and "不在本辖区" in result.errors[0].traceback


@pytest.fixture
def both(make_household):
    return make_household(TOWN_A, members=2), make_household(TOWN_B, members=3)


def test_comparison_task_reads_only_its_users_area(both, town_a_user, county_user):
    hh_a, hh_b = both
    EnrolmentRecord.objects.create(
        id_number=hh_b.members.first().id_number,
        name="乙",
        area_code=TOWN_B + "001",
        village_code=TOWN_B + "001",
        insurance="medical",
        enrolment_status="active",
    )
    # A job over township B enqueued for township A's user is refused inside the task.
    job = ComparisonJob.objects.create(area_code=TOWN_B, created_by=town_a_user, steps=9)
    assert refused(comparison_task.enqueue(job.pk, town_a_user.pk))
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "不在本辖区" in job.message
    assert not ComparisonResult.objects.exists()
    # From the page: the township's own job, over its own persons only.
    login(town_a_user).post("/exchange/comparisons/")
    job = town_a_user.comparisonjob_set.latest("id")
    assert job.state == JobState.DONE and job.registry_rows == 2
    people = set(
        ComparisonResult.objects.filter(job=job)
        .exclude(person=None)
        .values_list("person_id", flat=True)
    )
    assert people == set(hh_a.members.values_list("id", flat=True))


def test_import_tasks_act_for_their_user(both, town_a_user, town_b_user):
    village_b = both[1].village_code
    job = imports.create_job(
        user=town_b_user, kind="roster", filename="b.csv", content=ROSTER.encode()
    )
    assert refused(stage_task.enqueue(job.pk, town_a_user.pk))
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "不在本辖区" in job.message
    ImportJob.objects.filter(pk=job.pk).update(state=JobState.READY)
    merge_task.enqueue(job.pk, town_a_user.pk)
    job.refresh_from_db()
    assert job.state == JobState.READY and "不在本辖区" in job.message and village_b


def test_registry_task_refreshes_only_its_users_area(both, town_a_user):
    hh_a, hh_b = both
    Household.objects.update(member_count=0, head_name="")
    assert refused(refresh_summaries.enqueue(TOWN_B, town_a_user.pk))
    assert refused(
        refresh_summaries.enqueue(TOWN_A[:6], town_a_user.pk)
    )  # the county holds other townships
    counts = dict(Household.objects.values_list("id", "member_count"))
    assert counts == {hh_a.pk: 0, hh_b.pk: 0}
    refresh_summaries.enqueue(TOWN_A, town_a_user.pk)
    counts = dict(Household.objects.values_list("id", "member_count"))
    assert counts == {hh_a.pk: 2, hh_b.pk: 0}
    assert Person.objects.count() == 5
