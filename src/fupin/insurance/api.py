"""API routes for policy packs (政策包) and settlement quotes (结算测算): thin, over `fupin.policy`."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from pydantic import StrictBool

from fupin.access.scope import get_scoped
from fupin.bounds import Date
from fupin.insurance.categories import timelines
from fupin.policy import ClaimsError, PackError, list_packs, load_pack
from fupin.policy.params import CATEGORY_NAMES, fen_to_yuan
from fupin.policy.precedence import precedence_of
from fupin.policy.quote import quote
from fupin.policy.schema import Pack
from fupin.registry.models import Person

router = Router(tags=["医疗结算"])
MAX_CLAIMS = 200


class PolicyOut(Schema):
    id: str
    name: str
    region: str
    description: str
    inherits: str | None
    effective_from: date
    effective_to: date | None
    sections: list[str]


class ParameterOut(Schema):
    path: str
    value: Any = Field(description="金额以元、比例以百分数表示")
    description: str | None
    effective_from: date
    effective_to: date | None
    source_file: str | None
    quote: str | None
    assumed: str | None
    note: str | None


class PolicyDetailOut(PolicyOut):
    parameters: list[ParameterOut]


class ClaimIn(Schema):
    claim_id: str | None = None
    category: str | None = Field(
        default=None,
        description="该笔入院当日的人员类别（不填则用 category）；填写 person 时不可填",
    )
    visit_type: str = Field(description="inpatient（住院）或 chronic_outpatient（门诊慢性病）")
    hospital_level: int = Field(description="医院级别 1、2、3")
    chronic_class: str | None = None
    disease_code: str | None = None
    admission_date: Date
    total_cost: Decimal = Field(description="总费用（元，最多两位小数）")
    in_policy_cost: Decimal = Field(description="政策范围内费用（元）")
    rehab_cost: Decimal | None = Field(
        default=None,
        description="康复项目费用（元，最多两位小数）：政策范围外费用中属于政策包纳入支付范围的"
        "医疗康复项目（吉林 003：20 个新增项目）的部分，不大于总费用减政策范围内费用；不填为 0",
    )
    transfer: StrictBool = Field(
        default=False,
        description="转院接续：本次住院由上一笔住院转院而来（转院连续计算起付线）；门诊慢性病不可填",
    )


class QuoteIn(Schema):
    policy: str = Field(
        description="政策包编号（如 fuliang-2018，该日的政策）、地区编号（如 jining，按入院日期取当日政策）或 地区@日期"
    )
    category: str | None = Field(default=None, description="general、poor、dibao 或 tekun")
    person: int | None = Field(
        default=None,
        ge=1,
        le=2**62,
        description="登记人员编号：每笔的人员类别按入院当日的登记身份自动识别（身份自动识别）",
    )
    claims: list[ClaimIn] = Field(min_length=1, max_length=MAX_CLAIMS)


class StepOut(Schema):
    layer: str
    rule: str
    detail: str
    amount: str
    source: str


class ClaimQuoteOut(Schema):
    claim_id: str
    admission_date: Date
    category: str
    category_name: str
    category_basis: str | None
    period: str
    total_cost: str
    in_policy_cost: str
    basic_pay: str
    critical_pay: str
    assistance_pay: str
    fallback_pay: str
    self_pay: str
    steps: list[StepOut]
    explanation: str


class QuoteOut(Schema):
    policy: str
    category: str | None
    category_name: str | None
    claims: list[ClaimQuoteOut]
    totals: dict[str, str]


def _policy(pack: Pack) -> dict[str, Any]:
    extra = list(pack.model_extra or {})
    return {
        "id": pack.id,
        "name": pack.name,
        "region": pack.region,
        "description": pack.description,
        "inherits": pack.inherits,
        "effective_from": pack.effective.start,
        "effective_to": pack.effective.end,
        "sections": (["medical"] if pack.medical else []) + extra,
    }


@router.get("/policies", response=list[PolicyOut], summary="政策包列表")
def policies(request: HttpRequest) -> list[dict[str, Any]]:
    return [_policy(pack) for pack in list_packs()]


@router.get("/policies/{policy_id}", response=PolicyDetailOut, summary="政策包参数及出处")
def policy(request: HttpRequest, policy_id: str) -> dict[str, object]:
    try:
        pack = load_pack(policy_id)
    except PackError as exc:
        raise HttpError(404, str(exc)) from exc
    parameters = [
        {
            "path": path,
            "value": param.model_dump(mode="json")["value"],
            "description": param.description,
            "effective_from": param.effective.start,
            "effective_to": param.effective.end,
            "source_file": param.source.file,
            "quote": param.source.quote,
            "assumed": param.source.assumed,
            "note": param.source.note,
        }
        for path, param in pack.parameters()
    ]
    return {**_policy(pack), "parameters": parameters}


def _unprocessable(errors: dict[str, list[str]]) -> HttpError:
    err = HttpError(422, "数据校验未通过")
    err.errors = errors
    return err


@router.post(
    "/settlements/quote", response=QuoteOut, summary="一人医疗费用一站式结算测算（含计算过程）"
)
def settlement_quote(request: HttpRequest, payload: QuoteIn) -> dict[str, object]:
    names = "、".join(f"{k}（{v}）" for k, v in CATEGORY_NAMES.items())
    records = [claim.model_dump() for claim in payload.claims]
    for i, record in enumerate(records):
        if record["category"] is not None and record["category"] not in CATEGORY_NAMES:
            raise _unprocessable(
                {f"claims.{i}.category": [f"未知人员类别 {record['category']}，应为 {names}"]}
            )
    bases: dict[int, str] = {}
    if payload.person is not None:
        if payload.category is not None or any(r["category"] for r in records):
            raise _unprocessable(
                {"person": ["已指定登记人员：人员类别由登记信息按入院日期确定，不能另填 category"]}
            )
        person = get_scoped(Person.objects.all(), request.user, pk=payload.person)
        line = timelines([person], precedence_of(payload.policy))[person.pk]
        for i, record in enumerate(records):
            found = line.on(record["admission_date"])
            record["category"], bases[i] = found.category, found.basis
    elif payload.category not in CATEGORY_NAMES and not all(r["category"] for r in records):
        shown = payload.category or "（空）"
        raise _unprocessable({"category": [f"未知人员类别 {shown}，应为 {names}"]})
    try:
        result = quote(payload.policy, payload.category or "", records, first_row=0)
    except PackError as exc:
        raise _unprocessable({"policy": [str(exc)]}) from exc
    except ClaimsError as exc:
        errors: dict[str, list[str]] = {}
        for fault in exc.faults:
            if fault.row is None:
                key = fault.column or "__all__"
            else:
                key = f"claims.{fault.row}.{fault.column}"
            errors.setdefault(key, []).append(fault.message)
        raise _unprocessable(errors) from exc
    return {
        "policy": result.policy.id,
        "category": payload.category,
        "category_name": CATEGORY_NAMES.get(payload.category or ""),
        "claims": [
            {
                "claim_id": s.claim.claim_id,
                "admission_date": s.claim.admission_date,
                "category": s.claim.category,
                "category_name": s.category_name,
                "category_basis": bases.get(i),
                "period": s.period,
                "total_cost": fen_to_yuan(s.claim.total_cost),
                "in_policy_cost": fen_to_yuan(s.claim.in_policy_cost),
                **{k: fen_to_yuan(v) for k, v in s.parts().items()},
                "steps": [
                    {**step.__dict__, "amount": fen_to_yuan(step.amount)} for step in s.steps
                ],
                "explanation": s.explain(),
            }
            for i, s in enumerate(result.settlements)
        ],
        "totals": {k: fen_to_yuan(v) for k, v in result.totals().items()},
    }
