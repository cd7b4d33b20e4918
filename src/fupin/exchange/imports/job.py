"""导入任务 (the import job): stage (read + validate into staging), confirm, merge in one transaction.

The openIMIS pattern: every data row lands in the staging table (ImportRow) with its verdict
(new / changed / unchanged / rejected and why); the registry is only touched when the user
confirms, and then in one transaction — all or nothing. Each kind of file has its source module
(`roster`, `lists`, `enrolment`) with a `validate` and a `merge`; this module runs them.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from contextlib import closing
from types import ModuleType

from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django_tasks import task

from fupin import liveness
from fupin.access.audit import record
from fupin.access.models import AuditAction, Role, User
from fupin.access.scope import OutOfScope, acting_user, area_code_of
from fupin.sheets import reader
from fupin.sheets.reader import check_upload_size

from .. import bulk
from ..models import Action, ImportJob, ImportRow, JobState, Kind
from . import enrolment, lists, roster
from .staging import (
    ENROLMENT_KINDS,
    STAGING_FIELDS,
    ImportRefused,
    Progress,
    StagedRow,
    no_progress,
    read_rows,
)


def source_of(kind: str) -> ModuleType:
    """The source module of a kind of file: roster, enrolment (pension, medical) or a list."""
    if kind == Kind.ROSTER:
        return roster
    return enrolment if kind in ENROLMENT_KINDS else lists


def may_import(user: User, kind: str) -> bool:
    if getattr(user, "read_only", True):
        return False
    if kind in ENROLMENT_KINDS:
        return user.is_superuser or user.role in (Role.ADMIN, Role.COUNTY, Role.INSURANCE)
    return True


def validate(
    job: ImportJob,
    staged: list[StagedRow],
    headers: dict[str, str],
    user: User | None,
    progress: Progress = no_progress,
) -> None:
    """Set-based checks; each fault lands in the row's `errors`, each row gets its action."""
    total = len(staged)
    progress("validate", 0, total)
    own = area_code_of(user) if user is not None else None
    by_row = {s.row_no: s for s in staged}
    h = lambda name: headers.get(name, name)  # noqa: E731
    source_of(job.kind).validate(job, staged, by_row, h, own)
    progress("validate", total, total)


LIVENESS = "exchange.importjob"  # the lock a process holds while it reads and validates a job
ABANDONED = ("读取或校验时后台进程意外退出（如内存耗尽或进程被终止），本任务已停止，建档立卡数据未作任何修改："
             "请检查文件后重新上传。")  # fmt: skip


def stage(job: ImportJob, *, user: User | None = None, progress: Progress = no_progress) -> dict:
    """Read the file into staging and validate it; the registry is not touched.

    The job's lock is held throughout (`fupin.liveness`), so a job whose process died while
    reading is recognised (`recover_interrupted`) rather than left "reading" for ever."""
    try:
        with liveness.holding(LIVENESS, job.pk):
            ImportJob.objects.filter(pk=job.pk).update(state=JobState.READING)
            return _stage(job, user, progress)
    except liveness.AlreadyRunning:
        return {}  # another live process is reading this very job (enqueued twice)


def _stage(job: ImportJob, user: User | None, progress: Progress) -> dict:
    started = time.monotonic()

    def report(stage_name: str, done: int, total: int) -> None:
        field_name = "rows_read" if stage_name == "read" else "rows_validated"
        ImportJob.objects.filter(pk=job.pk).update(
            rows_total=total,
            **{field_name: done},
            state=JobState.READING if stage_name == "read" else JobState.VALIDATING,
        )
        progress(stage_name, done, total)

    try:
        staged, headers = read_rows(job, report)
        validate(job, staged, headers, user, report)
    except reader.FileFault as exc:
        ImportJob.objects.filter(pk=job.pk).update(state=JobState.FAILED, message=str(exc))
        job.refresh_from_db()
        return {}
    counts = {a.value: 0 for a in Action}
    objs: list[dict] = []
    for s in staged:
        action = Action.REJECTED if s.errors else s.values.get("action", Action.UNCHANGED)
        counts[action] += 1
        values = {k: s.values.get(k) for k in STAGING_FIELDS}
        values["household_action"] = values["household_action"] or ""
        values["old_status"] = values["old_status"] or ""
        if s.errors:  # a rejected row keeps what could be read, but none of its verdicts
            values.update(
                household_action="",
                target_household_id=None,
                target_person_id=None,
                target_enrolment_id=None,
            )
        objs.append(
            {"job_id": job.pk, "row_no": s.row_no, "action": action, "errors": s.errors, **values}
        )
    with transaction.atomic():
        ImportRow.objects.filter(job=job).delete()
        bulk.insert(ImportRow, objs)
    counts["households_new"] = sum(
        1 for s in staged if not s.errors and s.values.get("household_action") == Action.NEW
    )
    counts["households_changed"] = sum(
        1 for s in staged if not s.errors and s.values.get("household_action") == Action.CHANGED
    )
    counts["seconds_staging"] = round(time.monotonic() - started, 2)
    ImportJob.objects.filter(pk=job.pk).update(
        state=JobState.READY,
        counts=counts,
        rows_total=len(staged),
        rows_read=len(staged),
        rows_validated=len(staged),
        validated_at=timezone.now(),
        message="",
    )
    job.refresh_from_db()
    return counts


INTERRUPTED = "上次合并在完成前中断（进程退出），建档立卡数据未作任何修改；可重新确认合并。"


