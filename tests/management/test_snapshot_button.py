"""生成统计快照 (the county's button on the indicator page): the view only calls the service, which
queues the job once the transaction commits and audits it; a township account is refused and nothing
is queued or built."""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fupin.access.models import AuditEntry
from fupin.management import services
from fupin.management.loading import load_indicators
from fupin.management.models import SnapshotRun
from tests.conftest import login


def test_the_button_builds_the_snapshot_of_today_and_is_audited(county_user):
    load_indicators()
    response = login(county_user).post(reverse("management:snapshot_build"))
    assert response.status_code == 302
    run = SnapshotRun.objects.get()  # tests run tasks at once (conftest)
    assert run.day == timezone.localdate()
    assert AuditEntry.objects.filter(summary=f"生成统计快照 {run.day.isoformat()}").count() == 1


def test_queued_only_after_commit(county_user, django_capture_on_commit_callbacks):
    load_indicators()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            services.start_snapshot(user=county_user, day=dt.date(2018, 3, 31))
    assert len(callbacks) == 1 and not SnapshotRun.objects.exists()
    callbacks[0]()
    assert SnapshotRun.objects.get().day == dt.date(2018, 3, 31)


def test_a_township_may_not_build_it(town_a_user):
    response = login(town_a_user).post(reverse("management:snapshot_build"))
    assert response.status_code == 403
    assert not SnapshotRun.objects.exists()
    assert not AuditEntry.objects.filter(summary__startswith="生成统计快照").exists()
