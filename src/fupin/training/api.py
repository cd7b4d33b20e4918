"""/api/v1/training — 技能培训: courses, enrolments, completion with the job-seeking subsidy, coverage.

Thin: JSON in, selectors and services, JSON out; scope through `get_scoped`; a refusal of the
services becomes HTTP 422 with the Chinese reason.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from fupin.access.scope import get_scoped
from fupin.bounds import Date, Id, text
from fupin.policy.employment import rules
from fupin.registry.selectors import person

from . import selectors, services
from .models import Course, Enrolment, JobSeekingSubsidy

router = Router(tags=["技能培训"])
MAX_ROWS = 500


class CourseOut(Schema):
    id: int
    title: str
    kind: str
    trade: str
    provider: str
    area_code: str
    starts_on: dt.date
    ends_on: dt.date
    capacity: int
    subsidy_fen: int


class EnrolIn(Schema):
    person_id: Id


class CompleteIn(Schema):
    certificate_no: text(Enrolment, "certificate_no") = ""
    day: Date | None = None


class EnrolmentOut(Schema):
    id: int
    course_id: int
    person_id: int
    status: str
    certificate_no: str
    job_seeking_subsidy_fen: int | None = None

    @staticmethod
    def resolve_job_seeking_subsidy_fen(obj: Enrolment) -> int | None:
        s = JobSeekingSubsidy.objects.filter(person_id=obj.person_id).first()
        return s.amount_fen if s else None


@router.get("/training/courses", response=list[CourseOut])
def list_courses(request: HttpRequest) -> QuerySet[Course]:
    return selectors.courses(request.user)[:MAX_ROWS]


@router.post("/training/courses/{int:pk}/enrolments", response={201: EnrolmentOut})
def enrol(request: HttpRequest, pk: int, data: EnrolIn) -> Status:
    course = get_scoped(Course.objects.all(), request.user, pk=pk)
    try:
        return Status(
            201,
            services.enrol(
                user=request.user,
                course=course,
                person=person(request.user, data.person_id),
                request=request,
            ),
        )
    except services.TrainingError as exc:
        raise HttpError(422, str(exc)) from None


@router.post("/training/enrolments/{int:pk}/complete", response=EnrolmentOut)
def complete(request: HttpRequest, pk: int, data: CompleteIn) -> Enrolment:
    e = get_scoped(Enrolment.objects.select_related("course", "person"), request.user, pk=pk)
    try:
        e = services.complete(
            user=request.user,
            enrolment=e,
            day=data.day,
            certificate_no=data.certificate_no,
            request=request,
        )
    except services.TrainingError as exc:
        raise HttpError(422, str(exc)) from None
    e.person.refresh_from_db()
    return e


@router.get("/training/coverage")
def coverage(request: HttpRequest) -> list[dict]:
    return selectors.coverage(request.user, rules().trainings_per_willing_person.value)
