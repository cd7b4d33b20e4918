"""/api/v1/appraisal — 慢性病鉴定. Thin: JSON in, selectors and services, JSON out. Objects outside
the user's area are 404; a refused step is 422 with the Chinese reason; wrong JSON types are 422
naming the field (fupin.api.errors)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StrictBool, StrictStr, model_validator
from pydantic_core import PydanticCustomError

from fupin import bounds
from fupin.access.scope import area_code_in_scope, area_code_of, get_scoped
from fupin.areas.models import Area
from fupin.bounds import Date, Id, text
from fupin.registry.models import Person

from . import selectors, services
from .models import (
    Applicant,
    Application,
    AppraisalRound,
    Certificate,
    Hospital,
    Notice,
    NoticeWay,
    Objection,
    Stage,
)
from .rules import rules
from .selectors import Progress

router = Router(tags=["慢性病鉴定"])
MAX = 500


def _refused(exc: Exception) -> HttpError:
    return HttpError(422, str(exc))


def _today() -> dt.date:
    return timezone.localdate()


class In(Schema):
    """A request body: a JSON object. Without this a list (`[]`) passed for a body whose fields all
    have defaults, read as an object with no attributes, and the step was done with the defaults."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: object) -> object:
        if not isinstance(getattr(data, "_obj", data), dict):  # ninja hands a DjangoGetter
            raise PydanticCustomError("dict_type", "请求体应为 JSON 对象")
        return data


class NoticeIn(In):
    day: Date | None = None
    way: text(Notice, "way") = NoticeWay.VISIT
    note: text(Notice, "note") = ""


class VillageNoticeIn(In):
    village_code: StrictStr = Field(max_length=12)
    day: Date | None = None
    way: text(Notice, "way") = NoticeWay.MEETING


class NoticeOut(Schema):
    id: int
    person_id: int
    notified_on: dt.date
    way: str
    note: str


class ApplicationIn(In):
    chronic_class: text(Application, "chronic_class")
    diseases: list[StrictStr] = Field(min_length=1, max_length=services.MAX_DISEASES)
    day: Date | None = None
    applicant: text(Application, "applicant") = Applicant.SELF
    home_appraisal: StrictBool = False
    home_reason: text(Application, "home_reason") = ""
    note: text(Application, "note") = ""


class ApplicationOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    village_code: str
    chronic_class: str
    diseases: list[str] = Field(alias="disease_list")
    applied_on: dt.date
    applicant: str
    home_appraisal: bool
    home_reason: str
    stage: str
    stage_name: str = Field(alias="get_stage_display")
    round_id: int | None
    amends_id: int | None
    appraised_on: dt.date | None
    appraiser: str
    approved: bool | None
    concluded_class: str
    refusal_reason: str
    notice_start: dt.date | None
    notice_end: dt.date | None
    closed_on: dt.date | None


class ConclusionIn(In):
    approved: StrictBool
    day: Date | None = None
    appraiser: text(Application, "appraiser")
    chronic_class: text(Application, "concluded_class") = ""
    diseases: list[StrictStr] | None = Field(None, min_length=1, max_length=services.MAX_DISEASES)
    refusal_reason: text(Application, "refusal_reason") = ""
    notice_start: Date | None = None


class ObjectionIn(In):
    objector: text(Objection, "objector")
    content: text(Objection, "content")
    day: Date | None = None


class ResolutionIn(In):
    upheld: StrictBool
    resolution: text(Objection, "resolution")
    day: Date | None = None


class ObjectionOut(Schema):
    id: int
    application_id: int
    raised_on: dt.date
    objector: str
    content: str
    status: str
    resolved_on: dt.date | None
    resolution: str


class CertifyIn(In):
    day: Date | None = None
    hospital_id: Id | None = None


class HospitalIn(In):
    hospital_id: Id
    day: Date | None = None


class RevokeIn(In):
    reason: text(Certificate, "revoke_reason")
    day: Date | None = None


class ChangeOut(Schema):
    kind: str
    effective_on: dt.date
    chronic_class: str
    diseases: str
    summary: str


