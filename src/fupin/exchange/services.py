"""Writes of the exchange module (数据交换与比对): start jobs, run comparisons, record review decisions.

The comparison itself lives in `comparison/` (Django-free); `run_comparison` only feeds it the
registry of the job's area, read as the acting user through the scope layer, and the enrolment
extract, and stores what comes back. The extract is the one input read whole — a person
registered here may be enrolled in any county — and only findings inside the job's area are kept.
"""

from __future__ import annotations

import datetime as dt
import time

import pyarrow as pa
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_tasks import task

from fupin import liveness
from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import (
    acting_user,
    area_code_of,
    get_scoped,
    require_area,
    require_writer,
    scoped,
)
from fupin.areas.models import village_code_range
from fupin.insurance.models import EnrolmentRecord
from fupin.registry.choices import ACTIVE_STATUSES, InsuranceStatus
from fupin.registry.models import Person

from . import comparison
from .models import ComparisonJob, ComparisonResult, ImportJob, JobState, Review

CHUNK = 5000
# Findings a person decides on: a likely same person under another ID (是否同一人), and a tag that
# is probably stale but might be a listed person's (是否取消标识).
REVIEWED = ("id_mismatch_candidate", "tag_stale_review")
# What an exact finding says about the person's enrolment in that insurance.
ENROLMENT_OF = {
    "matched": InsuranceStatus.ENROLLED, "enrolled_elsewhere": InsuranceStatus.ENROLLED,
    "suspended": InsuranceStatus.SUSPENDED,
    "not_enrolled_pension": InsuranceStatus.NOT_ENROLLED, "not_enrolled_medical": InsuranceStatus.NOT_ENROLLED,
}  # fmt: skip


def start_comparison(*, user: User, request: HttpRequest | None = None) -> ComparisonJob:
    require_writer(user)
    code = area_code_of(user) or ""
    with transaction.atomic():
        job = ComparisonJob.objects.create(area_code=code, created_by=user, steps=9)
        record(
            AuditAction.CREATE,
            user=user,
            request=request,
            obj=job,
            summary=f"发起信息比对（范围 {code or '全部'}）",
        )
    # Queued once the job row is committed (at once in autocommit, else when the caller's
    # transaction commits): a worker never looks for a row that is not there yet.
    transaction.on_commit(lambda: comparison_task.enqueue(job.pk, user.pk))
    return job


def start_import(*, user: User, kind: str, filename: str, content: bytes) -> ImportJob:
    """Create the import job and queue its reading and validation once the job row is committed.

    PermissionDenied / FileFault (Chinese) as `imports.create_job` raises them."""
    from . import imports
    from .imports.job import stage_task

    job = imports.create_job(user=user, kind=kind, filename=filename, content=content)
    transaction.on_commit(lambda: stage_task.enqueue(job.pk, user.pk))
    return job


def confirm_import(*, user: User, job: ImportJob) -> bool:
    """确认导入 and queue the merge once the confirmation is committed; False if the job was not
    waiting for confirmation (the caller has checked `imports.may_import`)."""
    from . import imports
    from .imports.job import merge_task

    if not imports.confirm(job):
        return False
    transaction.on_commit(lambda: merge_task.enqueue(job.pk, user.pk))
    return True


def _registry_table(area_code: str, user: User) -> tuple[pa.Table, list[int]]:
    qs = scoped(Person.objects.all(), user)
    if area_code:
        qs = qs.filter(village_code__range=village_code_range(area_code))
    cols = {
        k: []
        for k in (
            "id_number",
            "name",
            "area_code",
            "status",
            "poor",
            "dibao",
            "tekun",
            "severe_disability",
        )
    }
    pks = []
    active = {str(s) for s in ACTIVE_STATUSES}
    for pk, idn, name, vc, status, dibao, tekun, severe in (
        qs.order_by("id")
        .values_list(
            "id",
            "id_number",
            "name",
            "village_code",
            "status",
            "dibao",
            "tekun",
            "severe_disability",
        )
        .iterator(chunk_size=CHUNK)
    ):
        pks.append(pk)
        for k, v in zip(
            cols,
            (idn, name, vc, status, int(status in active), int(dibao), int(tekun), int(severe)),
            strict=True,
        ):
            cols[k].append(v)
    return pa.table(cols), pks


def _enrolment_table() -> pa.Table:
    cols = {
        k: []
        for k in (
            "id_number",
            "name",
            "area_code",
            "insurance",
            "enrolment_status",
            "poverty_tag",
            "premium_subsidy",
            "deceased",
        )
    }
    for row in EnrolmentRecord.objects.order_by("id").values_list(*cols).iterator(chunk_size=CHUNK):
        for k, v in zip(cols, row, strict=True):
            cols[k].append(int(v) if isinstance(v, bool) else v)
    return pa.table(cols)


