"""Writes of 资金发放: each step of a batch is one transaction, holds the batch's row lock,
checks who may take it (maker–checker) and is audited.

prepared (township, or the county/agency for the county) → reviewed by another person →
approved by the county (not the preparer, not the reviewer) → exported → paid (reference) →
reconciled against the return file, every difference resolved with a reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.http import HttpRequest
from django.utils import timezone

from fupin import bounds
from fupin.access.audit import record
from fupin.access.models import AuditAction, Role, User
from fupin.access.scope import OutOfScope, area_code_of, get_scoped, require_area, require_writer
from fupin.areas.models import Area, Level, village_code_range
from fupin.policy.params import fen_to_yuan

from . import providers
from .models import (
    NEXT,
    RESOLUTIONS,
    Batch,
    BatchLine,
    BatchState,
    Difference,
    LineStatus,
    Resolution,
)

CHUNK = 5000
# Roles that take part in a batch at all (a village assistant and the read-only roles do not).
STAFF_ROLES = {Role.ADMIN, Role.COUNTY, Role.INSURANCE, Role.TOWNSHIP}
# County-level roles: approve, export, register payment, reconcile.
COUNTY_ROLES = {Role.ADMIN, Role.COUNTY, Role.INSURANCE}
APPROVER_ROLES = {Role.ADMIN, Role.COUNTY}


class PaymentError(ValueError):
    """A refused step; the message is Chinese and nothing has changed."""


# A background job's progress: (step number, step name, rows done, rows in the step; 0 = unknown).
Progress = Callable[[int, str, int, int], None]


def no_progress(step: int, label: str, done: int, total: int) -> None:
    pass


def _county_level(user: User) -> bool:
    try:
        code = area_code_of(user)
    except OutOfScope:
        return False
    return code is None or len(code) <= 6


def _require_staff(user: User, what: str) -> None:
    require_writer(user)
    if user.role not in STAFF_ROLES:
        raise PaymentError(f"{user.get_role_display()}不能{what}")


def _require_county(user: User, what: str, roles: Collection[str] = COUNTY_ROLES) -> None:
    require_writer(user)
    if user.role not in roles or not _county_level(user):
        raise PaymentError(
            f"{what}须由县级{'人社局' if roles is APPROVER_ROLES else '人社局或社保经办机构'}办理"
        )


def area_of_batch(code: str) -> Area:
    """The township or county a batch is prepared for, from its code (6 or 9 digits, or padded to 12)."""
    text = (code or "").strip()
    candidates = []
    if text.isdigit() and len(text) in (6, 9):
        candidates = [text]
    elif text.isdigit() and len(text) == 12:
        candidates = [
            c for c, tail in ((text[:9], text[9:]), (text[:6], text[6:])) if set(tail) == {"0"}
        ]
    area = (
        Area.objects.filter(code__in=candidates, level__in=[Level.TOWNSHIP, Level.COUNTY])
        .order_by("-level")
        .first()
    )
    if area is None:
        raise PaymentError(f"发放区划应为本县乡镇或县的代码，填写的是“{text[:20]}”")
    return area


def _locked(user: User, batch_id: int, version: int | None) -> Batch:
    """The batch, row-locked, if the user sees it; refused if someone changed it since `version`."""
    get_scoped(Batch.objects.all(), user, pk=batch_id)  # 404 outside the user's area
    batch = Batch.objects.select_for_update().get(pk=batch_id)
    if version is not None and version != batch.version:
        raise PaymentError("该批次已被他人处理，请刷新页面后重试")
    return batch


def _step(batch: Batch, step: str) -> None:
    allowed, _ = NEXT[step]
    if batch.state not in allowed:
        if step == "cancel" and batch.state != BatchState.CANCELLED:
            raise PaymentError(f"批次已审批，不能再修改（当前状态：{batch.get_state_display()}）")
        raise PaymentError(f"批次当前状态为“{batch.get_state_display()}”，不能{STEP_NAMES[step]}")


STEP_NAMES = {
    "review": "复核",
    "approve": "审批",
    "export": "导出",
    "pay": "登记支付",
    "cancel": "作废",
}


def _advance(batch: Batch, state: str, **fields) -> None:
    for k, v in fields.items():
        setattr(batch, k, v)
    batch.state = state
    batch.version += 1
    batch.save(update_fields=["state", "version", *fields])


def _audit(
    action: AuditAction,
    *,
    user: User,
    request: HttpRequest | None,
    batch: Batch,
    summary: str,
    changes: dict | None = None,
) -> None:
    record(
        action,
        user=user,
        request=request,
        obj=batch,
        summary=f"发放批次 {batch.pk}（{providers.kind_name(batch.kind)} "
        f"{providers.period_label(batch.period)}）{summary}",
        changes=changes,
    )


def refresh_totals(batch: Batch) -> None:
    """Count and sum the batch's live lines, in all and per township (one query)."""
    rows = (
        BatchLine.objects.filter(batch=batch, live=True)
        .annotate(town=Substr("village_code", 1, 9))
        .values("town")
        .annotate(n=Count("id"), fen=Sum("amount_fen"))
        .order_by("town")
    )
    towns = {r["town"]: [r["n"], int(r["fen"] or 0)] for r in rows}
    batch.town_totals = towns
    batch.line_count = sum(n for n, _ in towns.values())
    batch.total_fen = sum(f for _, f in towns.values())


