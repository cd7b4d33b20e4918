"""Two monitoring runs at the same moment, and two deciders at the same moment, on PostgreSQL:
the runs raise each alert once (unique household + signal + cause, ON CONFLICT DO NOTHING); the
household row lock lets one decision through and the other finds the household already decided."""

import threading

import pytest
from django.db import connection, connections

from fupin.access.models import Role
from fupin.monitoring import services
from fupin.monitoring.models import Alert, Decision, MonitoredHousehold, MonitoringRun, Stage
from fupin.monitoring.nightly import STEPS
from tests.conftest import TOWN_A

from .helpers import TODAY, exited

pytestmark = pytest.mark.django_db(transaction=True)


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "需要 PostgreSQL（设置 DATABASE_URL）：SQLite 一次只允许一个写事务；顺序下的幂等由 test_signals.py 验证"
        )


def _together(fns):
    barrier = threading.Barrier(len(fns))
    results = []

    def go(fn):
        try:
            barrier.wait(timeout=10)
            results.append(fn())
        except Exception as exc:  # noqa: BLE001 — the refusal is the result
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_runs_at_once_raise_each_alert_once(county_user, make_household):
    _postgres_only()
    for _ in range(5):
        exited(make_household, TOWN_A, income_yuan=1000)
    runs = [
        MonitoringRun.objects.create(
            area_code="360222", day=TODAY, steps=STEPS, created_by=county_user
        )
        for _ in range(2)
    ]
    results = _together([lambda r=r: services.run_monitoring(r, user=county_user) for r in runs])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Alert.objects.count() == 5 and MonitoredHousehold.objects.count() == 5
    assert sum(MonitoringRun.objects.values_list("new_alerts", flat=True)) == 5


def test_two_deciders_at_once_one_decision(county_user, town_a_user, make_user, make_household):
    _postgres_only()
    hh = exited(make_household, TOWN_A, income_yuan=1000)
    run = MonitoringRun.objects.create(
        area_code="360222", day=TODAY, steps=STEPS, created_by=county_user
    )
    services.run_monitoring(run, user=county_user)
    m = MonitoredHousehold.objects.get(household=hh)
    services.record_check(
        user=make_user("village-a", Role.VILLAGE, TOWN_A),
        monitored=m,
        checked_on=TODAY,
        findings="核查",
    )
    results = _together(
        [
            lambda: services.decide(
                user=town_a_user, monitored=m, include=True, reason="纳入", day=TODAY
            ),
            lambda: services.decide(
                user=county_user, monitored=m, include=False, reason="不纳入", day=TODAY
            ),
        ]
    )
    refused = [r for r in results if isinstance(r, services.WorkflowError)]
    assert len(refused) == 1 and "认定须在“核查中”阶段" in str(refused[0]), results
    assert Decision.objects.filter(monitored=m).count() == 1
    m.refresh_from_db()
    assert m.stage in (Stage.MONITORED, Stage.NOT_MONITORED)