def _pad(code: str | None) -> str:
    return (code or "").ljust(12, "0")[:12]


LIVENESS = "exchange.comparisonjob"  # the lock a process holds while it runs a comparison
ABANDONED = "比对时后台进程意外退出（如内存耗尽或进程被终止），本次比对已停止，未写入任何结果：请重新发起比对。"


def run_comparison(job: ComparisonJob, *, user: User, as_of: dt.date | None = None) -> dict:
    """Compare, as `user`, the registry of the job's area with the enrolment extract, holding the
    job's lock (`fupin.liveness`) until its final state is written."""
    try:
        with liveness.holding(LIVENESS, job.pk):
            try:
                return _run_comparison(job, user, as_of)
            except Exception as exc:
                fail_comparison(job.pk, f"比对失败：{exc}")
                raise
    except liveness.AlreadyRunning:
        return {}  # another live process runs this very job (enqueued twice)


def recover_abandoned(job: ComparisonJob) -> bool:
    """A comparison left "running" by a process that died is failed with the reason; True if it was."""
    if job.state != JobState.RUNNING or liveness.held(LIVENESS, job.pk):
        return False
    changed = ComparisonJob.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
        state=JobState.FAILED, message=ABANDONED, finished_at=timezone.now()
    )
    if changed:
        job.refresh_from_db()
    return bool(changed)


def _run_comparison(job: ComparisonJob, user: User, as_of: dt.date | None) -> dict:
    require_area(user, job.area_code)
    started = time.monotonic()

    def step(n: int, label: str) -> None:
        ComparisonJob.objects.filter(pk=job.pk).update(
            state=JobState.RUNNING, step=n, step_label=label
        )

    step(1, "读取建档立卡数据")
    registry, pks = _registry_table(job.area_code, user)
    step(2, "读取参保数据")
    enrolment = _enrolment_table()
    engine = comparison.DuckDBEngine(threads=2)
    try:
        engine.load_arrow("registry", registry)
        engine.load_arrow("enrolment", enrolment)
        summary = comparison.run(
            engine,
            comparison.Settings.from_pack(
                settings.COUNTY_POLICY_PACK, as_of=as_of or dt.date.today()
            ),
            lambda n, total, label: step(2 + n, label),
        )
        rows = engine.arrow(
            "SELECT * FROM results ORDER BY category, area_code, registry_row, enrolment_row"
        ).to_pylist()
    finally:
        engine.close()
    objs = []
    prefix = job.area_code
    for r in rows:
        person_id = pks[r["registry_row"] - 1] if r["registry_row"] else None
        village = _pad(r["area_code"] or r["enrol_area_code"])
        if prefix and not village.startswith(prefix):
            continue  # an enrolment row of another area: not this job's business
        objs.append(
            ComparisonResult(
                job=job,
                category=r["category"],
                insurance=r["insurance"] or "",
                village_code=village,
                person_id=person_id,
                id_number=r["id_number"] or "",
                name=(r["name"] or "")[:50],
                enrol_id_number=(r["enrol_id_number"] or "")[:24],
                enrol_name=(r["enrol_name"] or "")[:50],
                enrol_area_code=(r["enrol_area_code"] or "")[:12],
                score=r["score"],
                detail=(r["detail"] or "")[:200],
                review=Review.PENDING if r["category"] in REVIEWED else Review.NONE,
            )
        )
    summary = {c: 0 for c in comparison.CATEGORIES}
    by_town: dict[str, dict[str, int]] = {}
    for o in objs:
        summary[o.category] += 1
        town = by_town.setdefault(o.village_code[:9], {})
        town[o.category] = town.get(o.category, 0) + 1
    with transaction.atomic():
        ComparisonResult.objects.bulk_create(objs, batch_size=CHUNK)
        _update_enrolment_status(objs)
        ComparisonJob.objects.filter(pk=job.pk).update(
            state=JobState.DONE,
            step=job.steps,
            step_label="完成",
            summary=summary,
            by_township=by_town,
            registry_rows=registry.num_rows,
            enrolment_rows=enrolment.num_rows,
            finished_at=timezone.now(),
            seconds=round(time.monotonic() - started, 2),
        )
    job.refresh_from_db()
    return summary


def _update_enrolment_status(results: list[ComparisonResult]) -> None:
    """Person.pension_status / medical_status from the exact findings (set-based, a few UPDATEs)."""
    groups: dict[tuple[str, str], list[int]] = {}
    for r in results:
        status = ENROLMENT_OF.get(r.category)
        if status and r.person_id and r.insurance in ("pension", "medical"):
            groups.setdefault((r.insurance, status), []).append(r.person_id)
    for (insurance, status), ids in groups.items():
        for i in range(0, len(ids), CHUNK):
            Person.objects.filter(pk__in=ids[i : i + CHUNK]).update(
                **{f"{insurance}_status": status}
            )


