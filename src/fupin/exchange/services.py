"""Writes of the exchange module (数据交换与比对): start jobs, run comparisons, record review decisions.

The comparison itself lives in `comparison/` (Django-free); `run_comparison` only feeds it the
registry of the job's area, read as the acting user through the scope layer, and the enrolment
extract, and stores what comes back. The extract is the one input read whole — a person
registered here may be enrolled in any county — and only findings inside the job's area are kept.
"""

from __future__ import annotations

import datetime as dt
import io
import time

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
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
from fupin.sqlframe import read_sql

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
SCHEMES = ("pension", "medical")


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


REGISTRY_SCHEMA = {
    "id": pl.Int64, "id_number": pl.String, "name": pl.String, "area_code": pl.String,
    "status": pl.String, "poor": pl.Int64, "dibao": pl.Int64, "tekun": pl.Int64,
    "severe_disability": pl.Int64,
}  # fmt: skip
ENROLMENT_SCHEMA = {
    "id_number": pl.String, "name": pl.String, "area_code": pl.String, "insurance": pl.String,
    "enrolment_status": pl.String, "poverty_tag": pl.Int64, "premium_subsidy": pl.Int64,
    "deceased": pl.Int64,
}  # fmt: skip


def _flag(column: str) -> str:
    """A boolean column as 0/1 (COPY's CSV would say t/f)."""
    return f"CASE WHEN {column} THEN 1 ELSE 0 END"


def _registry_table(area_code: str, user: User) -> pl.DataFrame:
    """The registry of the job's area as the acting user sees it, in id order, read in one
    statement (COPY on PostgreSQL). Which persons: the ids of `scoped()`'s queryset, as a
    subquery — the scope rule stays in `fupin.access.scope`; `poor` is computed in SQL."""
    qs = scoped(Person.objects.all(), user)
    if area_code:
        qs = qs.filter(village_code__range=village_code_range(area_code))
    inner, params = qs.order_by().values("id").query.sql_with_params()
    active = ", ".join(f"'{s}'" for s in sorted(str(s) for s in ACTIVE_STATUSES))
    q = connection.ops.quote_name
    sql = (
        f"SELECT p.id, p.id_number, p.name, p.village_code, p.status, "
        f"CASE WHEN p.status IN ({active}) THEN 1 ELSE 0 END, {_flag('p.dibao')}, "
        f"{_flag('p.tekun')}, {_flag('p.severe_disability')} "
        f"FROM {q(Person._meta.db_table)} p WHERE p.id IN ({inner}) ORDER BY p.id"
    )
    return read_sql(sql, list(params), REGISTRY_SCHEMA)


def _enrolment_table() -> pl.DataFrame:
    """The whole enrolment extract in id order, read in one statement (COPY on PostgreSQL)."""
    table = connection.ops.quote_name(EnrolmentRecord._meta.db_table)
    sql = (
        f"SELECT id_number, name, area_code, insurance, enrolment_status, "
        f"{_flag('poverty_tag')}, {_flag('premium_subsidy')}, {_flag('deceased')} "
        f"FROM {table} ORDER BY id"
    )
    return read_sql(sql, [], ENROLMENT_SCHEMA)


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
    registry = _registry_table(job.area_code, user)
    step(2, "读取参保数据")
    enrolment = _enrolment_table()
    engine = comparison.DuckDBEngine(threads=2)
    try:
        engine.load_arrow("registry", registry.drop("id").to_arrow())
        engine.load_arrow("enrolment", enrolment.to_arrow())
        comparison.run(
            engine,
            comparison.Settings.from_pack(
                settings.COUNTY_POLICY_PACK, as_of=as_of or dt.date.today()
            ),
            lambda n, total, label: step(2 + n, label),
        )
        found = pl.from_arrow(
            engine.arrow(
                "SELECT * FROM results ORDER BY category, area_code, registry_row, enrolment_row"
            )
        )
    finally:
        engine.close()
    results = _results_frame(found, registry.select("id"), job.area_code)
    summary, by_town = _counts(results)
    with transaction.atomic():
        _store_results(job.pk, results)
        _update_enrolment_status(results)
        ComparisonJob.objects.filter(pk=job.pk).update(
            state=JobState.DONE,
            step=job.steps,
            step_label="完成",
            summary=summary,
            by_township=by_town,
            registry_rows=registry.height,
            enrolment_rows=enrolment.height,
            finished_at=timezone.now(),
            seconds=round(time.monotonic() - started, 2),
        )
    job.refresh_from_db()
    return summary


def _text(column: str, width: int | None = None) -> pl.Expr:
    """A result column as stored: empty for none, cut to the field's width."""
    expr = pl.col(column).fill_null("")
    return (expr.str.slice(0, width) if width else expr).alias(column)


