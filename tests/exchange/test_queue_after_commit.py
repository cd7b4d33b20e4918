"""Background jobs are queued after the transaction that created them commits (transaction.on_commit).

A worker that picked a job up before its row was committed would not find it. Here the job is
started inside an open transaction: nothing runs until the transaction ends, then exactly one
job is queued, and running it does the work.
"""

from django.db import transaction

from fupin.employment import services as employment_services
from fupin.employment.models import BatchStatus, RecommendationBatch
from fupin.exchange import services
from fupin.exchange.models import ComparisonJob, ImportJob, JobState

from .files import ROSTER_HEADER, VILLAGE_A, person_id, roster_rows, xlsx


def _roster() -> bytes:
    return xlsx(
        roster_rows("Q0001", VILLAGE_A, [(person_id(7), "王五", "户主")]), header=ROSTER_HEADER
    )


def test_an_upload_is_read_only_after_its_job_is_committed(
    areas, county_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued, transaction.atomic():
        job = services.start_import(
            user=county_user, kind="roster", filename="a.xlsx", content=_roster()
        )
    assert len(queued) == 1
    assert ImportJob.objects.get(pk=job.pk).state == JobState.QUEUED  # not read yet
    queued[0]()
    assert ImportJob.objects.get(pk=job.pk).state == JobState.READY


def test_a_confirmation_merges_only_after_it_is_committed(
    areas, county_user, django_capture_on_commit_callbacks
):
    job = services.start_import(
        user=county_user, kind="roster", filename="a.xlsx", content=_roster()
    )
    assert (
        ImportJob.objects.get(pk=job.pk).state == JobState.READY
    )  # outside a transaction: at once
    with django_capture_on_commit_callbacks() as queued, transaction.atomic():
        assert services.confirm_import(user=county_user, job=job)
    assert len(queued) == 1
    assert ImportJob.objects.get(pk=job.pk).state == JobState.CONFIRMED
    queued[0]()
    assert ImportJob.objects.get(pk=job.pk).state == JobState.DONE
    with django_capture_on_commit_callbacks() as queued:  # a second confirmation queues nothing
        assert not services.confirm_import(user=county_user, job=job)
    assert queued == []


def test_a_rolled_back_start_queues_nothing(areas, county_user, django_capture_on_commit_callbacks):
    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks() as queued:
        try:
            with transaction.atomic():
                services.start_comparison(user=county_user)
                raise Abort
        except Abort:
            pass
    assert queued == [] and not ComparisonJob.objects.exists()


def test_a_recommendation_batch_runs_only_after_it_is_committed(
    areas, county_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued, transaction.atomic():
        batch = employment_services.start_batch(user=county_user, area_code="360222100")
    assert len(queued) == 1
    assert RecommendationBatch.objects.get(pk=batch.pk).status == BatchStatus.QUEUED
    queued[0]()
    assert RecommendationBatch.objects.get(pk=batch.pk).status == BatchStatus.DONE
