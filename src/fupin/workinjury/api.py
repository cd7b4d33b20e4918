"""/api/v1/workinjury — 工伤认定绿色通道. Thin: strict JSON in, services, JSON out. Another
township's ids answer 404 (get_scoped); refused steps and wrong types answer 422 in Chinese."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import StrictBool, StrictInt, StrictStr

from fupin.access.scope import get_scoped
from fupin.bounds import MAX_FEN, Date, text

from . import selectors, services
from .clocks import decision_clock, investigation_clock
from .models import Decision, InjuryCase, Recovery
from .rules import rules

router = Router(tags=["工伤认定绿色通道"])
Fen = Annotated[StrictInt, Field(ge=1, le=MAX_FEN, description="金额（分）")]


class CaseOut(Schema):
    id: int
    worker_name: str
    worker_id_number: str
    person_id: int | None
    village_code: str
    poor: bool
    employer_name: str
    project_name: str
    contract_signed: bool
    accident_on: dt.date
    accident_place: str
    injury: str
    reported_at: dt.datetime
    investigated_at: dt.datetime | None
    decision: str
    decision_name: str
    decision_reason: str
    decided_at: dt.datetime | None
    investigation_clock: str
    decision_clock: str
    first_payment_fen: int | None
    first_payment_on: dt.date | None

    @staticmethod
    def resolve_worker_id_number(obj: InjuryCase) -> str:
        return obj.masked_id

    @staticmethod
    def resolve_decision_name(obj: InjuryCase) -> str:
        return obj.get_decision_display()

    @staticmethod
    def resolve_investigation_clock(obj: InjuryCase) -> str:
        return investigation_clock(obj, rules(obj.pack_id), timezone.now()).state

    @staticmethod
    def resolve_decision_clock(obj: InjuryCase) -> str:
        return decision_clock(obj, rules(obj.pack_id), timezone.now()).state


class CaseFilter(Schema):
    clock: str = Field("", description="late / warning / open / first_payment")
    poor: bool = False
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class CaseIn(Schema):
    worker_id_number: text(InjuryCase, "worker_id_number")
    worker_name: text(InjuryCase, "worker_name") = ""
    village_code: Annotated[StrictStr, Field(max_length=12)] = ""
    employer_name: text(InjuryCase, "employer_name")
    project_name: text(InjuryCase, "project_name") = ""
    contract_signed: StrictBool = False
    accident_on: Date
    accident_place: text(InjuryCase, "accident_place")
    injury: text(InjuryCase, "injury")


class NoteIn(Schema):
    note: text(InjuryCase, "investigation_note")


class DecisionIn(Schema):
    decision: StrictStr
    reason: text(InjuryCase, "decision_reason")


class FirstPaymentIn(Schema):
    amount_fen: Fen
    reason: text(InjuryCase, "first_payment_reason")


def _refused(exc: Exception) -> HttpError:
    return HttpError(422, str(exc))


def _case(request: HttpRequest, pk: int) -> InjuryCase:
    return get_scoped(InjuryCase.objects.all(), request.user, pk=pk)


@router.get("/workinjury/cases", response=list[CaseOut])
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> list[InjuryCase]:
    if filters.clock and filters.clock not in selectors.CLOCK_FILTERS:
        raise HttpError(422, f"clock 应为 {'、'.join(selectors.CLOCK_FILTERS)} 之一")
    qs = selectors.filtered(
        request.user, clock=filters.clock, poor=filters.poor, now=timezone.now()
    )
    return list(qs[filters.offset : filters.offset + filters.limit])


@router.get("/workinjury/cases/{int:pk}", response=CaseOut)
def get_case(request: HttpRequest, pk: int) -> InjuryCase:
    return _case(request, pk)


@router.post("/workinjury/cases", response={201: CaseOut})
def report_case(request: HttpRequest, payload: CaseIn) -> tuple[int, InjuryCase]:
    try:
        return 201, services.report_case(user=request.user, request=request, **payload.dict())
    except (services.WorkInjuryError, PermissionDenied) as exc:
        raise _refused(exc) from None


@router.post("/workinjury/cases/{int:pk}/investigation", response=CaseOut)
def investigate(request: HttpRequest, pk: int, payload: NoteIn) -> InjuryCase:
    case = _case(request, pk)
    try:
        return services.investigate(
            user=request.user, case=case, note=payload.note, request=request
        )
    except (services.WorkInjuryError, PermissionDenied) as exc:
        raise _refused(exc) from None


@router.post("/workinjury/cases/{int:pk}/decision", response=CaseOut)
def decide(request: HttpRequest, pk: int, payload: DecisionIn) -> InjuryCase:
    case = _case(request, pk)
    if payload.decision not in Decision.values:
        raise HttpError(422, "decision 应为 recognised、not_recognised 或 disputed")
    try:
        return services.decide(
            user=request.user,
            case=case,
            decision=payload.decision,
            reason=payload.reason,
            request=request,
        )
    except (services.WorkInjuryError, PermissionDenied) as exc:
        raise _refused(exc) from None


@router.post("/workinjury/cases/{int:pk}/first-payment", response=CaseOut)
def first_payment(request: HttpRequest, pk: int, payload: FirstPaymentIn) -> InjuryCase:
    case = _case(request, pk)
    try:
        return services.grant_first_payment(
            user=request.user,
            case=case,
            amount_fen=payload.amount_fen,
            reason=payload.reason,
            request=request,
        )
    except (services.WorkInjuryError, PermissionDenied) as exc:
        raise _refused(exc) from None


# -- 向用人单位追偿 -------------------------------------------------------------------------------


class RecoveryIn(Schema):
    amount_fen: Fen
    received_on: Date
    note: text(Recovery, "note") = ""


class WriteOffIn(Schema):
    reason: text(Recovery, "note")


class RecoveryEntryOut(Schema):
    kind: str
    amount_fen: int
    on: dt.date
    note: str


class RecoveryOut(Schema):
    case_id: int
    worker_name: str
    village_code: str
    employer_name: str
    first_payment_on: dt.date
    due_on: dt.date
    claimed_fen: int
    recovered_fen: int
    written_off_fen: int
    outstanding_fen: int
    entries: list[RecoveryEntryOut]


class RecoveryFilter(Schema):
    shown: str = Field("outstanding", description="outstanding / overdue / settled / all")
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


def _recovery_out(case: InjuryCase) -> dict:
    totals = services.recovered_totals(case)
    return {
        "case_id": case.pk,
        "worker_name": case.worker_name,
        "village_code": case.village_code,
        "employer_name": case.employer_name,
        "first_payment_on": case.first_payment_on,
        "due_on": selectors.recovery_due_on(case),
        "claimed_fen": totals["claimed"],
        "recovered_fen": totals["recovered"],
        "written_off_fen": totals["written_off"],
        "outstanding_fen": totals["outstanding"],
        "entries": [
            {"kind": e.kind, "amount_fen": e.amount_fen, "on": e.on, "note": e.note}
            for e in case.recoveries.all()
        ],
    }


@router.get("/workinjury/recoveries", response=list[RecoveryOut])
def list_recoveries(request: HttpRequest, filters: Query[RecoveryFilter]) -> list[dict]:
    if filters.shown not in selectors.RECOVERY_FILTERS:
        raise HttpError(422, f"shown 应为 {'、'.join(selectors.RECOVERY_FILTERS)} 之一")
    qs = selectors.recoveries(request.user, shown=filters.shown, today=timezone.localdate())
    return [_recovery_out(c) for c in qs[filters.offset : filters.offset + filters.limit]]


@router.get("/workinjury/cases/{int:pk}/recovery", response=RecoveryOut)
def get_recovery(request: HttpRequest, pk: int) -> dict:
    case = _case(request, pk)
    if case.first_payment_fen is None:
        raise HttpError(422, "本案没有先行支付，无需向用人单位追偿")
    return _recovery_out(case)


@router.post("/workinjury/cases/{int:pk}/recovery", response=RecoveryOut)
def add_recovery(request: HttpRequest, pk: int, payload: RecoveryIn) -> dict:
    case = _case(request, pk)
    try:
        services.record_recovery(
            user=request.user,
            case=case,
            amount_fen=payload.amount_fen,
            received_on=payload.received_on,
            note=payload.note,
            request=request,
        )
    except (services.WorkInjuryError, PermissionDenied) as exc:
        raise _refused(exc) from None
    return _recovery_out(case)


@router.post("/workinjury/cases/{int:pk}/write-off", response=RecoveryOut)
def write_off(request: HttpRequest, pk: int, payload: WriteOffIn) -> dict:
    case = _case(request, pk)
    try:
        services.write_off_recovery(
            user=request.user, case=case, reason=payload.reason, request=request
        )
    except (services.WorkInjuryError, PermissionDenied) as exc:
        raise _refused(exc) from None
    return _recovery_out(case)
