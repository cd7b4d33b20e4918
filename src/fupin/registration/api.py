"""/api/v1/registration — 全民参保登记: a township's four-insurance table and the poverty marks
out of step with the registry."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from fupin.access.scope import get_scoped, scoped
from fupin.areas.lookup import AreaNotFound

from . import selectors, services
from .models import MarkBatch, MarkBatchState
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


def _area(request: HttpRequest, text: str) -> str:
    try:
        return area_code(request.user, text)
    except AreaNotFound as exc:
        raise HttpError(422, str(exc)) from None


@router.get("/registration/table", response=list[RowOut])
def registration_table(request: HttpRequest, q: Query[AreaQuery]) -> list[dict[str, object]]:
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
def registration_marks(request: HttpRequest, q: Query[AreaQuery]) -> list[dict[str, object]]:
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


# -- 贫困人员标识调整单（编制—复核—回写） ------------------------------------------------------------


class BatchIn(Schema):
    area: str = Field(max_length=100, description="乡镇或全县（名称或代码）")
    expected: int = Field(ge=0, le=10_000_000, description="编制时看到的需调整条数")
    note: str = Field("", max_length=200)


class NoteIn(Schema):
    note: str = Field("", max_length=200)


class ChangeOut(Schema):
    action: str
    name: str
    id_number: str
    village_code: str
    insurance: str
    reason: str
    outcome: str


class BatchOut(Schema):
    id: int
    area_code: str
    state: str
    note: str
    prepared_by: str
    prepared_at: str
    checked_by: str
    checked_at: str
    check_note: str
    changes: list[ChangeOut] | None = None


def _batch_out(b: MarkBatch, *, lines: bool = False) -> dict:
    out = {
        "id": b.pk,
        "area_code": b.area_code,
        "state": b.state,
        "note": b.note,
        "prepared_by": b.prepared_by.username,
        "prepared_at": b.prepared_at.isoformat(),
        "checked_by": b.checked_by.username if b.checked_by else "",
        "checked_at": b.checked_at.isoformat() if b.checked_at else "",
        "check_note": b.check_note,
    }
    if lines:
        out["changes"] = [
            {
                "action": c.action,
                "name": c.name,
                "id_number": c.masked_id,
                "village_code": c.village_code,
                "insurance": c.insurance,
                "reason": c.reason,
                "outcome": c.outcome,
            }
            for c in b.changes.all()
        ]
    return out


def _refused(exc: Exception):
    raise HttpError(422, str(exc)) from None


@router.get("/registration/mark-batches", response=list[BatchOut])
def mark_batch_list(request: HttpRequest, state: str = Query("", max_length=20)) -> list[dict]:
    if state and state not in MarkBatchState.values:
        raise HttpError(422, "state 应为 prepared、applied 或 cancelled")
    qs = scoped(MarkBatch.objects.select_related("prepared_by", "checked_by"), request.user)
    return [_batch_out(b) for b in (qs.filter(state=state) if state else qs)[:1000]]


@router.get("/registration/mark-batches/{int:pk}", response=BatchOut)
def mark_batch_get(request: HttpRequest, pk: int) -> dict:
    return _batch_out(get_scoped(MarkBatch.objects.all(), request.user, pk=pk), lines=True)


@router.post("/registration/mark-batches", response={201: BatchOut})
def mark_batch_prepare(request: HttpRequest, data: BatchIn) -> Status:
    try:
        batch = services.prepare_marks(
            user=request.user,
            area_code=_area(request, data.area),
            expected=data.expected,
            note=data.note,
            request=request,
        )
    except services.RegistrationError as exc:
        _refused(exc)
    return Status(201, _batch_out(batch, lines=True))


@router.post("/registration/mark-batches/{int:pk}/confirm", response=BatchOut)
def mark_batch_confirm(request: HttpRequest, pk: int, data: NoteIn) -> dict:
    try:
        batch = services.confirm_marks(
            user=request.user, batch_id=pk, note=data.note, request=request
        )
    except services.RegistrationError as exc:
        _refused(exc)
    return _batch_out(batch, lines=True)


@router.post("/registration/mark-batches/{int:pk}/cancel", response=BatchOut)
def mark_batch_cancel(request: HttpRequest, pk: int, data: NoteIn) -> dict:
    try:
        batch = services.cancel_marks(
            user=request.user, batch_id=pk, note=data.note, request=request
        )
    except services.RegistrationError as exc:
        _refused(exc)
    return _batch_out(batch)
