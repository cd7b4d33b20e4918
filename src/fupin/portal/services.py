"""Writes of the portal: resident requests (居民申请) and their handling by the township, assisted-service
sessions (代办). Keyword arguments, one transaction each, audited."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from fupin.access.audit import record
from fupin.access.models import AuditAction
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


def file_request(request, *, kind: str, detail: dict, note: str = "") -> ResidentRequest:
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


def handle_request(*, user, row: ResidentRequest, status: str, answer: str, request=None):
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
