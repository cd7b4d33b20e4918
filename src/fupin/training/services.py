"""Writes of the training module (技能培训): enrolment, attendance, completion and certificate, the
one-time job-seeking subsidy on a vocational certificate, technical-school student aid."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from fupin import bounds
from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import require_area, require_writer
from fupin.assistance.models import MeasureKind
from fupin.assistance.services import complete_planned, log
from fupin.policy.employment import default_pack_id, rules
from fupin.policy.params import fen_to_yuan
from fupin.registry.models import Person

from .models import (
    Attendance,
    Course,
    Enrolment,
    EnrolmentStatus,
    JobSeekingSubsidy,
    TechnicalStudentAid,
)


class TrainingError(ValueError):
    """Refused, with the reason in Chinese."""


@transaction.atomic
def save_course(*, user: User, form: forms.ModelForm, request: HttpRequest | None = None) -> Course:
    require_writer(user)
    if form.instance.pk:
        require_area(user, Course.objects.get(pk=form.instance.pk).area_code)
    require_area(user, form.cleaned_data["area_code"])
    creating = form.instance.pk is None
    course = form.save()
    record(
        AuditAction.CREATE if creating else AuditAction.UPDATE,
        user=user,
        request=request,
        obj=course,
        summary=f"培训班 {course.title}",
    )
    return course


@transaction.atomic
def enrol(
    *,
    user: User,
    course: Course,
    person: Person,
    day: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Enrolment:
    require_writer(user)
    require_area(user, person.village_code)
    course = Course.objects.select_for_update().get(pk=course.pk)
    if course.enrolments.exclude(status=EnrolmentStatus.DROPPED).count() >= course.capacity:
        raise TrainingError(f"培训班“{course.title}”名额（{course.capacity}人）已满")
    day = day or dt.date.today()
    try:
        with transaction.atomic():
            e = Enrolment.objects.create(
                course=course, person=person, village_code=person.village_code, enrolled_on=day
            )
    except IntegrityError:
        raise TrainingError("此人已报名该培训班") from None
    log(
        person=person,
        kind=MeasureKind.TRAINING,
        day=day,
        obj=e,
        user=user,
        summary=f"报名{course.get_kind_display()}“{course.title}”（{course.provider}）",
    )
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=e,
        summary=f"培训报名 {person.name} → {course.title}",
    )
    return e


@transaction.atomic
def mark_attendance(
    *,
    user: User,
    enrolment: Enrolment,
    day: dt.date,
    present: bool = True,
    request: HttpRequest | None = None,
) -> Attendance:
    require_writer(user)
    require_area(user, enrolment.village_code)
    a, created = Attendance.objects.update_or_create(
        enrolment=enrolment,
        day=day,
        defaults={"present": present, "village_code": enrolment.village_code},
    )
    enrolment.attended = enrolment.attendance.filter(present=True).count()
    enrolment.save(update_fields=["attended"])
    return a


@transaction.atomic
def complete(
    *,
    user: User,
    enrolment: Enrolment,
    day: dt.date | None = None,
    certificate_no: str = "",
    request: HttpRequest | None = None,
) -> Enrolment:
    """结业 (and 取证): a vocational certificate brings the pack's one-time job-seeking subsidy."""
    require_writer(user)
    require_area(user, enrolment.village_code)
    day = day or dt.date.today()
    if enrolment.status == EnrolmentStatus.DROPPED:
        raise TrainingError("已退训，不能结业")
    course = enrolment.course
    enrolment.status, enrolment.completed_on = EnrolmentStatus.COMPLETED, day
    if certificate_no:
        enrolment.certificate_no, enrolment.certificate_on = certificate_no, day
        enrolment.certificate_kind = course.certificate_kind or "培训合格证"
    enrolment.save()
    person = enrolment.person
    cert = f"，取得{enrolment.certificate_kind}（{certificate_no}）" if certificate_no else ""
    log(
        person=person,
        kind=MeasureKind.TRAINING,
        day=day,
        obj=enrolment,
        user=user,
        summary=f"“{course.title}”结业{cert}",
    )
    complete_planned(person=person, kind=MeasureKind.TRAINING, day=day)
    record(
        AuditAction.UPDATE,
        user=user,
        request=request,
        obj=enrolment,
        summary=f"培训结业 {person.name} {course.title}",
    )
    if certificate_no and course.certificate_kind:
        grant_job_seeking_subsidy(user=user, enrolment=enrolment, day=day, request=request)
    return enrolment


def grant_job_seeking_subsidy(
    *, user: User, enrolment: Enrolment, day: dt.date, request: HttpRequest | None = None
) -> JobSeekingSubsidy | None:
    """取得职业资格证的一次性求职补贴: once per person; None if the pack has none or already paid."""
    pack_id = default_pack_id()
    amount = rules(pack_id).job_seeking_subsidy_on_certificate.value
    person = enrolment.person
    if amount is None or JobSeekingSubsidy.objects.filter(person=person).exists():
        return None
    try:
        with transaction.atomic():
            s = JobSeekingSubsidy.objects.create(
                person=person,
                enrolment=enrolment,
                village_code=person.village_code,
                amount_fen=amount,
                pack_id=pack_id,
                granted_on=day,
                granted_by=user,
            )
    except IntegrityError:
        return None
    log(
        person=person,
        kind=MeasureKind.TRAINING,
        day=day,
        obj=s,
        user=user,
        summary=f"发放取证一次性求职补贴 {fen_to_yuan(amount)} 元",
    )
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=s,
        summary=f"求职补贴 {person.name} {fen_to_yuan(amount)} 元",
    )
    return s


@transaction.atomic
def grant_technical_aid(
    *,
    user: User,
    person: Person,
    school: str,
    school_year: int,
    major: str = "",
    request: HttpRequest | None = None,
) -> TechnicalStudentAid:
    require_writer(user)
    require_area(user, person.village_code)
    if not person.technical_student:
        raise TrainingError("此人不是技工院校在校生")
    try:
        bounds.check_year(school_year, "学年")
    except bounds.BoundsError as exc:
        raise TrainingError(str(exc)) from None
    pack_id = default_pack_id()
    allowance = rules(pack_id).technical_student_living_allowance_yearly.value or 0
    try:
        with transaction.atomic():
            aid = TechnicalStudentAid.objects.create(
                person=person,
                village_code=person.village_code,
                school=school,
                major=major,
                school_year=school_year,
                living_allowance_fen=allowance,
                pack_id=pack_id,
            )
    except IntegrityError:
        raise TrainingError(f"{school_year}学年已登记资助") from None
    log(
        person=person,
        kind=MeasureKind.TECHNICAL,
        day=dt.date(school_year, 9, 1),
        obj=aid,
        user=user,
        summary=f"技工院校资助（{school}）：免学杂费，生活费补助 {fen_to_yuan(allowance)} 元",
    )
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=aid,
        summary=f"技工院校资助 {person.name}",
    )
    return aid
