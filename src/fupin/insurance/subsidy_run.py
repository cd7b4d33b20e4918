"""The yearly 代缴 run (代缴名单计算) as a job: computing the list set-based (`entitlements`), holding
the run's lock until its final state is written. `services.start_run` queues it after commit and
`tasks.subsidy_run_task` runs it; it sits below both, so they do not import each other in a loop."""

from __future__ import annotations

import time
import zlib

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from fupin import jobprogress, liveness
from fupin.access.models import User
from fupin.access.scope import require_area, require_writer

from . import entitlements
from .errors import InsuranceError
from .models import RunState, SubsidyRun
from .rules import RulesError, plan

LIVENESS = "insurance.subsidyrun"
ABANDONED = "计算时后台进程意外退出，本次计算已停止，名单未改变：请重新发起。"


def execute_run(run: SubsidyRun, *, user: User | None = None) -> dict:
    """Compute the run's list, holding its lock until the final state is written."""
    try:
        with liveness.holding(LIVENESS, run.pk):
            try:
                return _execute(run, user)
            except Exception as exc:
                fail_run(
                    run.pk,
                    exc
                    if isinstance(exc, InsuranceError | RulesError | PermissionDenied)
                    else f"计算失败：{exc}",
                )
                raise
    except liveness.AlreadyRunning:
        return {}


def fail_run(run_id: int, message: str) -> None:
    SubsidyRun.objects.filter(pk=run_id).exclude(state=RunState.DONE).update(
        state=RunState.FAILED, message=str(message)[:2000], finished_at=timezone.now()
    )


def recover_abandoned(run: SubsidyRun) -> bool:
    if run.state not in (RunState.RUNNING,) or liveness.held(LIVENESS, run.pk):
        return False
    changed = SubsidyRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
        state=RunState.FAILED, message=ABANDONED, finished_at=timezone.now()
    )
    if changed:
        run.refresh_from_db()
    return bool(changed)


def _step(run: SubsidyRun, n: int, label: str, steps: int | None = None) -> None:
    fields = {"steps": steps} if steps is not None else {}
    SubsidyRun.objects.filter(pk=run.pk).update(
        state=RunState.RUNNING, step=n, step_label=label, **fields
    )


def _execute(run: SubsidyRun, user: User | None) -> dict:
    if user is not None:
        require_writer(user)
        require_area(user, run.area_code)
    started = time.monotonic()
    _step(run, 1, "读取政策参数")
    try:
        year_plan = plan(year=run.year, insurance=run.insurance, pack_id=run.pack_id)
    except RulesError as exc:
        raise InsuranceError(str(exc)) from exc
    labels = ["读取政策参数", *entitlements.steps(year_plan)]
    _step(run, 2, labels[1], steps=len(labels))
    with transaction.atomic(), jobprogress.Reporter(SubsidyRun, run.pk, every=0) as report:

        def progress(label: str) -> None:
            # Written through a connection of its own (PostgreSQL): the page sees the steps of
            # this still-open transaction.
            report(step=labels.index(label) + 1, step_label=label)

        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                # Two runs of one year and insurance wait for each other instead of interleaving.
                cur.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)",
                    [
                        zlib.crc32(b"insurance.subsidy") & 0x7FFFFFFF,
                        run.year * 10 + (run.insurance == "pension"),
                    ],
                )
        counts = entitlements.compute(
            year_plan, area_code=run.area_code, run_id=run.pk, progress=progress
        )
        report.close()  # before the final state: never two writers of the run row at once
        counts["seconds"] = round(time.monotonic() - started, 2)
        SubsidyRun.objects.filter(pk=run.pk).update(
            state=RunState.DONE,
            step=len(labels),
            steps=len(labels),
            step_label="已完成",
            counts=counts,
            rules=year_plan.rules_json(),
            finished_at=timezone.now(),
            seconds=counts["seconds"],
        )
    run.refresh_from_db()
    return counts
