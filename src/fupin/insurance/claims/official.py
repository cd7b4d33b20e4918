"""按新身份重算某年: settle a stored year again officially, for the county or one township, when
the registry identity (低保/特困 periods, poverty status) or a 慢性病医疗证 changed after the
claims were stored.

Set-based, like the bench (`bench/claims.py`): the year is read in one COPY, each claim's
category and chronic class of its admission day are identified again from the registry and the
certificates as they now stand (`settle.identify_frame`: four reads and joins), the year is
settled on the column path under the county region by date (with the earlier claims a January
transfer's chain reaches back to, as stored: `store.chain_context`), and the split replaces the year's
official rows (`store.write_back`) together with the identity each was settled with: the new one
for the person-years where anything changed, the stored one elsewhere — one COPY and table swap,
no UPDATE of the wide claim rows. Claims whose identity or split changed are kept in
`OfficialChange` (before → after, fen); their person-years' trails (`ClaimTrail`) are deleted, and
a background fill (`trails.fill_trails_task`, queued
after commit) writes them again from the scalar path, each checked against the new split to the
fen. The run itself generates no trail: with every claim of a year changed it takes about what
it takes with none changed.

Concurrency: one queued or running re-settle per year (a partial unique constraint: a second is
refused in Chinese). On PostgreSQL the run takes `ClaimSplit` in SHARE ROW EXCLUSIVE mode
before it reads, so re-settles of different years, and imports writing splits, wait for each
other instead of overwriting; readers go on until the table swap.
"""

from __future__ import annotations

import time

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.http import HttpRequest
from django.utils import timezone
from django_tasks import task

from fupin import liveness
from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import (
    OutOfScope,
    acting_user,
    home_area_code,
    require_area,
    require_writer,
    scoped,
)
from fupin.bounds import BoundsError, parse_year
from fupin.policy import ClaimsError, PackError
from fupin.policy.regions import Policy

from . import runjob, settle, store, trails
from .models import (
    ClaimSplit,
    MedicalClaim,
    OfficialResettlement,
    RunState,
    VisitType,
)

LIVENESS = "insurance.officialresettlement"
ABANDONED = "重算进程意外退出（如内存耗尽或进程被终止），本次重算已停止，正式结算保持重算前的样子：可重新发起。"
PART_COLUMNS = store.RESULT_COLUMNS
LISTED = 10  # claims named in a refusal


class OfficialResettleError(ValueError):
    """A re-settle that cannot start or finish; Chinese message."""