# -- prepare ------------------------------------------------------------------------------------
def _check_line(
    line: providers.EntitlementLine, kind: providers.Kind, period: str, low: str, high: str
) -> None:
    where = f"发放项目“{kind.name}”的明细（人员 {line.person_id}）"
    if line.kind != kind.code:
        raise PaymentError(f"{where}属于其他发放项目，未编制")
    if line.period not in (period, providers.ONCE):
        raise PaymentError(f"{where}期间为 {line.period}，不是本批次的 {period}，未编制")
    if (
        isinstance(line.amount_fen, bool)
        or not isinstance(line.amount_fen, int)
        or not 0 < line.amount_fen <= bounds.MAX_FEN
    ):
        raise PaymentError(f"{where}金额 {line.amount_fen} 分无效，未编制")
    if not low <= line.village_code <= high or len(line.village_code) != 12:
        raise PaymentError(f"{where}不在本批次区划内，未编制")


STAGED = (
    "person_id",
    "village_code",
    "period",
    "item",
    "amount_fen",
    "rule",
    "source",
    "payee_name",
    "payee_code",
    "note",
)


def _insert_lines(batch: Batch, rows: list[tuple], progress: Progress = no_progress) -> None:
    """Insert the lines; one whose entitlement another batch took meanwhile is skipped (the unique
    index decides: two batches prepared at once cannot both take it). PostgreSQL: COPY into a
    staging table, then one INSERT … SELECT … ON CONFLICT DO NOTHING (set-based); elsewhere the ORM."""
    if connection.vendor != "postgresql":
        for start in range(0, len(rows), CHUNK):
            BatchLine.objects.bulk_create(
                [
                    BatchLine(batch=batch, kind=batch.kind, **dict(zip(STAGED, r, strict=True)))
                    for r in rows[start : start + CHUNK]
                ],
                ignore_conflicts=True,
            )
            progress(3, "写入明细", min(start + CHUNK, len(rows)), len(rows))
        return
    cols = ", ".join(STAGED)
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE payline_stage (person_id bigint, "
            "village_code varchar(12), period varchar(10), item varchar(60), "
            "amount_fen bigint, rule varchar(120), source text, payee_name varchar(100), "
            "payee_code varchar(18), note varchar(200)) "
            "ON COMMIT DROP"
        )
        with cur.cursor.copy(f"COPY payline_stage ({cols}) FROM STDIN") as copy:
            for n, r in enumerate(rows, start=1):
                copy.write_row(r)
                if n % CHUNK == 0:
                    progress(3, "写入明细", n, len(rows))
        cur.execute(
            f"INSERT INTO payments_batchline (batch_id, kind, {cols}, status, live, status_reason) "
            f"SELECT %s, %s, {cols}, %s, true, '' FROM payline_stage ON CONFLICT DO NOTHING",
            [batch.pk, batch.kind, LineStatus.PENDING],
        )
        cur.execute("DROP TABLE payline_stage")


