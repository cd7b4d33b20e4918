"""Writes of 全民参保登记: a registry person's work-injury or unemployment enrolment."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest

from fupin import bounds
from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import require_area, require_writer, scoped
from fupin.registry.models import Person

from .models import JobEnrolment, JobEnrolmentStatus, JobInsurance


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