def merge_in_progress(job_id: int) -> bool:
    """Whether a merge transaction for this job is open in some live process.

    The merge holds its job row locked (PostgreSQL) or the database's write lock (SQLite) until it
    commits or rolls back; a process that died released both with its rolled-back transaction.
    """
    if connection.vendor == "sqlite":
        with closing(sqlite3.connect(connection.settings_dict["NAME"], timeout=0.2)) as con:
            try:
                con.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return True
            con.rollback()
            return False
    try:
        with transaction.atomic():
            list(
                ImportJob.objects.select_for_update(nowait=True).filter(pk=job_id).values_list("pk")
            )
    except DatabaseError:
        return True
    return False


def recover_interrupted(job: ImportJob) -> bool:
    """A job abandoned by a dead process is recognised; True if it was.

    Left "reading"/"validating": failed with the reason (the file may be what killed it, so it is
    not read again). Left "merging": back to "ready to confirm", the registry untouched."""
    if job.state in (JobState.READING, JobState.VALIDATING):
        if liveness.held(LIVENESS, job.pk):
            return False
        changed = ImportJob.objects.filter(
            pk=job.pk, state__in=(JobState.READING, JobState.VALIDATING)
        ).update(state=JobState.FAILED, message=ABANDONED)
        if changed:
            job.state, job.message = JobState.FAILED, ABANDONED
        return bool(changed)
    if job.state != JobState.MERGING or merge_in_progress(job.pk):
        return False
    changed = ImportJob.objects.filter(pk=job.pk, state=JobState.MERGING).update(
        state=JobState.READY, message=INTERRUPTED
    )
    if changed:
        job.state, job.message = JobState.READY, INTERRUPTED
    return bool(changed)


def confirm(job: ImportJob) -> bool:
    """确认导入: 待确认 → 已确认 in one conditional update, so the page shows the merge coming (and polls)
    instead of 待确认 with the button still active, and a second click confirms nothing twice."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, state=JobState.READY).update(
            state=JobState.CONFIRMED, message=""
        )
    )


def merge(
    job: ImportJob,
    *,
    user: User | None = None,
    request: HttpRequest | None = None,
    progress: Progress = no_progress,
) -> dict:
    """Write the staged new and changed rows into the registry — one transaction."""
    job = ImportJob.objects.get(pk=job.pk)
    recover_interrupted(job)
    if job.state not in (JobState.READY, JobState.CONFIRMED):
        raise ImportRefused(f"导入任务当前状态为“{job.get_state_display()}”，不能确认合并")
    ImportJob.objects.filter(pk=job.pk).update(
        state=JobState.MERGING, merged_by=user if user and user.is_authenticated else None
    )
    try:
        with transaction.atomic():
            # Held until commit or rollback: how another process tells a live merge from a dead one.
            list(ImportJob.objects.select_for_update().filter(pk=job.pk).values_list("pk"))
            result = _merge(job, user, progress)
            counted = "，".join(
                f"{Action(k).label}{v}" for k, v in result.items() if k in Action.values
            )
            record(AuditAction.IMPORT, user=user, request=request, obj=job,
                   summary=f"导入{job.get_kind_display()}“{job.filename}”：{counted}",
                   changes={"counts": [None, result]})  # fmt: skip
            ImportJob.objects.filter(pk=job.pk).update(
                state=JobState.DONE,
                merged_at=timezone.now(),
                rows_merged=job.rows_total - job.counts.get("rejected", 0),
                counts={**job.counts, "merged": result},
            )
    except ImportRefused as exc:
        ImportJob.objects.filter(pk=job.pk).update(state=JobState.READY, message=str(exc))
        raise
    except Exception as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            state=JobState.FAILED, message=f"合并失败，建档立卡数据未作任何修改：{exc}"
        )
        raise ImportRefused(f"合并失败，建档立卡数据未作任何修改：{exc}") from exc
    job.refresh_from_db()
    return result


def _merge(job: ImportJob, user: User | None, progress: Progress) -> dict:
    total = job.rows_total
    progress("merge", 0, total)
    actor = user if user is not None and user.is_authenticated else None
    today = dt.date.today()
    reason = f"导入{job.get_kind_display()}（{job.filename}）"
    counts = {a.value: ImportRow.objects.filter(job=job, action=a).count() for a in Action}
    source_of(job.kind).merge(job, actor, today, reason, progress)
    progress("merge", total, total)
    return counts


def create_job(*, user: User | None, kind: str, filename: str, content: bytes) -> ImportJob:
    from django.core.exceptions import PermissionDenied

    if user is not None and not may_import(user, kind):
        raise PermissionDenied(
            "只读角色不能导入数据"
            if getattr(user, "read_only", True)
            else "只有人社局或社保经办机构可以导入参保数据"
        )
    check_upload_size(len(content))
    area = ""
    if user is not None and user.is_authenticated:
        area = area_code_of(user) or ""
    return ImportJob.objects.create(
        kind=kind,
        filename=os.path.basename(filename)[:200],
        content=content,
        area_code=area,
        created_by=user if user is not None and user.is_authenticated else None,
    )


# The jobs `services.start_import` and `services.confirm_import` queue after commit, each acting for
# the user who launched it; defined here, beside what they run, and listed in `tasks` for the worker.
@task()
def stage_task(job_id: int, user_id: int) -> dict:
    job = ImportJob.objects.get(pk=job_id)
    try:
        return stage(job, user=acting_user(user_id, job.area_code))
    except Exception as exc:
        ImportJob.objects.filter(pk=job_id).update(
            state=JobState.FAILED, message=f"读取或校验失败：{exc}"
        )
        raise


@task()
def merge_task(job_id: int, user_id: int) -> dict:
    job = ImportJob.objects.get(pk=job_id)
    try:
        user = acting_user(user_id, job.area_code)
    except OutOfScope as exc:
        ImportJob.objects.filter(pk=job_id).update(message=f"不能合并：{exc}")
        raise
    try:
        return merge(job, user=user)
    except ImportRefused:
        return {}