class CertificateOut(Schema):
    id: int
    number: str
    person_id: int
    person_name: str = Field(alias="person.name")
    village_code: str
    chronic_class: str
    class_name: str
    diseases: list[str] = Field(alias="disease_list")
    valid_from: dt.date
    issued_on: dt.date
    hospital_id: int | None
    hospital_name: str
    status: str
    revoked_on: dt.date | None

    @staticmethod
    def resolve_class_name(obj: Certificate) -> str:
        return rules().class_name(obj.chronic_class)

    @staticmethod
    def resolve_hospital_name(obj: Certificate) -> str:
        return obj.hospital.name if obj.hospital_id else ""


class CertificateDetailOut(CertificateOut):
    history: list[ChangeOut]

    @staticmethod
    def resolve_history(obj: Certificate) -> list:
        return list(obj.changes.all())


class RoundIn(In):
    held_on: Date
    place: text(AppraisalRound, "place")
    experts: text(AppraisalRound, "experts") = ""


class RoundOut(Schema):
    id: int
    year: int
    quarter: int
    held_on: dt.date
    place: str
    experts: str


class HospitalOut(Schema):
    id: int
    name: str
    level: int
    area_code: str


class ChronicClassOut(Schema):
    person_id: int
    date: dt.date
    chronic_class: str | None
    class_name: str


def _person(request: HttpRequest, pk: int) -> Person:
    return get_scoped(Person.objects.all(), request.user, pk=pk)


def _application(request: HttpRequest, pk: int) -> Application:
    return get_scoped(Application.objects.select_related("person", "round"), request.user, pk=pk)


def _hospital(request: HttpRequest, pk: int | None) -> Hospital | None:
    return (
        None if pk is None else get_scoped(Hospital.objects.all(), request.user, shared=True, pk=pk)
    )


# -- notices and applications ---------------------------------------------------------------------
@router.post("/appraisal/persons/{int:pk}/notice", response={201: NoticeOut})
def notify(request: HttpRequest, pk: int, data: NoticeIn) -> Status:
    try:
        return Status(
            201,
            services.notify(
                user=request.user,
                person=_person(request, pk),
                day=data.day or _today(),
                way=data.way,
                note=data.note,
                request=request,
            ),
        )
    except services.AppraisalError as exc:
        raise _refused(exc) from None


@router.post("/appraisal/notices/village")
def notify_village(request: HttpRequest, data: VillageNoticeIn) -> dict[str, object]:
    try:
        n = services.notify_village(
            user=request.user,
            village_code=data.village_code,
            day=data.day or _today(),
            way=data.way,
            request=request,
        )
    except services.AppraisalError as exc:
        raise _refused(exc) from None
    return {"village_code": data.village_code, "notified": n}


@router.post("/appraisal/persons/{int:pk}/applications", response={201: ApplicationOut})
def apply(request: HttpRequest, pk: int, data: ApplicationIn) -> Status:
    try:
        return Status(
            201,
            services.apply(
                user=request.user,
                person=_person(request, pk),
                chronic_class=data.chronic_class,
                diseases=data.diseases,
                day=data.day or _today(),
                applicant=data.applicant,
                home_appraisal=data.home_appraisal,
                home_reason=data.home_reason,
                note=data.note,
                request=request,
            ),
        )
    except services.AppraisalError as exc:
        raise _refused(exc) from None


class ApplicationFilter(Schema):
    stage: str = ""
    area: str = ""


@router.get("/appraisal/applications", response=list[ApplicationOut])
def list_applications(
    request: HttpRequest, filters: Query[ApplicationFilter]
) -> QuerySet[Application]:
    qs = selectors.applications(request.user)
    if filters.stage in Stage.values:
        qs = qs.filter(stage=filters.stage)
    if filters.area.isdigit() and len(filters.area) <= 12:
        qs = qs.filter(village_code__startswith=filters.area)
    return qs.order_by("-applied_on", "-id")[:MAX]


