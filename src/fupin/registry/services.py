"""Writes to the registry (登记、修改、状态变更): one transaction each, audited.

Concurrent writers (并发): every update reads its row again under a row lock
(`select_for_update` on PostgreSQL; SQLite's transactions take the write lock at BEGIN, see
settings) and checks it against what the caller saw: an edit is refused when the row's version
moved on since the form was filled, a status change when the stored status no longer allows it.
An edit writes only the fields its form owns, so it never reverts a status, a member count or
an enrolment flag written meanwhile. Every write adds 1 to the row's version.
"""

import datetime as dt

from django import forms
from django.db import models, transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from fupin.access.audit import diff, record
from fupin.access.models import AuditAction, User
from fupin.access.scope import require_area, require_writer

from .choices import (
    TRANSITIONS,
    Relation,
    RemovalReason,
    SpecialIdentity,
    Status,
    transition_refusal,
)
from .forms import stale_message
from .models import Household, IdentityPeriod, Person, StatusChange


class Conflict(Exception):
    """另一人的修改在先: the write contradicts or would lose a change made meanwhile (HTTP 409)."""


def _snapshot(obj: models.Model) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in ("created_at", "updated_at")
    }


def _update_locked(
    model: type[models.Model], *, user: User, form: forms.ModelForm
) -> tuple[models.Model, dict]:
    """Apply a valid edit form to its row, read again under lock; → (row, {field: [old, new]})."""
    sent = form.instance
    row = model.objects.select_for_update().get(pk=sent.pk)
    require_area(user, row.village_code)
    if row.version != sent.version:  # the form was filled from an older row
        raise Conflict(stale_message(form.WHAT, sent=sent.version, current=row.version))
    before = {f: getattr(row, f) for f in form.WRITES}
    for f in form.WRITES:
        setattr(row, f, getattr(sent, f))
    changes = diff(before, {f: getattr(row, f) for f in form.WRITES})
    row.version += 1
    row.save(update_fields=[*changes, "version", "updated_at"])
    form.instance = row
    return row, changes


@transaction.atomic
def save_household(
    *, user: User, form: forms.ModelForm, request: HttpRequest | None = None
) -> Household:
    """Create or update a household from a valid HouseholdForm."""
    require_writer(user)
    require_area(user, form.cleaned_data["village"].code)
    if form.instance.pk is None:
        hh = form.save()
        StatusChange.objects.create(
            household=hh,
            village_code=hh.village_code,
            old_status="",
            new_status=hh.status,
            effective_date=dt.date.today(),
            reason="建档",
            changed_by=user,
        )
        action, changes = AuditAction.CREATE, diff({}, _snapshot(hh))
    else:
        hh, changes = _update_locked(Household, user=user, form=form)
        action = AuditAction.UPDATE
    record(
        action, user=user, request=request, obj=hh, summary=f"贫困户 {hh.number}", changes=changes
    )
    return hh


@transaction.atomic
def save_person(*, user: User, form: forms.ModelForm, request: HttpRequest | None = None) -> Person:
    """Create or update a household member from a valid PersonForm."""
    require_writer(user)
    hh = form.cleaned_data["household"]
    require_area(user, hh.village_code)
    if form.instance.pk is None:
        p = form.save()
        StatusChange.objects.create(
            person=p,
            household=hh,
            village_code=p.village_code,
            old_status="",
            new_status=p.status,
            effective_date=dt.date.today(),
            reason="建档",
            changed_by=user,
        )
        action, changes = AuditAction.CREATE, diff({}, _snapshot(p))
    else:
        p, changes = _update_locked(Person, user=user, form=form)
        action = AuditAction.UPDATE
    refresh_household_summary([hh.pk])
    # The audit trail masks the numbers; a corrected ID shows as masked old → masked new.
    record(
        action,
        user=user,
        request=request,
        obj=p,
        summary=f"家庭成员 {p.name}（{p.masked_id}）",
        changes=changes,
    )
    return p


