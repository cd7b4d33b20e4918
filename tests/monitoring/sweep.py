"""Monitored households, alerts, checks, decisions, measures, reviews, history, runs and
self-pay totals in each township of the scope sweep (tests/access/test_scope_sweep.py), and
the URL kwargs that reach them."""

import datetime as dt

from fupin.monitoring.models import (
    Alert,
    Check,
    Decision,
    Measure,
    MonitoredHousehold,
    MonitoringRun,
    Review,
    StageChange,
)
from tests.access.marks import marker


def extend(world, users) -> None:
    today = dt.date.today()
    for town, user in users.items():
        hh = world[town]["household"]
        vc = hh.village_code
        m = MonitoredHousehold.objects.create(
            household=hh,
            village_code=vc,
            head_name=marker(town, MonitoredHousehold),
            member_count=2,
            category="unstable",
            stage="assisting",
            origin="nightly",
            alerted_on=today,
            check_due=today,
            identified_on=today,
            note=marker(town, MonitoredHousehold),
        )
        run = MonitoringRun.objects.create(
            area_code=town,
            day=today,
            state="done",
            created_by=user,
            message=marker(town, MonitoringRun),
        )
        check = Check.objects.create(
            monitored=m,
            village_code=vc,
            checked_on=today,
            findings=marker(town, Check),
            checked_by=user,
        )
        decision = Decision.objects.create(
            monitored=m,
            check_record=check,
            village_code=vc,
            include=True,
            category="unstable",
            risk_types=["income"],
            reason=marker(town, Decision),
            decided_on=today,
            decided_by=user,
        )
        alert = Alert.objects.create(
            monitored=m,
            village_code=vc,
            signal="income",
            cause_key="income:2025",
            value=100,
            threshold=530000,
            detail=marker(town, Alert),
            raised_on=today,
            run=run,
            decision=decision,
        )
        Measure.objects.create(
            monitored=m,
            village_code=vc,
            kind="job",
            description=marker(town, Measure),
            day=today,
            recorded_by=user,
        )
        Review.objects.create(
            monitored=m,
            village_code=vc,
            quarter="2018-Q1",
            reviewed_on=today,
            income_per_capita_fen=600000,
            stable=True,
            note=marker(town, Review),
            reviewed_by=user,
        )
        StageChange.objects.create(
            monitored=m,
            village_code=vc,
            old_stage="",
            new_stage="alert",
            day=today,
            reason=marker(town, StageChange),
            changed_by=user,
        )
        world[town].update(monitored=m, monitoring_run=run, alert=alert)


def install(factory, extensions) -> None:
    extensions.append(extend)

    @factory(
        "monitoring:household",
        "/api/v1/monitoring/households/{pk}",
        "/api/v1/monitoring/households/{pk}/checks",
        "/api/v1/monitoring/households/{pk}/decision",
        "/api/v1/monitoring/households/{pk}/measures",
        "/api/v1/monitoring/households/{pk}/reviews",
        "/api/v1/monitoring/households/{pk}/removal",
    )
    def _monitored(world, town):
        return {"pk": world[town]["monitored"].pk}

    @factory("monitoring:step")
    def _step(world, town):
        return {"pk": world[town]["monitored"].pk, "action": "check"}

    @factory("monitoring:report")
    def _report(world, town):
        return {"pk": world[town]["household"].pk}

    @factory("monitoring:run", "monitoring:run_progress", "/api/v1/monitoring/runs/{pk}")
    def _run(world, town):
        return {"pk": world[town]["monitoring_run"].pk}
