"""测算结果导出: the result of the settlement calculator page (医疗费用一站式结算测算) as xlsx — the
claims entered, each claim's split in 元 (two decimals) under each scenario, every step of the trail
with its source, and the policy (region, date, periods) each scenario was settled under.

Nothing is stored; the file is built from the same quotes the page shows and audited as an export.
"""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, HttpResponse

from fupin.policy.params import LEVEL_NAMES, VISIT_TYPE_NAMES, fen_to_yuan
from fupin.policy.quote import Quote
from fupin.web.xlsx import xlsx_response

PARTS = (
    ("basic_pay", "基本医保"),
    ("critical_pay", "大病保险"),
    ("assistance_pay", "医疗救助"),
    ("fallback_pay", "兜底保障"),
    ("self_pay", "个人自付"),
)


def yuan(fen: int) -> Decimal:
    """Fen as 元 with two decimals, exact (a number in the sheet, shown as 0.00)."""
    return Decimal(fen_to_yuan(fen))


def _class_names(quote: Quote) -> dict[str, str]:
    names: dict[str, str] = {}
    for pack in quote.policy.packs:
        if pack.medical and pack.medical.chronic:
            for code, name in pack.medical.chronic.classes.items():
                names.setdefault(code, name)
    return names


def _claims(quote: Quote) -> list[list]:
    classes = _class_names(quote)
    rows = []
    for s in quote.settlements:
        c = s.claim
        rows.append([
            c.claim_id, c.admission_date.isoformat(), VISIT_TYPE_NAMES.get(c.visit_type, c.visit_type),
            LEVEL_NAMES.get(c.hospital_level, str(c.hospital_level)),
            classes.get(c.chronic_class or "", c.chronic_class or ""), c.disease_code or "",
            yuan(c.total_cost), yuan(c.in_policy_cost), yuan(c.rehab_cost), "是" if c.transfer else "否",
        ])  # fmt: skip
    return rows


def _splits(titled: list[tuple[str, Quote]]) -> list[list]:
    rows = []
    for title, quote in titled:
        for s in quote.settlements:
            parts = s.parts()
            rows.append([title, s.claim.claim_id, s.category_name, s.period, yuan(s.claim.total_cost),
                         *(yuan(parts[k]) for k, _ in PARTS)])  # fmt: skip
        totals = quote.totals()
        rows.append([title, "合计", "", "", yuan(totals["total_cost"]),
                     *(yuan(totals[k]) for k, _ in PARTS)])  # fmt: skip
    return rows


def _steps(titled: list[tuple[str, Quote]]) -> list[list]:
    return [
        [
            title,
            s.claim.claim_id,
            i,
            step.layer,
            step.rule,
            step.detail,
            yuan(step.amount),
            step.source,
        ]
        for title, quote in titled
        for s in quote.settlements
        for i, step in enumerate(s.steps, start=1)
    ]


def _policies(titled: list[tuple[str, Quote]]) -> list[list]:
    rows = []
    for title, quote in titled:
        policy = quote.policy
        day = policy.at.isoformat() if policy.at else "按各笔入院日期取当日政策"
        for span in policy.spans:
            rows.append([title, policy.region.name, day, span.text(), span.pack.name,
                         "；".join(span.pack.documents.values())])  # fmt: skip
    return rows


def quote_xlsx(
    request: HttpRequest, scenarios: list[tuple[str, Quote]], *, filename: str = "医疗费用结算测算"
) -> HttpResponse:
    """The xlsx of the page's scenarios (title, quote), all settled; audited as an export."""
    first = scenarios[0][1]
    sheets = [
        ("结算单", ["结算单", "入院日期", "就诊类型", "医院级别", "慢性病类别", "疾病编码", "总费用(元)",
                  "政策范围内费用(元)", "康复项目费用(元)", "转院接续"], _claims(first)),
        ("分担", ["方案", "结算单", "入院当日人员类别", "适用政策期间", "总费用(元)",
                *(f"{name}(元)" for _, name in PARTS)], _splits(scenarios)),
        ("计算过程", ["方案", "结算单", "步骤", "层次", "规则", "计算", "金额(元)", "依据"], _steps(scenarios)),
        ("政策", ["方案", "政策地区", "政策日期", "政策期间", "政策包", "政策文件"], _policies(scenarios)),
    ]  # fmt: skip
    titles = "；".join(title for title, _ in scenarios)
    return xlsx_response(
        user=request.user,
        request=request,
        filename=f"{filename}.xlsx",
        sheets=sheets,
        summary=f"导出医疗费用结算测算结果（{titles}，{len(first.settlements)} 笔）",
        unmasked=False,
    )
