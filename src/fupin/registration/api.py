"""/api/v1/registration — 全民参保登记: a township's four-insurance table and the poverty marks
out of step with the registry."""

from __future__ import annotations

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from fupin.areas.lookup import AreaNotFound

from . import selectors
from .views import area_code

router = Router(tags=["全民参保登记"])


class AreaQuery(Schema):
    area: str = Field(max_length=100, description="乡镇或全县（名称或代码）")
    only_unregistered: bool = False
    year: int | None = Field(
        None, ge=1990, le=2100, description="医疗保险年度，默认有记录的最近年度"
    )
    action: str = ""


class RowOut(Schema):
    person_id: int
    name: str
    id_number: str
    village_code: str
    pension: str
    medical: str
    work_injury: str
    unemployment: str
    reasons: list[str]


class MarkOut(Schema):
    action: str
    name: str
    id_number: str
    village_code: str
    insurance: str
    reason: str


def _area(request, text: str) -> str:
    try:
        return area_code(request.user, text)
    except AreaNotFound as exc:
        raise HttpError(422, str(exc)) from None


@router.get("/registration/table", response=list[RowOut])
def registration_table(request, q: Query[AreaQuery]):
    years = selectors.medical_years(request.user)
    rows = selectors.table(
        request.user,
        _area(request, q.area),
        year=q.year or (years[0] if years else timezone.localdate().year),
        day=timezone.localdate(),
        only_unregistered=q.only_unregistered,
    )
    return [
        {
            "person_id": r.person.pk,
            "name": r.person.name,
            "id_number": r.masked_id,
            "village_code": r.person.village_code,
            **{k: r.status[k] for k in selectors.INSURANCES},
            "reasons": r.reasons,
        }
        for r in rows
    ]


@router.get("/registration/marks", response=list[MarkOut])
def registration_marks(request, q: Query[AreaQuery]):
    if q.action and q.action not in selectors.MARK_ACTIONS:
        raise HttpError(422, "action 应为 new 或 removed")
    return [
        {
            "action": m.action,
            "name": m.record.name,
            "id_number": m.masked_id,
            "village_code": m.record.village_code,
            "insurance": m.record.insurance,
            "reason": m.reason,
        }
        for m in selectors.marks(request.user, _area(request, q.area), action=q.action)
    ]