def change_phone(
    *, user: User, person_id: int, phone: str, reason: str, request: HttpRequest | None = None
) -> Person:
    """Set one person's phone (a checked request, e.g. the resident portal's 更新手机号码): the row read
    again under lock, its version moved on, audited with the reason. The caller checks the number; a
    number another household's member already has is allowed (family phones are shared). Runs inside
    the caller's transaction when there is one."""
    require_writer(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("change_phone needs a reason")
    with transaction.atomic():
        p = Person.objects.select_for_update().get(pk=person_id)
        require_area(user, p.village_code)
        changes = diff({"phone": p.phone}, {"phone": phone})
        if changes:
            p.phone = phone
            p.version += 1
            p.save(update_fields=["phone", "version", "updated_at"])
            record(
                AuditAction.UPDATE,
                user=user,
                request=request,
                obj=p,
                summary=f"家庭成员 {p.name}（{p.masked_id}）更新手机号码：{reason[:100]}",
                changes=changes,
            )
    return p


def refresh_household_summary(household_ids: list[int]) -> None:
    """Keep member_count and head_name (denormalised for fast lists) in step with the members."""
    members = Person.objects.filter(household_id=OuterRef("pk")).exclude(status=Status.REMOVED)
    count = members.order_by().values("household_id").annotate(n=Count("id")).values("n")[:1]
    head = Person.objects.filter(household_id=OuterRef("pk"), relation=Relation.HEAD).values(
        "name"
    )[:1]
    Household.objects.filter(pk__in=household_ids).update(
        member_count=Coalesce(Subquery(count), 0),
        head_name=Coalesce(Subquery(head), Value("")),
    )


def _status_summary(row: Person | Household, old: str, new: str) -> str:
    return (
        f"{'家庭成员' if isinstance(row, Person) else '贫困户'} {row} 状态变更："
        f"{Status(old).label} → {Status(new).label}"
    )


@transaction.atomic
def change_status(
    *,
    user: User,
    subject: Household | Person,
    new_status: str,
    effective_date: dt.date,
    reason: str,
    removal_reason: str = "",
    request: HttpRequest | None = None,
) -> StatusChange:
    """状态变更: store the change with who, when, effective date and reason.

    The transition is checked against the stored status under the row lock, so of two
    simultaneous changes the second sees the first (自然减少 is final: nothing follows it).
    A household leaving the list through 自然减少 takes its members along, each with its own
    history row.
    """
    require_writer(user)
    locked = type(subject).objects.select_for_update().get(pk=subject.pk)
    require_area(user, locked.village_code)
    old = locked.status
    if new_status not in TRANSITIONS[old]:
        raise Conflict(transition_refusal(old, new_status))
    is_person = isinstance(locked, Person)
    change = StatusChange.objects.create(
        household=locked.household if is_person else locked,
        person=locked if is_person else None,
        village_code=locked.village_code,
        old_status=old,
        new_status=new_status,
        effective_date=effective_date,
        reason=reason,
        changed_by=user,
    )
    locked.status = new_status
    locked.version += 1
    fields = ["status", "version", "updated_at"]
    if is_person:
        locked.removal_reason = removal_reason if new_status == Status.REMOVED else ""
        fields.append("removal_reason")
    elif new_status in (Status.EXITED_WITH_POLICY, Status.EXITED) and not locked.exit_year:
        locked.exit_year = effective_date.year
        fields.append("exit_year")
    locked.save(update_fields=fields)
    record(
        AuditAction.STATUS,
        user=user,
        request=request,
        obj=locked,
        summary=_status_summary(locked, old, new_status),
        changes={
            "status": [old, new_status],
            "effective_date": [None, str(effective_date)],
            "reason": [None, reason],
        },
    )
    if not is_person and new_status == Status.REMOVED:
        _members_follow(
            user=user,
            household=locked,
            effective_date=effective_date,
            reason=reason,
            removal_reason=removal_reason,
            request=request,
        )
    if is_person or new_status == Status.REMOVED:
        refresh_household_summary([locked.household_id if is_person else locked.pk])
    subject.status = new_status
    return change


def _members_follow(
    *,
    user: User,
    household: Household,
    effective_date: dt.date,
    reason: str,
    removal_reason: str,
    request: HttpRequest,
) -> None:
    """整户自然减少: every member still on the list leaves with the household, each change recorded."""
    why = f"随户自然减少：{reason}"
    for member in (
        Person.objects.select_for_update()
        .filter(household=household)
        .exclude(status=Status.REMOVED)
        .order_by("id")
    ):
        old = member.status
        StatusChange.objects.create(
            household=household,
            person=member,
            village_code=member.village_code,
            old_status=old,
            new_status=Status.REMOVED,
            effective_date=effective_date,
            reason=why,
            changed_by=user,
        )
        member.status = Status.REMOVED
        member.removal_reason = removal_reason or RemovalReason.OTHER
        member.version += 1
        member.save(update_fields=["status", "removal_reason", "version", "updated_at"])
        record(
            AuditAction.STATUS,
            user=user,
            request=request,
            obj=member,
            summary=_status_summary(member, old, Status.REMOVED),
            changes={
                "status": [old, Status.REMOVED],
                "effective_date": [None, str(effective_date)],
                "reason": [None, why],
            },
        )


@transaction.atomic
def record_identity_period(
    *,
    user: User,
    person: Person,
    identity: str,
    start: dt.date,
    end: dt.date | None = None,
    reason: str,
    request: HttpRequest | None = None,
) -> IdentityPeriod:
    """特殊身份期间: record that `person` was 低保/特困 from `start` to `end` (open: still so).

    A period overlapping one already recorded for the same identity is refused (close or correct
    that one first). The person's current flag follows: set while a period covers today.
    """
    require_writer(user)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    require_area(user, locked.village_code)
    label = SpecialIdentity(identity).label
    if end is not None and end < start:
        raise Conflict(f"{label}期间的终止日期 {end} 早于起始日期 {start}")
    far = dt.date.max
    for other in IdentityPeriod.objects.filter(person=locked, identity=identity):
        if start <= (other.end or far) and other.start <= (end or far):
            raise Conflict(f"{label}期间与已登记的 {other} 重叠，请先更正那一段")
    period = IdentityPeriod.objects.create(
        person=locked,
        identity=identity,
        start=start,
        end=end,
        reason=reason,
        changed_by=user,
    )
    today = dt.date.today()
    covered = any(
        p.covers(today) for p in IdentityPeriod.objects.filter(person=locked, identity=identity)
    )
    if getattr(locked, identity) != covered:
        setattr(locked, identity, covered)
        locked.version += 1
        locked.save(update_fields=[identity, "version", "updated_at"])
    record(
        AuditAction.UPDATE,
        user=user,
        request=request,
        obj=locked,
        summary=f"家庭成员 {locked.name}（{locked.masked_id}）{label}期间 {period}",
        changes={identity: [None, f"{start}–{end or '至今'}"], "reason": [None, reason]},
    )
    return period


@transaction.atomic
def end_identity_period(
    *,
    user: User,
    period: IdentityPeriod,
    end: dt.date,
    reason: str,
    request: HttpRequest | None = None,
) -> IdentityPeriod:
    """Close an open 低保/特困 period on `end` (inclusive): no earlier than its start, no later
    than the start of a later period of the same identity. The current flag follows."""
    require_writer(user)
    locked = Person.objects.select_for_update().get(pk=period.person_id)
    require_area(user, locked.village_code)
    period = IdentityPeriod.objects.select_for_update().get(pk=period.pk)
    label = SpecialIdentity(period.identity).label
    if period.end is not None:
        raise Conflict(f"该{label}期间已于 {period.end} 终止")
    if end < period.start:
        raise Conflict(f"终止日期 {end} 早于{label}期间的起始日期 {period.start}")
    IdentityPeriod.objects.filter(pk=period.pk).update(end=end)
    period.end = end
    today = dt.date.today()
    covered = any(
        p.covers(today)
        for p in IdentityPeriod.objects.filter(person=locked, identity=period.identity)
    )
    if getattr(locked, period.identity) != covered:
        setattr(locked, period.identity, covered)
        locked.version += 1
        locked.save(update_fields=[period.identity, "version", "updated_at"])
    record(
        AuditAction.UPDATE,
        user=user,
        request=request,
        obj=locked,
        summary=f"家庭成员 {locked.name}（{locked.masked_id}）{label}期间终止于 {end}",
        changes={
            period.identity: [f"{period.start}–至今", f"{period.start}–{end}"],
            "reason": [None, reason],
        },
    )
    return period
