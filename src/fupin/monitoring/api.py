"""/api/v1/monitoring — return-to-poverty monitoring (防止返贫监测).

Thin: strict JSON in, selectors and services, JSON out. Another township's ids answer 404 (get_scoped);
wrong JSON types, dates out of range and refused transitions answer 422 with the Chinese reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StrictBool, StrictInt, StrictStr

from fupin.access.scope import get_scoped
from fupin.bounds import MAX_FEN, Date, Id, text
from fupin.registry.models import Household, Person

from . import selectors, services
from .models import (
    Alert,
    Check,
    Decision,
    Measure,
    MonitoredHousehold,
    MonitoringRun,
    Review,
    Signal,
    Stage,
)

router = Router(tags=["防止返贫监测"])
MAX = 500
T = TypeVar("T")
Fen = Annotated[StrictInt, Field(ge=0, le=MAX_FEN, description="金额（分）")]


def _refused(exc: Exception) -> HttpError:
    return HttpError(422, str(exc))


def _monitored(request: HttpRequest, pk: int) -> MonitoredHousehold:
    return get_scoped(MonitoredHousehold.objects.all(), request.user, pk=pk)


class AlertOut(Schema):
    id: int
    signal: str
    signal_name: str
    data: str
    value: int | None
    threshold: int | None
    rule: str
    rule_name: str
    source: str
    raised_on: dt.date
    person_id: int | None
    decided: bool

    @staticmethod
    def resolve_signal_name(obj: Alert) -> str:
        return obj.get_signal_display()

    @staticmethod
    def resolve_data(obj: Alert) -> str:
        return obj.data_text

    @staticmethod
    def resolve_rule_name(obj: Alert) -> str:
        return obj.rule_text

    @staticmethod
    def resolve_decided(obj: Alert) -> bool:
        return obj.decision_id is not None


class HouseholdOut(Schema):
    id: int
    household_id: int | None
    village_code: str
    head_name: str
    category: str
    category_name: str
    stage: str
    stage_name: str
    risk_types: list[str]
    member_count: int
    income_per_capita_fen: int | None
    alerted_on: dt.date
    check_due: dt.date
    decision_due: dt.date | None
    identified_on: dt.date | None
    removed_on: dt.date | None

    @staticmethod
    def resolve_category_name(obj: MonitoredHousehold) -> str:
        return obj.get_category_display()

    @staticmethod
    def resolve_stage_name(obj: MonitoredHousehold) -> str:
        return obj.get_stage_display()


class HouseholdDetailOut(HouseholdOut):
    alerts: list[AlertOut]

    @staticmethod
    def resolve_alerts(obj: MonitoredHousehold) -> list[Alert]:
        return list(obj.alerts.order_by("-raised_on", "-id"))


class HouseholdFilter(Schema):
    area: Annotated[str, Field(pattern=r"^\d{1,12}$")] | None = None
    stage: str | None = None
    overdue: str | None = None
    limit: Annotated[int, Field(ge=1, le=MAX)] = 100
    offset: Annotated[int, Field(ge=0, le=10_000_000)] = 0


@router.get("/monitoring/households", response=list[HouseholdOut])
def list_households(
    request: HttpRequest, filters: Query[HouseholdFilter]
) -> QuerySet[MonitoredHousehold]:
    qs = selectors.households(request.user)
    day = dt.date.today()
    if filters.area:
        qs = qs.filter(village_code__startswith=filters.area)
    if filters.stage:
        if filters.stage not in Stage.values:
            raise HttpError(422, f"阶段无效：{filters.stage}")
        qs = qs.filter(stage=filters.stage)
    if filters.overdue == "alert":
        qs = selectors.overdue_alerts(qs, day)
    elif filters.overdue == "check":
        qs = selectors.overdue_checks(qs, day)
    elif filters.overdue:
        raise HttpError(422, "overdue 只能是 alert（预警逾期未核查）或 check（核查后逾期未认定）")
    return qs.order_by("check_due", "id")[filters.offset : filters.offset + filters.limit]


@router.get("/monitoring/households/{int:pk}", response=HouseholdDetailOut)
def get_household(request: HttpRequest, pk: int) -> MonitoredHousehold:
    return _monitored(request, pk)


class CheckIn(Schema):
    checked_on: Date
    findings: text(Check, "findings")
    income_per_capita_fen: Fen | None = None


class DecisionIn(Schema):
    include: StrictBool
    reason: text(Decision, "reason")
    day: Date
    category: StrictStr = ""
    risk_types: list[StrictStr] | None = None


class MeasureIn(Schema):
    kind: text(Measure, "kind")
    description: text(Measure, "description")
    day: Date
    person_id: Id | None = None


class ReviewIn(Schema):
    reviewed_on: Date
    income_per_capita_fen: Fen
    stable: StrictBool
    note: text(Review, "note")


class RemoveIn(Schema):
    day: Date
    reason: StrictStr


class EventIn(Schema):
    household_id: Id
    signal: StrictStr
    day: Date
    description: text(Alert, "detail")
    person_id: Id | None = None


class RunIn(Schema):
    area_code: Annotated[str, Field(pattern=r"^\d{6,12}$")] | None = None
    day: Date | None = None


class RunOut(Schema):
    id: int
    area_code: str
    day: dt.date
    state: str
    step: int
    steps: int
    step_label: str
    hits: dict
    new_alerts: int
    by_township: dict
    seconds: float | None
    message: str


def _do(fn: Callable[..., T], **kwargs: object) -> T:
    try:
        return fn(**kwargs)
    except services.WorkflowError as exc:
        raise _refused(exc) from None


@router.post("/monitoring/households/{int:pk}/checks", response={201: HouseholdOut})
def check(request: HttpRequest, pk: int, data: CheckIn) -> Status:
    m = _monitored(request, pk)
    _do(services.record_check, user=request.user, monitored=m, request=request, **data.dict())
    m.refresh_from_db()
    return Status(201, m)


@router.post("/monitoring/households/{int:pk}/decision", response={201: HouseholdOut})
def decide(request: HttpRequest, pk: int, data: DecisionIn) -> Status:
    m = _monitored(request, pk)
    _do(services.decide, user=request.user, monitored=m, request=request, **data.dict())
    m.refresh_from_db()
    return Status(201, m)


@router.post("/monitoring/households/{int:pk}/measures", response={201: HouseholdOut})
def measure(request: HttpRequest, pk: int, data: MeasureIn) -> Status:
    m = _monitored(request, pk)
    person = (
        get_scoped(Person.objects.all(), request.user, pk=data.person_id)
        if data.person_id
        else None
    )
    fields = data.dict()
    fields.pop("person_id")
    _do(
        services.add_measure,
        user=request.user,
        monitored=m,
        person=person,
        request=request,
        **fields,
    )
    m.refresh_from_db()
    return Status(201, m)


@router.post("/monitoring/households/{int:pk}/reviews", response={201: HouseholdOut})
def review(request: HttpRequest, pk: int, data: ReviewIn) -> Status:
    m = _monitored(request, pk)
    _do(services.add_review, user=request.user, monitored=m, request=request, **data.dict())
    m.refresh_from_db()
    return Status(201, m)


@router.post("/monitoring/households/{int:pk}/removal", response=HouseholdOut)
def remove(request: HttpRequest, pk: int, data: RemoveIn) -> MonitoredHousehold:
    m = _monitored(request, pk)
    return _do(services.remove_risk, user=request.user, monitored=m, request=request, **data.dict())


@router.post("/monitoring/events", response={201: AlertOut})
def report(request: HttpRequest, data: EventIn) -> Status:
    hh = get_scoped(Household.objects.all(), request.user, pk=data.household_id)
    person = (
        get_scoped(Person.objects.all(), request.user, pk=data.person_id)
        if data.person_id
        else None
    )
    if data.signal not in Signal.values:
        raise HttpError(422, f"信号无效：{data.signal}")
    return Status(
        201,
        _do(
            services.report_event,
            user=request.user,
            household=hh,
            signal=data.signal,
            day=data.day,
            description=data.description,
            person=person,
            request=request,
        ),
    )


@router.post("/monitoring/runs", response={201: RunOut})
def start_run(request: HttpRequest, data: RunIn) -> Status:
    run = _do(
        services.start_run,
        user=request.user,
        area_code=data.area_code,
        day=data.day,
        request=request,
    )
    return Status(201, run)


@router.get("/monitoring/runs/{int:pk}", response=RunOut)
def get_run(request: HttpRequest, pk: int) -> MonitoringRun:
    run = get_scoped(MonitoringRun.objects.all(), request.user, pk=pk)
    services.recover_abandoned(run)
    return run
