"""Writes to the assistance plan and ledger (帮扶计划、台账)."""

import datetime as dt

from django.db import models, transaction
from django.http import HttpRequest

from fupin.access.audit import diff, record
from fupin.access.models import AuditAction, User
from fupin.access.scope import require_area, require_writer
from fupin.registry.models import Person

from .models import LedgerEntry, MeasureKind, MeasureStatus, PlannedMeasure


def log(
    *,
    person: Person,
    kind: str,
    summary: str,
    day: dt.date | None = None,
    obj: models.Model | None = None,
    user: User | None = None,
) -> LedgerEntry:
    """Leave a trace in the person's ledger (留下帮扶痕迹). Called by every measure's service."""
    return LedgerEntry.objects.create(
        person=person,
        village_code=person.village_code,
        day=day or dt.date.today(),
        kind=kind,
        summary=summary[:300],
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        recorded_by=user if user is not None and getattr(user, "is_authenticated", False) else None,
    )


@transaction.atomic
def plan_measure(
    *,
    user: User,
    person: Person,
    kind: str,
    description: str,
    cadre: str,
    due_on: dt.date,
    day: dt.date | None = None,
    request: HttpRequest | None = None,
) -> PlannedMeasure:
    require_writer(user)
    require_area(user, person.village_code)
    if kind not in MeasureKind.values:
        raise ValueError("措施类别无效")
    m = PlannedMeasure.objects.create(
        person=person,
        village_code=person.village_code,
        kind=kind,
        description=description,
        cadre=cadre,
        due_on=due_on,
    )
    log(
        person=person,
        kind=kind,
        summary=f"制定帮扶措施：{description}（责任人{cadre}，{due_on:%Y-%m-%d}前）",
        obj=m,
        user=user,
        day=day,
    )
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=m,
        summary=f"帮扶措施 {person.name}：{description}",
    )
    return m


@transaction.atomic
def set_measure_status(
    *,
    user: User,
    measure: PlannedMeasure,
    status: str,
    day: dt.date | None = None,
    request: HttpRequest | None = None,
) -> PlannedMeasure:
    require_writer(user)
    require_area(user, measure.village_code)
    if status not in MeasureStatus.values:
        raise ValueError("状态无效")
    before = {"status": measure.status}
    measure.status = status
    measure.done_on = (day or dt.date.today()) if status == MeasureStatus.DONE else None
    measure.save(update_fields=["status", "done_on"])
    log(
        person=measure.person,
        kind=measure.kind,
        summary=f"措施“{measure.description}”：{measure.get_status_display()}",
        obj=measure,
        user=user,
        day=day,
    )
    record(
        AuditAction.UPDATE,
        user=user,
        request=request,
        obj=measure,
        summary=f"帮扶措施状态 {measure.description}",
        changes=diff(before, {"status": status}),
    )
    return measure


def complete_planned(*, person: Person, kind: str, day: dt.date | None = None) -> int:
    """Mark the person's open measures of this kind done when the measure itself happened."""
    return PlannedMeasure.objects.filter(
        person=person, kind=kind, status__in=[MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS]
    ).update(status=MeasureStatus.DONE, done_on=day or dt.date.today())