def check_prepare(
    *, user: User, kind: str, period: str, area_code: str, note: str = ""
) -> tuple[providers.Kind, str, Area]:
    """What `prepare` checks before reading any entitlement: (kind, period, area), or PaymentError."""
    _require_staff(user, "编制发放批次")
    try:
        k = providers.get_kind(kind)
        period = providers.check_period(k, period)
    except (providers.KindError, providers.PeriodError) as exc:
        raise PaymentError(str(exc)) from None
    area = area_of_batch(area_code)
    try:
        require_area(user, area.code)
    except OutOfScope:
        raise PaymentError(f"{area.name}不在本辖区，不能为其编制发放批次") from None
    if area.level == Level.COUNTY and not _county_level(user):
        raise PaymentError("全县的发放批次须由县级人社局或社保经办机构编制")
    if len(note) > 200:
        raise PaymentError("说明最多 200 个字")
    return k, period, area


def prepare(
    *,
    user: User,
    kind: str,
    period: str,
    area_code: str,
    note: str = "",
    request: HttpRequest | None = None,
    progress: Progress = no_progress,
) -> Batch:
    """编制发放批次: the kind's provider lists the entitlements of the period in the area; each one
    not already in a live line of another batch becomes a line. Refused if none is left.
    `progress` hears the four steps: 读取应发明细, 核对, 写入明细 (rows of total), 合计."""
    k, period, area = check_prepare(
        user=user, kind=kind, period=period, area_code=area_code, note=note
    )
    low, high = village_code_range(area.code)
    progress(1, "读取应发明细", 0, 0)
    entitlements = []
    for line in k.lines(user=user, period=period, area_code=area.code):
        _check_line(line, k, period, low, high)
        entitlements.append(line)
        if len(entitlements) % CHUNK == 0:
            progress(1, "读取应发明细", len(entitlements), 0)
    progress(2, "核对是否已在其他发放批次", 0, len(entitlements))
    with transaction.atomic():
        batch = Batch.objects.create(
            kind=k.code, period=period, area_code=area.code.ljust(12, "0"), preparer=user, note=note
        )
        taken = set(
            BatchLine.objects.filter(
                kind=k.code,
                live=True,
                village_code__range=(low, high),
                period__in=[period, providers.ONCE],
            ).values_list("person_id", "period", "item")
        )
        fresh, seen = [], set()
        for e in entitlements:
            key = (e.person_id, e.period, e.item)
            if key in taken or key in seen:
                continue
            seen.add(key)
            fresh.append(
                (
                    e.person_id,
                    e.village_code,
                    e.period,
                    e.item[:60],
                    e.amount_fen,
                    e.rule[:120],
                    e.source,
                    e.payee_name[:100],
                    e.payee_code[:18],
                    e.note[:200],
                )
            )
        progress(3, "写入明细", 0, len(fresh))
        _insert_lines(batch, fresh, progress)
        progress(4, "按乡镇合计", 0, 0)
        refresh_totals(batch)
        if batch.line_count == 0:
            transaction.set_rollback(True)
            already = f"，其中 {len(entitlements)} 条已在其他发放批次中" if entitlements else ""
            raise PaymentError(
                f"{area.name}{providers.period_label(period)}没有待发放的“{k.name}”{already}，未编制批次"
            )
        batch.save(update_fields=["line_count", "total_fen", "town_totals"])
        _audit(
            AuditAction.CREATE,
            user=user,
            request=request,
            batch=batch,
            summary=f"编制：{area.name}，{batch.line_count} 人次，{fen_to_yuan(batch.total_fen)} 元",
        )
    return batch


# -- maker–checker --------------------------------------------------------------------------------
@transaction.atomic
def review(
    *, user: User, batch_id: int, version: int | None = None, request: HttpRequest | None = None
) -> Batch:
    """复核: by anyone of the batch's area but its preparer."""
    _require_staff(user, "复核发放批次")
    batch = _locked(user, batch_id, version)
    _step(batch, "review")
    if batch.preparer_id == user.pk:
        raise PaymentError("编制人不能复核本人编制的批次，须由另一名工作人员复核")
    _advance(batch, BatchState.REVIEWED, reviewer=user, reviewed_at=timezone.now())
    _audit(
        AuditAction.DECISION,
        user=user,
        request=request,
        batch=batch,
        summary="复核通过",
        changes={"state": [BatchState.PREPARED, BatchState.REVIEWED]},
    )
    return batch