def fail_comparison(job_id: int, message: str) -> None:
    ComparisonJob.objects.filter(pk=job_id).update(
        state=JobState.FAILED, message=message, finished_at=timezone.now()
    )


def _apply(result: ComparisonResult, decision: str, user: User) -> str:
    """One decision on a locked result; returns the old review state."""
    old = result.review
    result.review, result.reviewed_by, result.reviewed_at = decision, user, timezone.now()
    result.save(update_fields=["review", "reviewed_by", "reviewed_at"])
    if (
        result.category == "id_mismatch_candidate"
        and decision == Review.CONFIRMED
        and result.person_id
        and result.insurance in ("pension", "medical")
    ):
        Person.objects.filter(pk=result.person_id).update(
            **{f"{result.insurance}_status": InsuranceStatus.ENROLLED}
        )
    return old


def _check_decision(category: str, decision: str) -> None:
    if category not in REVIEWED:
        raise PermissionDenied("只有“疑似同一人”和“标识待核实”的比对结果需要审核")
    if decision not in (Review.CONFIRMED, Review.REJECTED):
        raise ValueError("审核结论应为 confirmed（确认）或 rejected（否定）")


def decision_label(category: str, decision: str) -> str:
    """What a decision means for the category: the same person, or the tag to be cancelled."""
    if category == "tag_stale_review":
        return {Review.CONFIRMED: "确认取消标识", Review.REJECTED: "保留标识"}.get(
            decision, Review(decision).label
        )
    return Review(decision).label


@transaction.atomic
def decide(
    *, user: User, result_id: int, decision: str, request: HttpRequest | None = None
) -> ComparisonResult:
    """审核: a person confirms or rejects a finding; the decision is audited, never automatic.

    id_mismatch_candidate: confirmed = the same person (counted as enrolled, the ID goes to the
    correction sheet). tag_stale_review: confirmed = the tag is stale (goes to the untag sheet).
    """
    require_writer(user)
    from .selectors import results as scoped_results

    result = get_scoped(scoped_results(user).select_for_update(), user, pk=result_id)
    require_area(user, result.village_code)
    _check_decision(result.category, decision)
    old = _apply(result, decision, user)
    record(
        AuditAction.DECISION,
        user=user,
        request=request,
        obj=result,
        summary=f"比对审核：{result.name or result.enrol_name} {decision_label(result.category, decision)}",
        changes={
            "review": [old, decision],
            "insurance": [None, result.insurance],
            "category": [None, result.category],
        },
    )
    return result


@transaction.atomic
def decide_many(
    *,
    user: User,
    job: ComparisonJob,
    category: str,
    decision: str,
    expected: int,
    area: str = "",
    min_score: float | None = None,
    request: HttpRequest | None = None,
) -> int:
    """批量审核: one decision for every pending finding of a filtered set the user has looked at.

    `expected` is the count the user saw: if the set changed since (another reviewer), nothing is
    written. One audit entry names the filter, the count and every result decided.
    """
    require_writer(user)
    from .selectors import results as scoped_results

    _check_decision(category, decision)
    qs = scoped_results(user, job, category, area).filter(review=Review.PENDING)
    if min_score is not None:
        qs = qs.filter(score__gte=min_score)
    chosen = list(qs.select_for_update().order_by("id"))
    if len(chosen) != expected:
        raise ValueError(
            f"筛选结果已变化（现有 {len(chosen)} 条待审核，页面显示 {expected} 条），请刷新页面后重试"
        )
    if not chosen:
        raise ValueError("没有待审核的记录")
    for result in chosen:
        require_area(user, result.village_code)
        _apply(result, decision, user)
    where = "、".join(
        x
        for x in (
            f"区划 {area}" if area else "",
            f"相似度 ≥ {min_score}" if min_score is not None else "",
        )
        if x
    )
    record(
        AuditAction.DECISION,
        user=user,
        request=request,
        obj=job,
        summary=f"批量比对审核：{len(chosen)} 条{decision_label(category, decision)}"
        f"（信息比对 {job.pk}，{where or '全部待审核'}）",
        changes={
            "review": ["pending", decision],
            "category": [None, category],
            "results": [None, [r.pk for r in chosen]],
        },
    )
    return len(chosen)


# The job `start_comparison` queues after commit, acting for the user who launched it; defined here,
# beside the run, and listed in `tasks` for the worker.
@task()
def comparison_task(job_id: int, user_id: int) -> dict:
    job = ComparisonJob.objects.get(pk=job_id)
    try:
        return run_comparison(job, user=acting_user(user_id, job.area_code))
    except Exception as exc:
        fail_comparison(job_id, f"比对失败：{exc}")
        raise
