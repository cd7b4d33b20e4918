"""Writes of 全民参保登记: a registry person's work-injury or unemployment enrolment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from fupin import bounds
from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import get_scoped, require_area, require_writer, scoped
from fupin.registry.models import Person

from . import selectors
from .models import (
    JobEnrolment,
    JobEnrolmentStatus,
    JobInsurance,
    MarkBatch,
    MarkBatchState,
    MarkChange,
    MarkOutcome,
)


class RegistrationError(ValueError):
    """A refused step, with its reason in Chinese."""


def _text(name: str, value: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    field = JobEnrolment._meta.get_field(name)
    if required and not value:
        raise RegistrationError(f"请填写{field.verbose_name}")
    try:
        return bounds.check_text(JobEnrolment, name, value)
    except bounds.BoundsError as exc:
        raise RegistrationError(str(exc)) from None


@transaction.atomic
def record_job_enrolment(
    *,
    user: User,
    person: Person,
    insurance: str,
    status: str,
    employer: str,
    project: str = "",
    since: dt.date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> JobEnrolment:
    """登记（或更新）一人一险的工伤/失业保险参保情况。"""
    require_writer(user)
    person = scoped(Person.objects.all(), user).filter(pk=person.pk).first()
    if person is None:
        raise RegistrationError("本辖区内没有这个人员")
    require_area(user, person.village_code)
    if insurance not in JobInsurance.values:
        raise RegistrationError("险种应为工伤保险或失业保险")
    if status not in JobEnrolmentStatus.values:
        raise RegistrationError("参保状态应为已参保、未参保或已停保")
    if since is not None:
        try:
            since = bounds.check_date(since, "起始日期")
        except bounds.BoundsError as exc:
            raise RegistrationError(str(exc)) from None
    obj = (
        JobEnrolment.objects.select_for_update().filter(person=person, insurance=insurance).first()
    )
    old = obj.get_status_display() if obj else "无"
    obj = obj or JobEnrolment(person=person, insurance=insurance)
    obj.village_code = person.village_code
    obj.status = status
    obj.employer = _text("employer", employer, required=True)
    obj.project = _text("project", project)
    obj.since = since
    obj.note = _text("note", note)
    obj.updated_by = user
    obj.save()
    record(
        AuditAction.UPDATE,
        user=user,
        request=request,
        obj=obj,
        summary=f"{obj.get_insurance_display()}参保登记：{person.name} {old} → {obj.get_status_display()}",
    )
    return obj


# -- 贫困人员标识回写（编制—复核） ---------------------------------------------------------------


@transaction.atomic
def prepare_marks(
    *, user: User, area_code: str, expected: int, note: str = "", request: HttpRequest | None = None
) -> MarkBatch:
    """编制标识调整单: every mark of the area out of step with the registry now, as the user saw it.

    `expected` is the number of adjustments the page showed: if the list changed since (an import, a
    status change, another batch confirmed), nothing is written. Nothing touches the enrolment
    records until another person confirms (`confirm_marks`)."""
    require_writer(user)
    require_area(user, area_code)
    note = _batch_text("note", note)
    found = selectors.marks(user, area_code)
    if len(found) != expected:
        raise RegistrationError(
            f"需调整的记录已变化（现有 {len(found)} 条，页面显示 {expected} 条），请刷新页面后重试"
        )
    if not found:
        raise RegistrationError("没有需要调整的贫困人员标识")
    batch = MarkBatch.objects.create(
        area_code=area_code, note=note, prepared_by=user, prepared_at=timezone.now()
    )
    MarkChange.objects.bulk_create(
        [
            MarkChange(
                batch=batch,
                village_code=m.record.village_code,
                id_number=m.record.id_number,
                name=m.record.name,
                insurance=m.record.insurance,
                action=m.action,
                reason=m.reason[:200],
            )
            for m in found
        ]
    )
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=batch,
        summary=f"编制贫困人员标识调整单 {batch.pk}：{len(found)} 条（{_counts(found)}）",
    )
    return batch


def _counts(found: Sequence) -> str:
    new = sum(1 for m in found if m.action == "new")
    return f"新增标识 {new} 条，取消标识 {len(found) - new} 条"


def _batch_text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise RegistrationError("说明应为文字")
    try:
        return bounds.check_text(MarkBatch, name, value.strip())
    except bounds.BoundsError as exc:
        raise RegistrationError(str(exc)) from None


def _open_batch(user: User, pk: int) -> MarkBatch:
    require_writer(user)
    batch = get_scoped(MarkBatch.objects.select_for_update(), user, pk=pk)
    require_area(user, batch.area_code)
    if batch.state != MarkBatchState.PREPARED:
        raise RegistrationError(f"该调整单{batch.get_state_display()}，不能再操作")
    return batch


@transaction.atomic
def confirm_marks(
    *, user: User, batch_id: int, note: str = "", request: HttpRequest | None = None
) -> MarkBatch:
    """复核回写: another person than the one who prepared it sets and clears the marks in the
    enrolment records, in one transaction. Each line is checked again against the registry at this
    moment: only a record still out of step the same way is changed (已回写); one that agrees by
    now, or whose situation changed, is left alone (未改动); a record gone from the extract is noted.
    Confirming twice, or two people at once, changes nothing more (the batch row is locked)."""
    batch = _open_batch(user, batch_id)
    if batch.prepared_by_id == user.pk:
        raise PermissionDenied("调整单须由编制人以外的人员复核")
    note = _batch_text("check_note", note)
    changes = list(batch.changes.order_by("id"))
    Record = selectors.EnrolmentRecord
    records = {  # locked before the registry is compared again, so no import slips in between
        (r.id_number, r.insurance): r
        for r in Record.objects.select_for_update()
        .filter(id_number__in={c.id_number for c in changes})
        .order_by("id")
    }
    now_due = {
        (m.record.id_number, m.record.insurance): m for m in selectors.marks(user, batch.area_code)
    }
    applied = {"new": [], "removed": []}
    for c in changes:
        key = (c.id_number, c.insurance)
        if key not in records:
            c.outcome = MarkOutcome.GONE
        elif key in now_due and now_due[key].action == c.action:
            applied[c.action].append(records[key].pk)
            c.outcome = MarkOutcome.APPLIED
        else:
            c.outcome = MarkOutcome.UNCHANGED
    Record.objects.filter(pk__in=applied["new"]).update(poverty_tag=True)
    Record.objects.filter(pk__in=applied["removed"]).update(poverty_tag=False)
    MarkChange.objects.bulk_update(changes, ["outcome"])
    batch.state, batch.checked_by, batch.checked_at = MarkBatchState.APPLIED, user, timezone.now()
    batch.check_note = note
    batch.save(update_fields=["state", "checked_by", "checked_at", "check_note"])
    done = len(applied["new"]) + len(applied["removed"])
    record(
        AuditAction.DECISION,
        user=user,
        request=request,
        obj=batch,
        summary=f"复核回写贫困人员标识调整单 {batch.pk}：新增标识 {len(applied['new'])} 条、"
        f"取消标识 {len(applied['removed'])} 条，未改动 {len(changes) - done} 条",
        changes={
            "state": [MarkBatchState.PREPARED, MarkBatchState.APPLIED],
            "tagged": [
                None,
                [c.pk for c in changes if c.outcome == MarkOutcome.APPLIED and c.action == "new"],
            ],
            "untagged": [
                None,
                [
                    c.pk
                    for c in changes
                    if c.outcome == MarkOutcome.APPLIED and c.action == "removed"
                ],
            ],
        },
    )
    return batch


@transaction.atomic
def cancel_marks(
    *, user: User, batch_id: int, note: str = "", request: HttpRequest | None = None
) -> MarkBatch:
    """作废: a prepared batch dropped (by its maker or a checker); no record is touched."""
    batch = _open_batch(user, batch_id)
    note = _batch_text("check_note", note)
    if not note:
        raise RegistrationError("请写明作废原因")
    batch.state, batch.checked_by, batch.checked_at = MarkBatchState.CANCELLED, user, timezone.now()
    batch.check_note = note
    batch.save(update_fields=["state", "checked_by", "checked_at", "check_note"])
    record(
        AuditAction.UPDATE,
        user=user,
        request=request,
        obj=batch,
        summary=f"作废贫困人员标识调整单 {batch.pk}：{note}",
    )
    return batch