@transaction.atomic
def approve(
    *, user: User, batch_id: int, version: int | None = None, request: HttpRequest | None = None
) -> Batch:
    """审批: by the county, never by the batch's preparer or reviewer. Lines are not touched."""
    _require_county(user, "审批发放批次", APPROVER_ROLES)
    batch = _locked(user, batch_id, version)
    _step(batch, "approve")
    if batch.preparer_id == user.pk:
        raise PaymentError("编制人不能审批本人编制的批次")
    if batch.reviewer_id == user.pk:
        raise PaymentError("复核人不能再审批同一批次，须由另一名县级工作人员审批")
    _advance(batch, BatchState.APPROVED, approver=user, approved_at=timezone.now())
    _audit(
        AuditAction.DECISION,
        user=user,
        request=request,
        batch=batch,
        summary=f"审批通过：{batch.line_count} 人次，{fen_to_yuan(batch.total_fen)} 元",
        changes={"state": [BatchState.REVIEWED, BatchState.APPROVED]},
    )
    return batch


def _editable(batch: Batch) -> None:
    if batch.state == BatchState.PREPARED:
        return
    if batch.state == BatchState.REVIEWED:
        raise PaymentError("批次已复核，不能再修改；如需修改，请作废后重新编制")
    if batch.state == BatchState.CANCELLED:
        raise PaymentError("批次已作废，不能修改")
    raise PaymentError(f"批次已审批，不能再修改（当前状态：{batch.get_state_display()}）")


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError(f"请填写{what}")
    if len(reason) > 200:
        raise PaymentError(f"{what}最多 200 个字，填写了 {len(reason)} 个字")
    return reason


