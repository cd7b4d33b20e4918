"""/api/v1/assistance — 帮扶计划与台账: a person's ledger and planned measures.

Thin: JSON in, selectors and services, JSON out; a refusal of the services becomes HTTP 422
with the Chinese reason.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from fupin.bounds import Date, text
from fupin.registry.selectors import person

from . import selectors, services
from .models import LedgerEntry, PlannedMeasure

router = Router(tags=["帮扶计划与台账"])


class MeasureIn(Schema):
    kind: text(PlannedMeasure, "kind")
    description: text(PlannedMeasure, "description")
    cadre: text(PlannedMeasure, "cadre")
    due_on: Date


class LedgerOut(Schema):
    day: dt.date
    kind: str
    summary: str


@router.get("/assistance/persons/{int:pk}/ledger", response=list[LedgerOut])
def person_ledger(request: HttpRequest, pk: int) -> QuerySet[LedgerEntry]:
    """该人员的帮扶台账，按时间顺序。"""
    return (
        selectors.ledger(request.user).filter(person=person(request.user, pk)).order_by("day", "id")
    )


@router.post("/assistance/persons/{int:pk}/measures", response={201: dict})
def create_measure(request: HttpRequest, pk: int, data: MeasureIn) -> Status:
    try:
        m = services.plan_measure(
            user=request.user, person=person(request.user, pk), request=request, **data.dict()
        )
    except ValueError as exc:
        raise HttpError(422, str(exc)) from None
    return Status(201, {"id": m.pk, "status": m.status})
