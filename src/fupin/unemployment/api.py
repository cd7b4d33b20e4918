"""/api/v1/unemployment — 价格临时补贴: the month's subsidies and the monthly run."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import StrictStr

from fupin.access.scope import scoped

from . import services
from .models import PriceSubsidy, SubsidyRun

router = Router(tags=["价格临时补贴"])


class SubsidyOut(Schema):
    person_id: int
    village_code: str
    month: str
    amount_fen: int
    index_hundredths: int
    rule: str


class MonthQuery(Schema):
    month: str
    limit: int = Field(500, ge=1, le=5000)
    offset: int = Field(0, ge=0, le=10_000_000)


class RunIn(Schema):
    month: StrictStr = Field(max_length=7)


class RunOut(Schema):
    id: int
    month: str
    area_code: str
    triggered: bool
    created: int
    existing: int
    message: str


@router.get("/unemployment/subsidies", response=list[SubsidyOut])
def list_subsidies(request: HttpRequest, q: Query[MonthQuery]) -> list[PriceSubsidy]:
    try:
        month = services.month_text(q.month)
    except services.UnemploymentError as exc:
        raise HttpError(422, str(exc)) from None
    qs = scoped(PriceSubsidy.objects.filter(month=month), request.user).order_by(
        "village_code", "person_id"
    )
    return list(qs[q.offset : q.offset + q.limit])


@router.post("/unemployment/runs", response={201: RunOut})
def run_month(request: HttpRequest, payload: RunIn) -> tuple[int, SubsidyRun]:
    try:
        return 201, services.run_month(user=request.user, month=payload.month, request=request)
    except (services.UnemploymentError, PermissionDenied) as exc:
        raise HttpError(422, str(exc)) from None
