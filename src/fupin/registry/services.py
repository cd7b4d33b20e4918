"""Writes to the registry (登记、修改、状态变更): one transaction each, audited."""

import datetime as dt

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from fupin.access.audit import diff, record
from fupin.access.models import AuditAction
from fupin.access.scope import require_area, require_writer

from .choices import Relation, Status
from .models import Household, Person, StatusChange


def _snapshot(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in ("created_at", "updated_at")}


@transaction.atomic
def save_household(*, user, form, request=None) -> Household:
    """Create or update a household from a valid HouseholdForm."""
    require_writer(user)
    hh = form.instance
    before = _snapshot(Household.objects.get(pk=hh.pk)) if hh.pk else {}
    if before:
        require_area(user, before["village_code"])
    require_area(user, form.cleaned_data["village"].code)
    creating = hh.pk is None
    hh = form.save()
    if creating:
        StatusChange.objects.create(
            household=hh, village_code=hh.village_code, old_status="", new_status=hh.status,
            effective_date=dt.date.today(), reason="建档", changed_by=user,
        )
    record(
        AuditAction.CREATE if creating else AuditAction.UPDATE,
        user=user, request=request, obj=hh, summary=f"贫困户 {hh.number}",
        changes=diff(before, _snapshot(hh)),
    )
    return hh


@transaction.atomic
def save_person(*, user, form, request=None) -> Person:
    """Create or update a household member from a valid PersonForm."""
    require_writer(user)
    p = form.instance
    before = _snapshot(Person.objects.get(pk=p.pk)) if p.pk else {}
    hh = form.cleaned_data["household"]
    require_area(user, hh.village_code)
    creating = p.pk is None
    p = form.save()
    if creating:
        StatusChange.objects.create(
            person=p, household=hh, village_code=p.village_code, old_status="", new_status=p.status,
            effective_date=dt.date.today(), reason="建档", changed_by=user,
        )
    refresh_household_summary([hh.pk])
    record(
        AuditAction.CREATE if creating else AuditAction.UPDATE,
        user=user, request=request, obj=p, summary=f"家庭成员 {p.name}（{p.masked_id}）",
        changes={k: v for k, v in diff(before, _snapshot(p)).items() if k != "id_number"},
    )
    return p


def refresh_household_summary(household_ids: list[int]) -> None:
    """Keep member_count and head_name (denormalised for fast lists) in step with the members."""
    members = Person.objects.filter(household_id=OuterRef("pk")).exclude(status=Status.REMOVED)
    count = members.order_by().values("household_id").annotate(n=Count("id")).values("n")[:1]
    head = Person.objects.filter(household_id=OuterRef("pk"), relation=Relation.HEAD).values("name")[:1]
    Household.objects.filter(pk__in=household_ids).update(
        member_count=Coalesce(Subquery(count), 0),
        head_name=Coalesce(Subquery(head), Value("")),
    )


@transaction.atomic
def change_status(*, user, subject: Household | Person, new_status: str, effective_date: dt.date,
                  reason: str, removal_reason: str = "", request=None) -> StatusChange:
    """状态变更: store the change with who, when, effective date and reason.

    A household leaving the list through 自然减少 takes its members along; its members'
    own changes are recorded row by row in the history too.
    """
    require_writer(user)
    require_area(user, subject.village_code)
    locked = type(subject).objects.select_for_update().get(pk=subject.pk)
    old = locked.status
    is_person = isinstance(locked, Person)
    change = StatusChange.objects.create(
        household=locked.household if is_person else locked,
        person=locked if is_person else None,
        village_code=locked.village_code, old_status=old, new_status=new_status,
        effective_date=effective_date, reason=reason, changed_by=user,
    )
    locked.status = new_status
    fields = ["status", "updated_at"]
    if is_person:
        locked.removal_reason = removal_reason if new_status == Status.REMOVED else ""
        fields.append("removal_reason")
    elif new_status in (Status.EXITED_WITH_POLICY, Status.EXITED) and not locked.exit_year:
        locked.exit_year = effective_date.year
        fields.append("exit_year")
    locked.save(update_fields=fields)
    if is_person:
        refresh_household_summary([locked.household_id])
    record(
        AuditAction.STATUS, user=user, request=request, obj=locked,
        summary=f"{'家庭成员' if is_person else '贫困户'} {locked} 状态变更：{Status(old).label} → {Status(new_status).label}",
        changes={"status": [old, new_status], "effective_date": [None, str(effective_date)], "reason": [None, reason]},
    )
    subject.status = new_status
    return change