@router.get("/appraisal/applications/{int:pk}", response=ApplicationOut)
def get_application(request: HttpRequest, pk: int) -> Application:
    return _application(request, pk)


@router.post("/appraisal/applications/{int:pk}/conclusion", response=ApplicationOut)
def appraise(request: HttpRequest, pk: int, data: ConclusionIn) -> Application:
    try:
        return services.appraise(
            user=request.user,
            application=_application(request, pk),
            approved=data.approved,
            day=data.day or _today(),
            chronic_class=data.chronic_class,
            diseases=data.diseases,
            appraiser=data.appraiser,
            refusal_reason=data.refusal_reason,
            notice_start=data.notice_start,
            request=request,
        )
    except services.AppraisalError as exc:
        raise _refused(exc) from None


class RoundChoiceIn(In):
    round_id: Id


@router.post("/appraisal/applications/{int:pk}/round", response=ApplicationOut)
def assign_round(request: HttpRequest, pk: int, data: RoundChoiceIn) -> Application:
    app = _application(request, pk)
    rnd = get_scoped(AppraisalRound.objects.all(), request.user, shared=True, pk=data.round_id)
    try:
        return services.assign_round(
            user=request.user, application=app, appraisal_round=rnd, request=request
        )
    except services.AppraisalError as exc:
        raise _refused(exc) from None


@router.post("/appraisal/applications/{int:pk}/withdraw", response=ApplicationOut)
def withdraw(request: HttpRequest, pk: int) -> Application:
    try:
        return services.withdraw(
            user=request.user, application=_application(request, pk), day=_today(), request=request
        )
    except services.AppraisalError as exc:
        raise _refused(exc) from None


@router.get("/appraisal/applications/{int:pk}/objections", response=list[ObjectionOut])
def list_objections(request: HttpRequest, pk: int) -> QuerySet[Objection]:
    return selectors.objections(request.user).filter(application=_application(request, pk))


@router.post("/appraisal/applications/{int:pk}/objections", response={201: ObjectionOut})
def raise_objection(request: HttpRequest, pk: int, data: ObjectionIn) -> Status:
    try:
        return Status(
            201,
            services.raise_objection(
                user=request.user,
                application=_application(request, pk),
                objector=data.objector,
                content=data.content,
                day=data.day or _today(),
                request=request,
            ),
        )
    except services.AppraisalError as exc:
        raise _refused(exc) from None


@router.post("/appraisal/objections/{int:pk}/resolution", response=ObjectionOut)
def resolve_objection(request: HttpRequest, pk: int, data: ResolutionIn) -> Objection:
    o = get_scoped(Objection.objects.select_related("application"), request.user, pk=pk)
    try:
        return services.resolve_objection(
            user=request.user,
            objection=o,
            upheld=data.upheld,
            resolution=data.resolution,
            day=data.day or _today(),
            request=request,
        )
    except services.AppraisalError as exc:
        raise _refused(exc) from None


@router.post("/appraisal/applications/{int:pk}/certificate", response={201: CertificateOut})
def certify(request: HttpRequest, pk: int, data: CertifyIn) -> Status:
    app = _application(request, pk)
    try:
        return Status(
            201,
            services.certify(
                user=request.user,
                application=app,
                day=data.day or _today(),
                hospital=_hospital(request, data.hospital_id),
                request=request,
            ),
        )
    except services.AppraisalError as exc:
        raise _refused(exc) from None


# -- certificates, hospitals, rounds -------------------------------------------------------------
@router.get("/appraisal/certificates", response=list[CertificateOut])
def list_certificates(request: HttpRequest, area: str = "") -> QuerySet[Certificate]:
    qs = selectors.certificates(request.user)
    if area.isdigit() and len(area) <= 12:
        qs = qs.filter(village_code__startswith=area)
    return qs.order_by("number")[:MAX]


def _certificate(request: HttpRequest, pk: int) -> Certificate:
    return get_scoped(Certificate.objects.select_related("person", "hospital"), request.user, pk=pk)