def start(
    *,
    user: User,
    year: int | str,
    area_code: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> OfficialResettlement:
    """发起按新身份重算: checked, audited, queued once the run row is committed."""
    require_writer(user)
    try:
        year = parse_year(year)
    except BoundsError as exc:
        raise OfficialResettleError(str(exc)) from exc
    area_code = (area_code or "").strip() or home_area_code(user)
    if not area_code.isdigit() or len(area_code) not in (6, 9):
        raise OfficialResettleError("范围应为全县或一个乡镇")
    require_area(user, area_code)
    claims = scoped(
        MedicalClaim.objects.filter(year=year, village_code__startswith=area_code), user
    )
    if not claims.exists():
        raise OfficialResettleError(f"该范围内 {year} 年度没有已入库的结算单，无需重算")
    try:
        with transaction.atomic():
            run = OfficialResettlement.objects.create(year=year, area_code=area_code, note=str(note)[:200],
                                                      created_by=user, step="排队等待")  # fmt: skip
            record(AuditAction.CREATE, user=user, request=request, obj=run, area_code=area_code,
                   summary=f"发起 {year} 年度医疗费用按新身份重算（范围 {area_code}）")  # fmt: skip
    except IntegrityError as exc:
        raise OfficialResettleError(
            f"{year} 年度已有一次按新身份重算在排队或进行中：请等它完成后再发起"
        ) from exc
    transaction.on_commit(lambda: official_resettle_task.enqueue(run.pk, user.pk))
    return run


def execute(run: OfficialResettlement, *, user: User) -> dict:
    """Run the re-settle as `user`, holding the run's lock until its final state is written."""
    try:
        with liveness.holding(LIVENESS, run.pk):
            if run.state != RunState.QUEUED:
                return {}
            try:
                return _execute(run, user)
            except (ClaimsError, PackError, OfficialResettleError, PermissionDenied) as exc:
                fail(run.pk, f"重算未完成，正式结算未改动：{runjob.reason(exc)}")
                return {}
            except Exception as exc:
                fail(run.pk, f"重算失败，正式结算未改动：{runjob.reason(exc)}")
                raise
    except liveness.AlreadyRunning:
        return {}


class _Progress:
    """Progress written where a poll sees it: inside the run's transaction on PostgreSQL through
    a connection of its own (autocommit), so the page moves while the year is being written."""

    def __init__(self, pk: int):
        self.pk = pk
        self.own = None
        self.seconds: dict[str, float] = {}  # wall time of each step, for the bench
        self.step, self.since = "", time.perf_counter()

    def __call__(self, **fields) -> None:
        if "step" in fields:
            self.close_step()
            self.step = fields["step"]
        if connection.vendor != "postgresql" or not connection.in_atomic_block:
            OfficialResettlement.objects.filter(pk=self.pk).update(**fields)
            return
        if self.own is None:
            self.own = connections.create_connection(DEFAULT_DB_ALIAS)
        sets = ", ".join(f"{name} = %s" for name in fields)
        with self.own.cursor() as cur:
            cur.execute(f"UPDATE {OfficialResettlement._meta.db_table} SET {sets} WHERE id = %s",
                        [*fields.values(), self.pk])  # fmt: skip

    def close_step(self) -> None:
        now = time.perf_counter()
        if self.step:
            self.seconds[self.step] = self.seconds.get(self.step, 0.0) + now - self.since
        self.step, self.since = "", now

    def close(self) -> None:
        if self.own is not None:
            self.own.close()


def _execute(run: OfficialResettlement, user: User) -> dict:
    require_area(user, run.area_code)
    progress = _Progress(run.pk)
    progress(state=RunState.RUNNING, step="等待其他结算写入完成")
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute(
                        f"LOCK TABLE {ClaimSplit._meta.db_table} IN SHARE ROW EXCLUSIVE MODE"
                    )
            out = _resettle(run, user, progress)
    finally:
        progress.close()
    return out


def _resettle(run: OfficialResettlement, user: User, progress: _Progress) -> dict:
    progress(step="读取结算单")
    frame = store.read_year(run.year, run.area_code)
    progress(rows_total=frame.height, step="按入院当日身份重新识别人员类别和慢性病类别")
    frame, old_identity = _identify(frame)
    progress(rows_done=frame.height // 3, step="按县政策计算")
    policy = settle.county_policy()
    # 转院 across the New Year: the earlier claims a January transfer continues, as stored (their
    # recorded identity, as the trail fill settles them), settled along and not written.
    results, skipped = store.settle_stored(frame, policy, store.chain_context(frame))
    if skipped:
        left = frame.join(results.select("id"), on="id", how="anti")
        names = "、".join(left["claim_no"].head(LISTED).to_list())
        raise OfficialResettleError(
            f"{skipped} 笔结算单不能按县政策结算（如 {names}）：入院日期不在县政策期间内"
        )
    progress(rows_done=2 * frame.height // 3, step="对比重算前后")
    changes = _changes(run, old_identity, results)
    progress(step="写回正式结算（分担和身份）")
    results = _settled_with(frame, results, old_identity, changes, policy)
    store.write_back(run.year, results, run.area_code)
    progress(step="有变化人员年度的计算过程转入后台补写")
    changed = results.join(changes.select("person_id").unique(), on="person_id", how="semi")
    store.delete_trails(changed["id"])
    progress(step="记录变化明细")
    store.write_changes(run.pk, changes)
    progress.close_step()
    n = changes.height
    if n:  # the deleted trails are written again in the background, checked against the split
        trails.queue_fill(user=user, area_code=run.area_code, year=run.year, official_run=run)
    message = (
        f"重算 {frame.height} 笔，其中 {n} 笔人员类别、慢性病类别或分担有变化"
        if n
        else f"重算 {frame.height} 笔，均无变化"
    )
    OfficialResettlement.objects.filter(pk=run.pk).update(
        state=RunState.DONE,
        step="",
        rows_total=frame.height,
        rows_done=frame.height,
        changed=n,
        message=message,
        finished_at=timezone.now(),
    )
    record(AuditAction.UPDATE, user=user, obj=run, area_code=run.area_code,
           summary=f"{run.year} 年度医疗费用按新身份重算完成（范围 {run.area_code}）：{message}")  # fmt: skip
    return {"claims": frame.height, "changed": n, "seconds": dict(progress.seconds)}


def _identify(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The frame with each claim's category (and its basis) and chronic class of its day as they
    now stand, and the stored identity (id and `store.IDENTITY_COLUMNS`) beside. A
    chronic-outpatient claim whose person has no valid certificate that day any more is refused,
    named."""
    old = frame.select("id", *store.IDENTITY_COLUMNS)
    identity = settle.identify_frame(frame.select("person_id", "admission_date"))
    frame = frame.drop("category", "category_basis", "chronic_class").join(
        identity, on=["person_id", "admission_date"], how="left", maintain_order="left"
    )
    frame = frame.with_columns(
        pl.when(pl.col("visit_type") == VisitType.CHRONIC)
        .then(pl.col("chronic_class"))
        .otherwise(pl.lit(""))
        .alias("chronic_class"),
        pl.col("category_basis").str.slice(0, 200),
    )
    lost = frame.filter(
        (pl.col("visit_type") == VisitType.CHRONIC) & (pl.col("chronic_class") == "")
    )
    if lost.height:
        names = "、".join(lost["claim_no"].head(LISTED).to_list())
        raise OfficialResettleError(
            f"{lost.height} 笔门诊慢性病结算单的人员入院当日已无有效慢性病医疗证（如 {names}）："
            "请核实医疗证记录后再重算"
        )
    return frame, old


def _settled_with(
    frame: pl.DataFrame,
    results: pl.DataFrame,
    old: pl.DataFrame,
    changes: pl.DataFrame,
    policy: Policy,
) -> pl.DataFrame:
    """`results` with the identity each claim is written back with: for the person-years where
    anything changed, the identity of the day as now identified under `policy` (its id, the
    period of the day, settled now); elsewhere the stored identity, untouched (their trails stay
    valid)."""
    days = frame.select("id", "admission_date")
    periods = settle.period_texts(policy, days["admission_date"].unique().to_list())
    now = store.settled_text(timezone.now())
    changed = pl.col("person_id").is_in(changes["person_id"].unique().implode())
    new = {
        "policy": pl.lit(policy.id, pl.String),
        "period": pl.col("admission_date").replace_strict(periods, return_dtype=pl.String),
        "category": pl.col("category"),
        "category_basis": pl.col("category_basis"),
        "chronic_class": pl.col("chronic_class").fill_null(""),
        "settled_at": pl.lit(now, pl.String),
    }
    stored = old.rename({c: f"old_{c}" for c in store.IDENTITY_COLUMNS})
    joined = results.join(days, on="id", how="left", maintain_order="left")
    return joined.join(stored, on="id", how="left", maintain_order="left").select(
        "id", "person_id", "village_code", *PART_COLUMNS,
        *(pl.when(changed).then(e).otherwise(pl.col(f"old_{c}")).alias(c) for c, e in new.items()),
    )  # fmt: skip


def _changes(
    run: OfficialResettlement, old_identity: pl.DataFrame, results: pl.DataFrame
) -> pl.DataFrame:
    """The claims whose identity or any part changed: one row per claim, OfficialChange's columns."""
    old_rows = list(
        ClaimSplit.objects.filter(year=run.year, village_code__startswith=run.area_code)
        .values_list("claim_id", *PART_COLUMNS)
        .iterator(chunk_size=20_000)
    )
    old_split = pl.DataFrame(
        old_rows,
        schema={"id": pl.Int64, **{f"old_{c}": pl.Int64 for c in PART_COLUMNS}},
        orient="row",
    )
    # `results` carry the identity each claim was settled with now.
    joined = results.join(old_split, on="id", how="left").join(
        old_identity.select("id", old_category="category", old_chronic_class="chronic_class"),
        on="id",
    )
    differs = pl.any_horizontal(
        pl.col("category") != pl.col("old_category"),
        pl.col("chronic_class").fill_null("") != pl.col("old_chronic_class").fill_null(""),
        *(pl.col(c) != pl.col(f"old_{c}").fill_null(-1) for c in PART_COLUMNS),
    )
    return joined.filter(differs).select(
        pl.col("id").alias("claim_id"),
        "person_id",
        "village_code",
        "old_category",
        pl.col("category").alias("new_category"),
        pl.col("old_chronic_class").fill_null(""),
        pl.col("chronic_class").fill_null("").alias("new_chronic_class"),
        *(pl.col(f"old_{c}").fill_null(0) for c in PART_COLUMNS),
        *PART_COLUMNS,
    )


def fail(run_id: int, message: str) -> None:
    runjob.fail(OfficialResettlement, run_id, message, step="")


def recover_abandoned(run: OfficialResettlement) -> bool:
    """A run left "running" by a dead process → failed with the reason; True if it was."""
    return runjob.recover_abandoned(OfficialResettlement, LIVENESS, run, ABANDONED, step="")


# The job the start above queues after commit, acting for the user who started it; defined here,
# beside the code it runs, and listed in `tasks` for the worker.
@task()
def official_resettle_task(run_id: int, user_id: int) -> dict:
    run = OfficialResettlement.objects.get(pk=run_id)
    try:
        user = acting_user(user_id, run.area_code)
    except OutOfScope as exc:
        fail(run_id, f"不能重算：{exc}")
        return {}
    return execute(run, user=user)
