"""The Tasks API on its two backends: the database (embedded default) and RQ on Redis (production)."""

import socket

import pytest
from django_tasks import TaskResultStatus, default_task_backend

from fupin.registry.models import Household
from fupin.registry.tasks import refresh_summaries
from tests.conftest import TOWN_A, TOWN_B


def _break_counts():
    Household.objects.update(member_count=0, head_name="")


@pytest.mark.django_db(transaction=True)
def test_database_backend_runs_jobs_through_its_worker(settings, make_household, county_user):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    hh = make_household(TOWN_A, members=3)
    _break_counts()
    result = refresh_summaries.enqueue(TOWN_A, county_user.pk)
    assert result.status == TaskResultStatus.READY
    from django.core.management import call_command

    call_command("db_worker", batch=True, interval=0, verbosity=0)
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 1
    hh.refresh_from_db()
    assert hh.member_count == 3 and hh.head_name


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
        return True
    except OSError:
        return False


@pytest.mark.redis
@pytest.mark.skipif(not _redis_up(), reason="Redis 未在 127.0.0.1:6379 运行")
@pytest.mark.django_db(transaction=True)
def test_rq_backend_with_two_workers(settings, make_household, county_user):
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:6379/15"}}
    hh_a = make_household(TOWN_A, members=2)
    hh_b = make_household(TOWN_B, members=4)
    _break_counts()
    queue = django_rq.get_queue("default", job_class=Job)
    queue.empty()
    results = [
        refresh_summaries.enqueue(TOWN_A, county_user.pk),
        refresh_summaries.enqueue(TOWN_B, county_user.pk),
    ]
    assert queue.count == 2
    # Two workers (as on two machines) share one queue; each takes what is left.
    for name in ("worker-1", "worker-2"):
        SimpleWorker([queue], connection=queue.connection, name=name, job_class=Job).work(
            burst=True, max_jobs=1
        )
    assert queue.count == 0
    statuses = [default_task_backend.get_result(r.id).status for r in results]
    assert statuses == [TaskResultStatus.SUCCESSFUL] * 2
    hh_a.refresh_from_db()
    hh_b.refresh_from_db()
    assert (hh_a.member_count, hh_b.member_count) == (2, 4)
