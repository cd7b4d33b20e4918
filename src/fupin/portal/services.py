"""Writes of the portal: resident requests (居民申请) and their handling by the township, assisted-service
sessions (代办). Keyword arguments, one transaction each, audited."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import require_area, require_writer

from . import audit, rules
from .models import OPEN_STATUSES, RequestKind, RequestStatus, ResidentRequest


class RequestRefused(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


def today() -> dt.date:
    return timezone.localdate()


def file_request(
    request: HttpRequest, *, kind: str, detail: dict, note: str = ""
) -> ResidentRequest:
    """The resident (or the assistant for them) asks for something: a task for the township with the
    pack's deadline. One open request of a kind per person (a second one is refused, not duplicated)."""
    if kind not in RequestKind.values:
        raise RequestRefused("申请事项不存在")
    person = request.resident
    days = rules.rules().request_days
    if kind not in days.value:
        raise RequestRefused(
            f"本县政策包未规定“{RequestKind(kind).label}”的办理时限，暂不能在线申请"
        )
    existing = ResidentRequest.objects.filter(
        person=person, kind=kind, status__in=OPEN_STATUSES
    ).first()
    if existing is not None:
        raise RequestRefused(
            f"您已有一件未办结的“{existing.get_kind_display()}”（{existing.created_at:%Y-%m-%d} 提交），"
            "请等待乡镇办理，不必重复提交"
        )
    try:
        with transaction.atomic():
            row = ResidentRequest.objects.create(
                person=person,
                village_code=person.village_code,
                kind=kind,
                detail=detail,
                note=note[:300],
                due_on=today() + dt.timedelta(days=days.value[kind]),
                rule=rules.rule_name("request_days"),
                assistance_id=request.assistance,
            )
            audit.changed(
                request,
                f"提交申请：{row.get_kind_display()}",
                obj=row,
                created=True,
                changes={k: [None, v] for k, v in detail.items()},
            )
    except IntegrityError:  # the same request submitted twice at the same moment
        raise RequestRefused("您已提交过这项申请，请等待乡镇办理，不必重复提交") from None
    return row


HANDLING = {
    RequestStatus.OPEN: {RequestStatus.IN_PROGRESS, RequestStatus.DONE, RequestStatus.REFUSED},
    RequestStatus.IN_PROGRESS: {RequestStatus.DONE, RequestStatus.REFUSED},
    RequestStatus.DONE: set(),
    RequestStatus.REFUSED: set(),
}


def handle_request(
    *,
    user: User,
    row: ResidentRequest,
    status: str,
    answer: str,
    request: HttpRequest | None = None,
) -> ResidentRequest:
    """The township works on a request: 办理中, then 已办结 or 不予办理 (with an answer the resident reads)."""
    require_writer(user)
    require_area(user, row.village_code)
    answer = (answer or "").strip()
    if status not in RequestStatus.values:
        raise RequestRefused("办理状态：请选择办理中、已办结或不予办理", "status")
    with transaction.atomic():
        row = ResidentRequest.objects.select_for_update().get(pk=row.pk)
        if status not in HANDLING[row.status]:
            raise RequestRefused(
                f"办理状态：这件申请已是“{row.get_status_display()}”，不能改为“{RequestStatus(status).label}”",
                "status",
            )
        if status in (RequestStatus.DONE, RequestStatus.REFUSED) and not answer:
            raise RequestRefused("办理结果：办结或不予办理时请写明结果，居民会看到", "answer")
        if len(answer) > 300:
            raise RequestRefused(f"办理结果：最多 300 字，现有 {len(answer)} 字", "answer")
        if status == RequestStatus.DONE:
            _carry_out(
                user, row, request
            )  # refused → the whole transaction, status too, rolls back
        old = (row.status, row.answer)
        row.status, row.answer = status, answer
        row.handled_by, row.handled_at = user, timezone.now()
        row.save(update_fields=["status", "answer", "handled_by", "handled_at"])
        record(
            AuditAction.STATUS,
            user=user,
            request=request,
            obj=row,
            summary=f"办理居民申请：{row.get_kind_display()} → {row.get_status_display()}",
            changes={"status": [old[0], status], "answer": [old[1], answer]},
        )
    return row


def _carry_out(user: User, row: ResidentRequest, request: HttpRequest) -> None:
    """What 已办结 means for the kinds that change a record: the registry's phone, the pension's chosen
    tier — each through its own module's audited service, in the caller's transaction."""
    detail = row.detail or {}
    why = f"居民申请 {row.pk}（{row.created_at:%Y-%m-%d} 提交）已办结"
    if row.kind == RequestKind.PHONE:
        from fupin.registry.services import change_phone

        from .otp import LoginRefused, clean_phone

        try:
            raw = detail.get("phone")
            # the portal stores a string; anything else is not a number
            if not isinstance(raw, str):
                raise LoginRefused("")
            phone = clean_phone(raw)
        except LoginRefused:
            raise RequestRefused(
                f"新手机号码“{str(detail.get('phone') or '')[:20]}”不是有效的手机号（11 位，1 开头），"
                "不能办结，请选择不予办理",
                "status",
            ) from None
        change_phone(user=user, person_id=row.person_id, phone=phone, reason=why, request=request)
    elif row.kind == RequestKind.PENSION_TIER:
        from fupin.insurance.models import PensionRecord, PensionStatus
        from fupin.insurance.services import InsuranceError, update_pension

        from .pension import minimum_for

        year, tier = detail.get("year"), detail.get("tier_fen")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (year, tier)):
            raise RequestRefused("申请内容缺少年度或档次，不能办结，请选择不予办理", "status")
        min_fen, min_year = minimum_for(year)
        if tier < min_fen:
            raise RequestRefused(
                f"所选档次 {tier / 100:.2f} 元低于 {min_year} 年度政府代缴最低档次 "
                f"{min_fen / 100:.2f} 元，不能办结，请选择不予办理",
                "status",
            )
        record_ = PensionRecord.objects.filter(person_id=row.person_id).first()
        if record_ is not None and record_.status == PensionStatus.DRAWING:
            raise RequestRefused("该居民已领取养老保险待遇，不再缴费选档，请选择不予办理", "status")
        try:
            update_pension(
                user=user,
                person=row.person,
                reason=why,
                request=request,
                chosen_tier_fen=tier,
                chosen_year=year,
            )
        except InsuranceError as e:
            raise RequestRefused(f"养老保险记录：{e}", "status") from None