def _results_frame(found: pl.DataFrame, ids: pl.DataFrame, area_code: str) -> pl.DataFrame:
    """The pipeline's findings as `ComparisonResult` columns (attnames), in the order found:
    registry_row → person id by a join on the row number, the village code padded to 12 digits
    (the registry's, else the enrolment row's), findings outside the job's area dropped."""
    numbered = ids.with_row_index("registry_row", offset=1).select(
        pl.col("registry_row").cast(pl.Int64), pl.col("id").alias("person_id")
    )
    own = pl.when(pl.col("area_code").fill_null("") != "").then(pl.col("area_code"))
    frame = (
        found.with_columns(pl.col("registry_row").cast(pl.Int64))
        .join(numbered, on="registry_row", how="left", maintain_order="left")
        .with_columns(
            own.otherwise(pl.col("enrol_area_code"))
            .fill_null("")
            .str.pad_end(12, "0")
            .str.slice(0, 12)
            .alias("village_code")
        )
    )
    if area_code:
        frame = frame.filter(pl.col("village_code").str.starts_with(area_code))
    return frame.select(
        pl.col("category"),
        _text("insurance"),
        pl.col("village_code"),
        pl.col("person_id"),
        _text("id_number"),
        _text("name", 50),
        _text("enrol_id_number", 24),
        _text("enrol_name", 50),
        _text("enrol_area_code", 12),
        pl.col("score").cast(pl.Float64),
        _text("detail", 200),
        pl.when(pl.col("category").is_in(REVIEWED))
        .then(pl.lit(str(Review.PENDING)))
        .otherwise(pl.lit(str(Review.NONE)))
        .alias("review"),
    )


def _counts(results: pl.DataFrame) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """(count per category, every category named; {township code: {category: count}})."""
    summary = dict.fromkeys(comparison.CATEGORIES, 0)
    for category, n in results.group_by("category").len().iter_rows():
        summary[category] += n
    by_town: dict[str, dict[str, int]] = {}
    towns = results.group_by(pl.col("village_code").str.slice(0, 9).alias("town"), "category")
    for town, category, n in towns.len().sort("town", "category").iter_rows():
        by_town.setdefault(town, {})[category] = n
    return summary, by_town


def _store_results(job_id: int, results: pl.DataFrame) -> None:
    """Insert the findings: one COPY on PostgreSQL, `bulk_create` elsewhere (SQLite)."""
    rows = results.with_columns(pl.lit(job_id, pl.Int64).alias("job_id"))
    if connection.vendor != "postgresql":
        ComparisonResult.objects.bulk_create(
            (ComparisonResult(**r) for r in rows.iter_rows(named=True)), batch_size=CHUNK
        )
        return
    if rows.is_empty():
        return
    fields = {f.attname: f.column for f in ComparisonResult._meta.concrete_fields}
    cols = ", ".join(connection.ops.quote_name(fields[c]) for c in rows.columns)
    table = connection.ops.quote_name(ComparisonResult._meta.db_table)
    buf = io.BytesIO()
    rows.write_csv(buf, include_header=False, null_value="\\N")
    with connection.cursor() as cur:
        with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT csv, NULL '\\N')") as copy:
            copy.write(buf.getvalue())


def _update_enrolment_status(results: pl.DataFrame) -> None:
    """Person.pension_status / medical_status from the exact findings: one UPDATE per scheme on
    PostgreSQL (from arrays of ids and statuses), a few chunked UPDATEs per status elsewhere. A
    person with two exact findings of one scheme gets the status whose group comes last in order
    of first appearance — the order the earlier per-status UPDATEs applied them in."""
    status_of = pl.DataFrame(
        {"category": list(ENROLMENT_OF), "status": [str(v) for v in ENROLMENT_OF.values()]}
    )
    exact = (
        results.with_row_index("at")
        .filter(pl.col("person_id").is_not_null() & pl.col("insurance").is_in(SCHEMES))
        .join(status_of, on="category", how="inner")
    )
    if exact.is_empty():
        return
    order = exact.group_by("insurance", "status").agg(pl.col("at").min().alias("group_at"))
    final = (
        exact.join(order, on=["insurance", "status"])
        .sort("group_at")
        .group_by("insurance", "person_id")
        .agg(pl.col("status").last())
    )
    table = connection.ops.quote_name(Person._meta.db_table)
    for insurance in SCHEMES:
        mine = final.filter(pl.col("insurance") == insurance)
        if mine.is_empty():
            continue
        column = connection.ops.quote_name(f"{insurance}_status")
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(
                    f"UPDATE {table} p SET {column} = v.status "
                    f"FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS status) v "
                    f"WHERE p.id = v.id",
                    [mine["person_id"].to_list(), mine["status"].to_list()],
                )
            continue
        for (status,), group in mine.group_by("status"):
            ids = group["person_id"].to_list()
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
