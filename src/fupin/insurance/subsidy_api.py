"""API routes of 社保扶贫代缴: runs, lists, changes, coverage and a person's records — thin over
services (writes) and selectors (reads, scoped)."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from fupin.access.scope import get_scoped
from fupin.bounds import MAX_ID, Date, Fen, Id, Year
from fupin.registry.idnumber import mask
from fupin.registry.models import Person

from . import selectors, services
from .models import Reason, Scheme, SubsidyChange, SubsidyEntry, SubsidyRun
from .rules import INSURANCE_NAMES

router = Router(tags=["社保扶贫代缴"])
MAX_LIMIT = 500


def _422(message: str, field: str) -> HttpError:
    err = HttpError(422, message)
    err.errors = {field: [message]}
    return err


class RunIn(Schema):
    year: Year
    insurance: str = Field(description="medical（医疗保险）或 pension（养老保险）", max_length=20)


class RunOut(Schema):
    id: int
    year: int
    insurance: str
    insurance_name: str
    area_code: str
    pack_id: str
    state: str
    state_name: str
    step: int
    steps: int
    step_label: str
    percent: int
    message: str
    counts: dict
    rules: dict
    seconds: float | None

    @staticmethod
    def resolve_insurance_name(obj: SubsidyRun) -> str:
        return INSURANCE_NAMES[obj.insurance]

    @staticmethod
    def resolve_state_name(obj: SubsidyRun) -> str:
        return obj.get_state_display()


class EntryOut(Schema):
    person_id: int
    name: str
    id_number: str
    village_code: str
    outcome: str
    rule: str
    rule_name: str
    source: str
    reason: str
    reason_name: str
    years: int
    amount_fen: int

    @staticmethod
    def resolve_name(obj: SubsidyEntry) -> str:
        return obj.person.name

    @staticmethod
    def resolve_id_number(obj: SubsidyEntry) -> str:
        return mask(obj.person.id_number)

    @staticmethod
    def resolve_rule(obj: SubsidyEntry) -> str:
        return obj.run.rules.get(obj.rule, {}).get("rule", "") if obj.outcome == "entitled" else ""

    @staticmethod
    def resolve_rule_name(obj: SubsidyEntry) -> str:
        return obj.run.rules.get(obj.rule, {}).get("name", "") if obj.outcome == "entitled" else ""

    @staticmethod
    def resolve_source(obj: SubsidyEntry) -> str:
        return (
            obj.run.rules.get(obj.rule, {}).get("source", "") if obj.outcome == "entitled" else ""
        )

    @staticmethod
    def resolve_reason_name(obj: SubsidyEntry) -> str:
        return obj.get_reason_display() if obj.reason else ""


class ChangeOut(Schema):
    person_id: int
    name: str
    village_code: str
    change: str
    change_name: str
    reason: str

    @staticmethod
    def resolve_name(obj: SubsidyChange) -> str:
        return obj.person.name

    @staticmethod
    def resolve_change_name(obj: SubsidyChange) -> str:
        return obj.get_change_display()

    @staticmethod
    def resolve_reason(obj: SubsidyChange) -> str:
        from .subsidy_views import _change_reason

        return _change_reason(obj)


class PensionIn(Schema):
    status: Literal["not_enrolled", "paying", "drawing", "suspended", "terminated"]
    tier_fen: Fen | None = None
    paid_year: Year | None = None
    paid_by: Literal["", "self", "government"] = ""
    years_paid: int = Field(0, ge=0, le=80)
    drawing_since: Date | None = None
    monthly_amount_fen: Fen | None = None
    reason: str = Field(min_length=1, max_length=300)


class MedicalIn(Schema):
    year: Year
    enrolled_on: Date | None = None
    paid_by: Literal["", "self", "government"] = ""
    reason: str = Field(min_length=1, max_length=300)


def _insurance(value: str) -> str:
    try:
        return services.parse_insurance(value)
    except services.InsuranceError as exc:
        raise _422(str(exc), "insurance") from None


@router.get("/insurance/subsidy-runs", response=list[RunOut])
def list_runs(request: HttpRequest) -> list[SubsidyRun]:
    """代缴名单计算记录（本辖区）."""
    runs = list(selectors.runs(request.user)[:100])
    for r in runs:
        services.recover_abandoned(r)
    return runs


@router.post("/insurance/subsidy-runs", response={201: RunOut})
def start_run(request: HttpRequest, body: RunIn) -> Status:
    """发起某年度、某险种的代缴名单计算（本辖区，后台运行）；GET /insurance/subsidy-runs/{pk} 查看进度."""
    insurance = _insurance(body.insurance)
    try:
        run = services.start_run(
            user=request.user, year=body.year, insurance=insurance, request=request
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "无权发起计算") from None
    except services.InsuranceError as exc:
        raise _422(str(exc), "year") from None
    return Status(201, selectors.run(request.user, run.pk))


@router.get("/insurance/subsidy-runs/{pk}", response=RunOut)
def run_status(request: HttpRequest, pk: Id) -> SubsidyRun:
    """计算状态、进度与统计（按项目、规则、原因）."""
    run = selectors.run(request.user, pk)
    services.recover_abandoned(run)
    return run


@router.get("/insurance/subsidy-changes", response=list[ChangeOut])
def list_changes(
    request: HttpRequest,
    year: Year,
    insurance: str = Query("medical", max_length=20),
    change: str = Query("", max_length=10),
    town: str = Query("", max_length=12),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> list[SubsidyChange]:
    """与上年度相比的新增、减少及原因."""
    insurance = _insurance(insurance)
    qs = selectors.changes(
        request.user, year=year, insurance=insurance, change=change, town=town
    ).order_by("change", "village_code", "person_id")
    return list(qs[offset : offset + min(limit, MAX_LIMIT)])


@router.get("/insurance/subsidy-entries", response=list[EntryOut])
def list_entries(
    request: HttpRequest,
    year: Year,
    insurance: str = Query("medical", max_length=20),
    scheme: str = Query("premium", max_length=20),
    outcome: str = Query("", max_length=10),
    reason: str = Query("", max_length=14),
    town: str = Query("", max_length=12),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> list[SubsidyEntry]:
    """代缴 / 补缴 / 提前领取名单（scheme：premium、back_pay、early_pension、account_subsidy；身份证号脱敏）."""
    insurance = _insurance(insurance)
    if scheme not in Scheme.values:
        raise _422(
            f"名单“{scheme[:20]}”无效，应为 {'、'.join(f'{c}（{n}）' for c, n in Scheme.choices)}",
            "scheme",
        )
    if reason and reason not in Reason.values:
        raise _422(f"原因“{reason[:20]}”无效", "reason")
    qs = selectors.entries(
        request.user,
        year=year,
        insurance=insurance,
        scheme=scheme,
        outcome=outcome,
        reason=reason,
        town=town,
    )
    return list(qs.order_by("village_code", "person_id")[offset : offset + min(limit, MAX_LIMIT)])


@router.get("/insurance/coverage", response=list[dict])
def coverage(
    request: HttpRequest, year: Year, insurance: str = Query("medical", max_length=20)
) -> list[dict[str, object]]:
    """应保尽保：各乡镇在册、已参保、应代缴、已代缴人数及各类缺口人数."""
    insurance = _insurance(insurance)
    return [
        {
            "township": t["name"],
            "people": t["people"],
            "enrolled": t["enrolled_n"],
            "entitled": t["entitled_n"],
            "subsidised": t["subsidised_n"],
            "gaps": {name: t[f"gap_{code}"] for code, name in selectors.GAPS.items()},
        }
        for t in selectors.coverage(request.user, year=year, insurance=insurance)
    ]


def _person(request: HttpRequest, pk: int) -> Person:
    return get_scoped(Person.objects.select_related("household"), request.user, pk=pk)


def _records(request: HttpRequest, person: Person) -> dict:
    data = selectors.person_records(request.user, person)
    p = data["pension"]
    return {
        "person_id": person.pk,
        "pension": None
        if p is None
        else {
            "status": p.status,
            "status_name": p.get_status_display(),
            "tier_fen": p.tier_fen,
            "paid_year": p.paid_year,
            "paid_by": p.paid_by,
            "years_paid": p.years_paid,
            "drawing_since": p.drawing_since and p.drawing_since.isoformat(),
            "monthly_amount_fen": p.monthly_amount_fen,
        },
        "medical": [
            {
                "year": m.year,
                "enrolled_on": m.enrolled_on and m.enrolled_on.isoformat(),
                "benefits_from": m.benefits_from and m.benefits_from.isoformat(),
                "paid_by": m.paid_by,
                "paid_by_name": m.get_paid_by_display(),
            }
            for m in data["medical"]
        ],
        "entries": [
            {
                "year": e.year,
                "insurance": e.insurance,
                "scheme": e.scheme,
                "scheme_name": e.get_scheme_display(),
                "outcome": e.outcome,
                "amount_fen": e.amount_fen,
                "rule": e.run.rules.get(e.rule, {}).get("rule", "")
                if e.outcome == "entitled"
                else "",
                "source": e.run.rules.get(e.rule, {}).get("source", "")
                if e.outcome == "entitled"
                else "",
                "reason_name": e.get_reason_display() if e.reason else "",
            }
            for e in data["entries"]
        ],
        "history": [
            {
                "insurance": h.insurance,
                "year": h.year,
                "before": h.before,
                "after": h.after,
                "reason": h.reason,
                "changed_at": h.changed_at.isoformat(),
            }
            for h in data["history"]
        ],
    }


@router.get("/insurance/persons/{pk}", response=dict)
def person_records(request: HttpRequest, pk: Id) -> dict:
    """一人的养老、医疗参保记录，代缴/补缴名单结果及变更历史."""
    return _records(request, _person(request, pk))


@router.put("/insurance/persons/{pk}/pension", response=dict)
def put_pension(request: HttpRequest, pk: Id, body: PensionIn) -> dict:
    """修改养老保险参保记录（须写原因；记入变更历史和审计日志）."""
    person = _person(request, pk)
    data = body.dict()
    reason = data.pop("reason")
    try:
        services.update_pension(
            user=request.user, person=person, reason=reason, request=request, **data
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "无权修改") from None
    except services.InsuranceError as exc:
        raise _422(str(exc), "pension") from None
    return _records(request, person)


@router.put("/insurance/persons/{pk}/medical", response=dict)
def put_medical(request: HttpRequest, pk: Id, body: MedicalIn) -> dict:
    """登记或修改某年度医疗保险参保（待遇起始日期按政策包年中参保规则计算）."""
    person = _person(request, pk)
    changes: dict = {"paid_by": body.paid_by}
    if body.enrolled_on is not None:
        changes["enrolled_on"] = body.enrolled_on
    try:
        services.update_medical(
            user=request.user,
            person=person,
            year=body.year,
            reason=body.reason,
            request=request,
            **changes,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "无权修改") from None
    except services.InsuranceError as exc:
        raise _422(str(exc), "medical") from None
    return _records(request, person)