@router.get("/appraisal/certificates/{int:pk}", response=CertificateDetailOut)
def get_certificate(request: HttpRequest, pk: int) -> Certificate:
    return _certificate(request, pk)


@router.post("/appraisal/certificates/{int:pk}/hospital", response=CertificateOut)
def choose_hospital(request: HttpRequest, pk: int, data: HospitalIn) -> Certificate:
    cert = _certificate(request, pk)
    try:
        return services.choose_hospital(
            user=request.user,
            certificate=cert,
            hospital=_hospital(request, data.hospital_id),
            day=data.day or _today(),
            request=request,
        )
    except services.AppraisalError as exc:
        raise _refused(exc) from None


@router.post("/appraisal/certificates/{int:pk}/revoke", response=CertificateOut)
def revoke(request: HttpRequest, pk: int, data: RevokeIn) -> Certificate:
    cert = _certificate(request, pk)
    try:
        return services.revoke(
            user=request.user,
            certificate=cert,
            reason=data.reason,
            day=data.day or _today(),
            request=request,
        )
    except services.AppraisalError as exc:
        raise _refused(exc) from None


@router.get("/appraisal/hospitals", response=list[HospitalOut])
def list_hospitals(request: HttpRequest) -> QuerySet[Hospital]:
    return selectors.hospitals(request.user)[:MAX]


@router.get("/appraisal/rounds", response=list[RoundOut])
def list_rounds(request: HttpRequest) -> QuerySet[AppraisalRound]:
    return selectors.rounds(request.user)[:MAX]


@router.post("/appraisal/rounds", response={201: RoundOut})
def plan_round(request: HttpRequest, data: RoundIn) -> Status:
    try:
        rnd, _ = services.plan_round(
            user=request.user,
            held_on=data.held_on,
            place=data.place,
            experts=data.experts,
            request=request,
        )
    except services.AppraisalError as exc:
        raise _refused(exc) from None
    return Status(201, rnd)


# -- the village list, the daily report, the class of a person on a date ----------------------------
@router.get("/appraisal/progress")
def progress(request: HttpRequest, area: str = "", progress: str = "") -> list[dict[str, object]]:
    qs = selectors.progress(request.user)
    if area.isdigit() and len(area) <= 12:
        qs = qs.filter(village_code__startswith=area)
    if progress in Progress.LABELS:
        qs = qs.filter(progress=progress)
    return [
        {
            "person_id": p.pk,
            "name": p.name,
            "village_code": p.village_code,
            "progress": p.progress,
            "progress_name": Progress.LABELS[p.progress],
        }
        for p in qs[:MAX]
    ]


def _query_date(date: str) -> dt.date:
    try:
        return bounds.parse_date(date, "日期") if date else _today()
    except bounds.BoundsError as exc:
        err = HttpError(422, "数据校验未通过")
        err.errors = {"date": [str(exc)]}
        raise err from None


@router.get("/appraisal/report")
def report(request: HttpRequest, date: str = "", area: str = "") -> dict[str, object]:
    day = _query_date(date)
    code = area or area_code_of(request.user) or ""
    if not (
        code.isdigit()
        and area_code_in_scope(request.user, code)
        and Area.objects.filter(code=code).exists()
    ):
        err = HttpError(422, "数据校验未通过")
        err.errors = {"area": ["区划不存在或不在本辖区"]}
        raise err
    rows, total = selectors.daily_report(request.user, day, code)
    return {
        "date": day,
        "area": code,
        "columns": dict(selectors.REPORT_COLUMNS),
        "rows": rows,
        "total": total,
    }


@router.get("/appraisal/persons/{int:pk}/chronic-class", response=ChronicClassOut)
def chronic_class(request: HttpRequest, pk: int, date: str = "") -> dict[str, object]:
    person = _person(request, pk)
    day = _query_date(date)
    code = selectors.chronic_class_on(person.pk, day)
    return {
        "person_id": person.pk,
        "date": day,
        "chronic_class": code,
        "class_name": rules().class_name(code) if code else "无",
    }
