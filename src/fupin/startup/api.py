"""/api/v1/startup — 创业扶持: start-up guaranteed loans with their interest-subsidy schedule, start-up subsidies.

Thin: JSON in, selectors and services, JSON out; scope through `get_scoped`; a refusal of the
services becomes HTTP 422 with the Chinese reason.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StrictBool

from fupin.access.scope import get_scoped
from fupin.bounds import MAX_FEN, Date, Id, text
from fupin.policy.employment import rules
from fupin.registry.selectors import person

from . import selectors, services
from .models import Loan, StartupSubsidy
from .schedule import ScheduleError, schedule, totals

router = Router(tags=["创业扶持"])
MAX_ROWS = 500


class LoanIn(Schema):
    person_id: Id
    kind: text(Loan, "kind") = "individual"
    guaranteed: StrictBool = True
    principal_fen: int = Field(gt=0, le=MAX_FEN)
    project: text(Loan, "project")
    start_on: Date
    term_months: int = Field(24, ge=1, le=120)


class LoanOut(Schema):
    id: int
    person_id: int
    kind: str
    guaranteed: bool
    principal_fen: int
    annual_rate_bp: int
    term_months: int
    start_on: dt.date
    pack_id: str


class SubsidyIn(Schema):
    person_id: Id
    firm_name: text(StartupSubsidy, "firm_name")
    credit_code: text(StartupSubsidy, "credit_code")
    founded_on: Date
    first_firm: StrictBool


@router.post("/startup/loans", response={201: LoanOut})
def create_loan(request: HttpRequest, data: LoanIn) -> Status:
    try:
        loan = services.grant_loan(
            user=request.user,
            person=person(request.user, data.person_id),
            kind=data.kind,
            guaranteed=data.guaranteed,
            principal_fen=data.principal_fen,
            project=data.project,
            start_on=data.start_on,
            term_months=data.term_months,
            request=request,
        )
    except services.StartupError as exc:
        raise HttpError(422, str(exc)) from None
    return Status(201, loan)


@router.get("/startup/loans", response=list[LoanOut])
def list_loans(request: HttpRequest) -> QuerySet[Loan]:
    return selectors.loans(request.user)[:MAX_ROWS]


@router.get("/startup/loans/{int:pk}/schedule")
def loan_schedule(request: HttpRequest, pk: int) -> dict[str, object]:
    """贴息计划（分）：按季付息，前 N 年财政贴息。"""
    loan = get_scoped(Loan.objects.all(), request.user, pk=pk)
    r = rules(loan.pack_id)
    try:
        periods = schedule(
            principal_fen=loan.principal_fen,
            annual_rate_bp=loan.annual_rate_bp,
            term_months=loan.term_months,
            start_on=loan.start_on,
            subsidy_ratio_bp=r.loan_interest_subsidy_ratio.value,
            subsidy_years=r.loan_interest_subsidy_years.value,
        )
    except ScheduleError as exc:
        raise HttpError(422, str(exc)) from None
    return {
        "loan_id": loan.pk,
        "totals": totals(periods),
        "periods": [
            {
                "number": p.number,
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "interest_fen": p.interest_fen,
                "subsidy_fen": p.subsidy_fen,
                "borrower_fen": p.borrower_fen,
            }
            for p in periods
        ],
    }


@router.post("/startup/subsidies", response={201: dict})
def create_subsidy(request: HttpRequest, data: SubsidyIn) -> Status:
    try:
        s = services.grant_startup_subsidy(
            user=request.user,
            person=person(request.user, data.person_id),
            firm_name=data.firm_name,
            credit_code=data.credit_code,
            founded_on=data.founded_on,
            first_firm=data.first_firm,
            request=request,
        )
    except services.StartupError as exc:
        raise HttpError(422, str(exc)) from None
    return Status(201, {"id": s.pk, "amount_fen": s.amount_fen, "pack_id": s.pack_id})