@transaction.atomic
def remove_line(
    *,
    user: User,
    batch_id: int,
    line_id: int,
    reason: str,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Batch:
    """剔除明细 before review: the entitlement is free again for a later batch."""
    _require_staff(user, "修改发放批次")
    reason = _reason(reason, "剔除原因")
    batch = _locked(user, batch_id, version)
    _editable(batch)
    line = (
        BatchLine.objects.filter(batch=batch, pk=line_id, live=True)
        .select_related("person")
        .first()
    )
    if line is None:
        raise PaymentError("本批次没有这条明细，或已剔除")
    line.live, line.status, line.status_reason = False, LineStatus.REMOVED, reason
    line.save(update_fields=["live", "status", "status_reason"])
    refresh_totals(batch)
    if batch.line_count == 0:
        raise PaymentError("不能剔除批次的最后一条明细；如不再发放，请作废批次")
    batch.version += 1
    batch.save(update_fields=["line_count", "total_fen", "town_totals", "version"])
    _audit(
        AuditAction.UPDATE,
        user=user,
        request=request,
        batch=batch,
        summary=f"剔除明细 {line.pk}（{line.person.name}，{fen_to_yuan(line.amount_fen)} 元）：{reason}",
    )
    return batch


@transaction.atomic
def cancel(
    *,
    user: User,
    batch_id: int,
    reason: str,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Batch:
    """作废 before approval: its entitlements are free again."""
    _require_staff(user, "作废发放批次")
    reason = _reason(reason, "作废原因")
    batch = _locked(user, batch_id, version)
    _step(batch, "cancel")
    BatchLine.objects.filter(batch=batch, live=True).update(live=False)
    old = batch.state
    _advance(batch, BatchState.CANCELLED, cancel_reason=reason)
    _audit(
        AuditAction.STATUS,
        user=user,
        request=request,
        batch=batch,
        summary=f"作废：{reason}",
        changes={"state": [old, BatchState.CANCELLED]},
    )
    return batch


# -- export and payment -----------------------------------------------------------------------------
@transaction.atomic
def mark_exported(*, user: User, batch_id: int, request: HttpRequest | None = None) -> Batch:
    """The export of the payment file (bank CSV or agency xlsx): full ID numbers, so only for who may see them."""
    _require_county(user, "导出发放文件")
    if not user.may_unmask:
        raise PaymentError("发放文件含完整身份证号，须有查看完整身份证号权限的县级工作人员导出")
    batch = _locked(user, batch_id, None)
    _step(batch, "export")
    if batch.state == BatchState.APPROVED:
        _advance(batch, BatchState.EXPORTED, exported_at=timezone.now())
    return batch


@transaction.atomic
def mark_paid(
    *,
    user: User,
    batch_id: int,
    reference: str,
    paid_on: dt.date,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Batch:
    """登记支付: the bank's or agency's reference of the transfer."""
    _require_county(user, "登记支付")
    reference = (reference or "").strip()
    if not reference:
        raise PaymentError("请填写支付凭证号（银行代发或经办机构业务流水号）")
    if len(reference) > 60:
        raise PaymentError("支付凭证号最多 60 个字")
    try:
        bounds.check_date(paid_on, "支付日期")
    except bounds.BoundsError as exc:
        raise PaymentError(str(exc)) from None
    if paid_on > timezone.localdate():
        raise PaymentError(f"支付日期 {paid_on.isoformat()} 晚于今天，不能登记")
    batch = _locked(user, batch_id, version)
    _step(batch, "pay")
    if batch.approved_at and paid_on < timezone.localtime(batch.approved_at).date():
        raise PaymentError("支付日期早于审批日期，不能登记")
    _advance(
        batch, BatchState.PAID, paid_at=timezone.now(), paid_on=paid_on, paid_reference=reference
    )
    _audit(
        AuditAction.STATUS,
        user=user,
        request=request,
        batch=batch,
        summary=f"登记已支付：凭证号 {reference}，{paid_on.isoformat()}",
        changes={"state": [BatchState.EXPORTED, BatchState.PAID]},
    )
    return batch


# -- reconciliation --------------------------------------------------------------------------------
RESOLUTION_EFFECT = {
    Resolution.CONFIRMED_PAID: (LineStatus.PAID, True),
    Resolution.ACCEPT_RETURNED: (LineStatus.PAID, True),
    Resolution.REISSUE: (LineStatus.REISSUE, False),  # free again: a later batch pays it
    Resolution.VOID: (LineStatus.VOID, True),  # stays taken: never paid
}


def _close_if_done(batch: Batch) -> None:
    if not Difference.objects.filter(batch=batch, resolution="").exists():
        batch.state = BatchState.RECONCILED
        batch.reconciled_at = timezone.now()
        batch.version += 1
        batch.save(update_fields=["state", "reconciled_at", "version"])


@transaction.atomic
def resolve(
    *,
    user: User,
    difference_id: int,
    resolution: str,
    reason: str,
    request: HttpRequest | None = None,
) -> Difference:
    """处理对账差异 with a reason; the batch is reconciled when no difference is open."""
    _require_county(user, "处理对账差异")
    reason = _reason(reason, "处理理由")
    diff = get_scoped(Difference.objects.all(), user, pk=difference_id)
    batch = _locked(user, diff.batch_id, None)
    diff = Difference.objects.select_for_update().get(pk=difference_id)
    if diff.resolution:
        raise PaymentError(
            f"该差异已于 {timezone.localtime(diff.resolved_at):%Y-%m-%d %H:%M} 处理（{diff.get_resolution_display()}）"
        )
    allowed = RESOLUTIONS[diff.kind]
    if resolution not in allowed:
        names = "、".join(Resolution(r).label for r in allowed)
        raise PaymentError(f"“{diff.get_kind_display()}”只能这样处理：{names}")
    diff.resolution, diff.reason, diff.resolved_by, diff.resolved_at = (
        resolution,
        reason,
        user,
        timezone.now(),
    )
    diff.save(update_fields=["resolution", "reason", "resolved_by", "resolved_at"])
    if diff.line_id and resolution in RESOLUTION_EFFECT:
        status, live = RESOLUTION_EFFECT[resolution]
        BatchLine.objects.filter(pk=diff.line_id).update(
            status=status, live=live, status_reason=reason[:200]
        )
    record(
        AuditAction.DECISION,
        user=user,
        request=request,
        obj=diff,
        summary=f"发放批次 {batch.pk} 对账差异 {diff.pk}（{diff.get_kind_display()}）"
        f"处理为“{diff.get_resolution_display()}”：{reason}",
    )
    _close_if_done(batch)
    return diff


def open_differences(batch: Batch) -> Iterable[Difference]:
    return Difference.objects.filter(batch=batch, resolution="")
