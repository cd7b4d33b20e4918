"""/api/v1/complaints — complaints and requests (诉求与投诉).

Thin: another township's complaint answers 404 (get_scoped); wrong JSON types, unknown
categories, huge text and repeated answers answer 422 with the Chinese reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Literal, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StrictInt, StrictStr

from fupin.access.scope import get_scoped
from fupin.bounds import MAX_ID, Year
from fupin.registry.models import Person

from . import selectors, services
from .models import Complaint

router = Router(tags=["诉求与投诉"])
MAX = 500


def _text(limit: int, required: bool = True):
    return Annotated[StrictStr, Field(min_length=1 if required else 0, max_length=limit)]


class ComplaintFilter(Schema):
    state: Literal["open", "overdue", "answered", "all"] = "open"
    level: Annotated[int, Field(ge=1, le=3)] | None = None
    area: Annotated[str, Field(pattern=r"^\d{1,12}$")] | None = None
    limit: Annotated[int, Field(ge=1, le=MAX)] = 100
    offset: Annotated[int, Field(ge=0, le=10_000_000)] = 0


class ComplaintOut(Schema):
    id: int
    person_id: int | None
    village_code: str
    kind: str
    category: str
    channel: str
    subject: str
    content: str
    contact_name: str
    filed_at: dt.datetime
    acknowledge_due: dt.datetime
    answer_due: dt.datetime
    level: int
    acknowledged_at: dt.datetime | None
    answer: str
    answered_at: dt.datetime | None
    satisfaction: str
    overdue: bool

    @staticmethod
    def resolve_level(obj: Complaint) -> int:
        return getattr(obj, "current_level", obj.level)

    @staticmethod
    def resolve_overdue(obj: Complaint) -> bool:
        now = timezone.now()
        return (obj.acknowledged_at is None and obj.acknowledge_due < now) or (
            obj.answered_at is None and obj.answer_due < now
        )


class ComplaintIn(Schema):
    person_id: Annotated[StrictInt, Field(ge=1, le=MAX_ID)] | None = None
    village_code: Annotated[str, Field(pattern=r"^\d{12}$")] | None = None
    kind: Literal["request", "complaint"]
    category: _text(20)
    channel: Literal["phone", "visit", "assisted"]
    subject: _text(100)
    content: _text(2000)
    contact_name: _text(50, required=False) = ""
    phone: _text(20, required=False) = ""


class AnswerIn(Schema):
    answer: _text(2000)


class RateIn(Schema):
    satisfaction: Literal["satisfied", "basic", "unsatisfied"]
    note: _text(200, required=False) = ""


class MonthOut(Schema):
    month: str
    filed: int
    complaints: int
    answered: int
    on_time: int
    overdue: int
    escalated: int
    rated: int
    satisfied: int


T = TypeVar("T")


def _get(request: HttpRequest, pk: int) -> Complaint:
    return get_scoped(selectors.complaints(request.user, timezone.now()), request.user, pk=pk)


def _do(fn: Callable[..., T], **kwargs: object) -> T:
    try:
        return fn(**kwargs)
    except services.ComplaintError as exc:
        raise HttpError(422, str(exc)) from None


@router.get("/complaints", response=list[ComplaintOut])
def list_complaints(request: HttpRequest, filters: Query[ComplaintFilter]) -> QuerySet[Complaint]:
    now = timezone.now()
    qs = selectors.filtered(selectors.complaints(request.user, now), state=filters.state, now=now)
    if filters.area:
        qs = qs.filter(village_code__startswith=filters.area)
    if filters.level:
        qs = qs.filter(current_level=filters.level)
    return qs.order_by("answer_due", "id")[filters.offset : filters.offset + filters.limit]


@router.get("/complaints/monthly", response=list[MonthOut])
def monthly(request: HttpRequest, year: Year | None = None) -> list[dict]:
    return selectors.monthly(request.user, year or timezone.localdate().year, timezone.now())


@router.get("/complaints/{int:pk}", response=ComplaintOut)
def get_complaint(request: HttpRequest, pk: int) -> Complaint:
    return _get(request, pk)


@router.post("/complaints", response={201: ComplaintOut})
def file_complaint(request: HttpRequest, data: ComplaintIn) -> Status:
    person = (
        get_scoped(Person.objects.all(), request.user, pk=data.person_id)
        if data.person_id
        else None
    )
    if person is None and not data.village_code:
        raise HttpError(422, "请给出反映人（person_id）或所在村（village_code）")
    fields = data.dict()
    fields.pop("person_id")
    fields["village_code"] = fields["village_code"] or ""
    c = _do(services.file_by_staff, user=request.user, person=person, request=request, **fields)
    return Status(201, _get(request, c.pk))


@router.post("/complaints/{int:pk}/acknowledge", response=ComplaintOut)
def acknowledge(request: HttpRequest, pk: int) -> Complaint:
    _do(services.acknowledge, user=request.user, complaint=_get(request, pk), request=request)
    return _get(request, pk)


@router.post("/complaints/{int:pk}/answer", response=ComplaintOut)
def answer(request: HttpRequest, pk: int, data: AnswerIn) -> Complaint:
    _do(
        services.answer,
        user=request.user,
        complaint=_get(request, pk),
        text=data.answer,
        request=request,
    )
    return _get(request, pk)


@router.post("/complaints/{int:pk}/satisfaction", response=ComplaintOut)
def rate(request: HttpRequest, pk: int, data: RateIn) -> Complaint:
    _do(
        services.rate,
        user=request.user,
        complaint=_get(request, pk),
        satisfaction=data.satisfaction,
        note=data.note,
        request=request,
    )
    return _get(request, pk)
