"""The scalar path: one person's claims settled one by one, every step explained in Chinese.

This is what a resident or an auditor reads. It walks each person's calendar year in order of
admission date then claim id, keeping the year-to-date totals in plain variables, so each
line of the trail is one rule with its numbers and its source sentence.

Rounding (舍入): every layer's payment for a claim is rounded to the fen, half up, from the
exact product of amounts and ratios. Caps are applied to the year-to-date sum of those rounded
payments, so a cap is never exceeded by even one fen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from fupin.policy.claims import Claim, ClaimsError, Fault
from fupin.policy.params import (
    BP,
    LEVEL_NAMES,
    VISIT_TYPE_NAMES,
    fen_to_yuan,
    percent,
    round_half_up,
)
from fupin.policy.rules import CategoryRules, Rule, all_rules, band_numerator
from fupin.policy.schema import Pack

LAYERS = ("basic_pay", "critical_pay", "assistance_pay", "fallback_pay")
LAYER_NAMES = {
    "out_of_policy": "政策范围外费用",
    "basic_pay": "基本医疗保险",
    "critical_pay": "大病保险",
    "assistance_pay": "医疗救助",
    "fallback_pay": "兜底保障",
    "self_pay": "个人自付",
}


def yuan(fen: int | None) -> str:
    return "不设限额" if fen is None else f"{fen_to_yuan(fen)} 元"


@dataclass(frozen=True)
class Step:
    """One line of the explanation trail."""

    layer: str
    rule: str
    detail: str
    amount: int
    source: str


@dataclass
class Settlement:
    """The split of one claim, in fen; the five parts add up to total_cost."""

    claim: Claim
    basic_pay: int = 0
    critical_pay: int = 0
    assistance_pay: int = 0
    fallback_pay: int = 0
    chronic_split: int = 0  # part of critical_pay: the critical insurer's segment of a chronic cap
    steps: list[Step] = field(default_factory=list)

    @property
    def self_pay(self) -> int:
        return self.claim.total_cost - self.paid

    @property
    def paid(self) -> int:
        return self.basic_pay + self.critical_pay + self.assistance_pay + self.fallback_pay

    def parts(self) -> dict[str, int]:
        return {
            "basic_pay": self.basic_pay,
            "critical_pay": self.critical_pay,
            "assistance_pay": self.assistance_pay,
            "fallback_pay": self.fallback_pay,
            "self_pay": self.self_pay,
        }

    def explain(self) -> str:
        c = self.claim
        head = (
            f"结算单 {c.claim_id}｜人员 {c.person_id}｜{VISIT_TYPE_NAMES[c.visit_type]}｜"
            f"{LEVEL_NAMES[c.hospital_level]}医院｜入院 {c.admission_date.isoformat()}｜"
            f"总费用 {yuan(c.total_cost)}，政策范围内 {yuan(c.in_policy_cost)}"
        )
        lines = [head]
        for i, step in enumerate(self.steps, 1):
            lines.append(f"{i}. 【{step.layer}】{step.rule}")
            lines.append(f"   计算：{step.detail}")
            if step.source:
                lines.append(f"   依据：{step.source}")
        parts = "；".join(f"{LAYER_NAMES[k]} {yuan(v)}" for k, v in self.parts().items())
        lines.append(f"合计：{parts}；合计 {yuan(c.total_cost)}")
        return "\n".join(lines)


@dataclass
class YearToDate:
    """One person's running totals within one calendar year (年度累计)."""

    inpatient_basic_raw: int = 0
    chronic_in_policy: int = 0
    chronic_raw: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    critical_eligible: int = 0
    critical_raw: int = 0
    assistance_raw: int = 0


def capped(before: int, amount: int, cap: int | None) -> int:
    """The part of `amount` that fits under `cap` when `before` has already been counted."""
    if cap is None:
        return amount
    return min(before + amount, cap) - min(before, cap)


def _fallback_note(rule: Rule[object], rules: CategoryRules) -> str:
    if not rule.fallback or rules.category == "general":
        return ""
    return f"（{rules.category_name}无单独规定，按一般规定）"


def _who(rules: CategoryRules) -> str:
    return rules.category_name


def settle_claim(claim: Claim, rules: CategoryRules, ytd: YearToDate) -> Settlement:
    """Settle one claim given the person's year-to-date totals, which it updates."""
    s = Settlement(claim)
    total, in_policy = claim.total_cost, claim.in_policy_cost
    s.steps.append(
        Step(
            LAYER_NAMES["out_of_policy"],
            "政策范围外费用不由各保险层支付，除兜底保障另有规定外由个人负担",
            f"{yuan(total)} − {yuan(in_policy)} = {yuan(total - in_policy)}",
            0,
            "",
        )
    )

    split = 0
    if claim.visit_type == "inpatient":
        ip = rules.inpatient
        level = claim.hospital_level
        deductible, ratio = ip.deductible.value[level], ip.ratio.value[level]
        excess = max(in_policy - deductible, 0)
        raw = round_half_up(excess * ratio)
        cap = ip.annual_cap.value
        pay = capped(ytd.inpatient_basic_raw, raw, cap)
        detail = f"({yuan(in_policy)} − 起付 {yuan(deductible)}) × {percent(ratio)} = {yuan(raw)}"
        if cap is not None:
            detail += (
                f"；年度限额 {yuan(cap)}，此前已计 {yuan(min(ytd.inpatient_basic_raw, cap))}，"
                f"本次可付 {yuan(pay)}"
            )
        ytd.inpatient_basic_raw += raw
        s.basic_pay = pay
        s.steps.append(
            Step(
                LAYER_NAMES["basic_pay"],
                f"住院：{LEVEL_NAMES[level]}医院每次起付标准 {yuan(deductible)}、报销比例 {percent(ratio)}"
                f"（{_who(rules)}）{_fallback_note(ip.ratio, rules)}",
                detail,
                pay,
                "；".join(
                    dict.fromkeys(
                        r.source() for r in (ip.deductible, ip.ratio, ip.annual_cap) if r.param
                    )
                ),
            )
        )
    else:
        ch = rules.chronic
        assert ch is not None and claim.chronic_class is not None  # guaranteed by validation
        cls, level = claim.chronic_class, claim.hospital_level
        deductible = ch.deductible.value
        before = ytd.chronic_in_policy
        after = before + in_policy
        excess = max(after - deductible, 0) - max(before - deductible, 0)
        ratio = ch.ratio.value[cls][level]
        raw = round_half_up(excess * ratio)
        cap = ch.annual_cap.value[cls]
        counted = ytd.chronic_raw[cls]
        pay = capped(counted, raw, cap)
        above = ch.critical_insurer_above.value[cls]
        booked_before = counted if cap is None else min(counted, cap)
        basic = pay if above is None else capped(booked_before, pay, above)
        split = pay - basic
        ytd.chronic_in_policy = after
        ytd.chronic_raw[cls] += raw
        s.basic_pay = basic
        detail = (
            f"年度起付 {yuan(deductible)}（此前累计 {yuan(before)}），本次超过起付部分 {yuan(excess)}"
            f" × {percent(ratio)} = {yuan(raw)}"
        )
        if cap is not None:
            detail += f"；{ch.classes[cls]}年度限额 {yuan(cap)}，此前已计 {yuan(booked_before)}，本次可付 {yuan(pay)}"
        if above is not None:
            detail += f"；其中累计超过 {yuan(above)} 的 {yuan(split)} 由大病保险承办方支付"
        s.steps.append(
            Step(
                LAYER_NAMES["basic_pay"],
                f"门诊慢性病（{ch.classes[cls]}，{LEVEL_NAMES[level]}医院）：年度起付 {yuan(deductible)}、"
                f"比例 {percent(ratio)}（{_who(rules)}）{_fallback_note(ch.ratio, rules)}",
                detail,
                basic,
                "；".join(
                    dict.fromkeys(
                        r.source()
                        for r in (ch.deductible, ch.ratio, ch.annual_cap, ch.critical_insurer_above)
                        if r.param
                    )
                ),
            )
        )
        s.chronic_split = split
        if split:
            s.critical_pay += split
            s.steps.append(
                Step(
                    LAYER_NAMES["critical_pay"],
                    f"{ch.classes[cls]}年度累计超过 {yuan(above)} 的段由大病保险承办方按基本医保比例支付",
                    f"{yuan(pay)} − {yuan(basic)} = {yuan(split)}",
                    split,
                    ch.critical_insurer_above.source(),
                )
            )

    if (cr := rules.critical) is not None:
        if claim.visit_type in cr.applies_to:
            eligible = in_policy - s.basic_pay - split
            before = ytd.critical_eligible
            after = before + eligible
            raw = round_half_up(band_numerator(cr.bands, after) - band_numerator(cr.bands, before))
            cap = cr.annual_cap.value
            pay = capped(ytd.critical_raw, raw, cap)
            ytd.critical_eligible, ytd.critical_raw = after, ytd.critical_raw + raw
            s.critical_pay += pay
            bands = "、".join(
                f"{yuan(b.low)}–{'以上' if b.high is None else yuan(b.high)} {percent(b.ratio)}"
                for b in cr.bands
            )
            threshold = f"起付标准 {yuan(cr.base_threshold.value)}"
            if cr.threshold_cut.value:
                threshold += f" × (1 − {percent(cr.threshold_cut.value)}) = {yuan(cr.threshold)}"
            detail = (
                f"本次政策范围内自付 {yuan(in_policy)} − {yuan(s.basic_pay + split)} = {yuan(eligible)}；"
                f"年度累计 {yuan(before)} → {yuan(after)}；分段 {bands}；本次应付 {yuan(raw)}"
            )
            if cap is not None:
                detail += f"；年度限额 {yuan(cap)}，此前已计 {yuan(min(ytd.critical_raw - raw, cap))}，本次可付 {yuan(pay)}"
            else:
                detail += "；不设年度限额"
            s.steps.append(
                Step(
                    LAYER_NAMES["critical_pay"],
                    f"{cr.name}：{threshold}，按年度累计分段支付（{_who(rules)}）"
                    f"{_fallback_note(cr.threshold_cut, rules) if cr.threshold_cut.param else ''}",
                    detail,
                    pay,
                    "；".join(
                        dict.fromkeys(
                            r.source()
                            for r in (
                                cr.base_threshold,
                                cr.threshold_cut,
                                cr.below_threshold_ratio,
                                cr.segments,
                                cr.segment_bonus,
                                cr.annual_cap,
                            )
                            if r.param
                        )
                    ),
                )
            )

    if (asst := rules.assistance) is not None and claim.visit_type in asst.applies_to:
        ratio, cap = asst.ratio.value, asst.annual_cap.value
        eligible = in_policy - s.basic_pay - s.critical_pay
        raw = round_half_up(eligible * ratio)
        pay = capped(ytd.assistance_raw, raw, cap)
        detail = f"{yuan(eligible)} × {percent(ratio)} = {yuan(raw)}"
        if cap is not None:
            detail += f"；年度限额 {yuan(cap)}，此前已计 {yuan(min(ytd.assistance_raw, cap))}，本次可付 {yuan(pay)}"
        ytd.assistance_raw += raw
        s.assistance_pay = pay
        s.steps.append(
            Step(
                LAYER_NAMES["assistance_pay"],
                f"{asst.name}：经基本医保、大病保险后的政策范围内自付按 {percent(ratio)} 救助（{_who(rules)}）",
                detail,
                pay,
                "；".join(
                    dict.fromkeys(r.source() for r in (asst.ratio, asst.annual_cap) if r.param)
                ),
            )
        )

    if (md := rules.major_diseases) is not None and md.eligible.value:
        code = claim.disease_code or ""
        match = next((p for p in md.diseases.value if code.startswith(p.upper())), None)
        ratio = md.ratio.value.get(claim.hospital_level)
        if claim.visit_type == "inpatient" and match is not None and ratio is not None:
            guaranteed = round_half_up(total * ratio)
            top = max(guaranteed - s.paid, 0)
            s.fallback_pay += top
            s.steps.append(
                Step(
                    LAYER_NAMES["fallback_pay"],
                    f"{md.name}：{md.diseases.value[match]}（{match}）在{LEVEL_NAMES[claim.hospital_level]}医院，"
                    f"合计补偿不低于总费用的 {percent(ratio)}",
                    f"{yuan(total)} × {percent(ratio)} = {yuan(guaranteed)}；前三层已付 {yuan(s.paid - top)}，"
                    f"补足 {yuan(top)}",
                    top,
                    md.ratio.source(),
                )
            )

    if (line := rules.self_pay_line) is not None and line.eligible.value:
        if claim.visit_type in line.applies_to:
            share = line.max_share.value
            limit = total * share // BP
            before = s.self_pay
            pay = max(before - limit, 0)
            s.fallback_pay += pay
            s.steps.append(
                Step(
                    LAYER_NAMES["fallback_pay"],
                    f"{line.name}：个人自付（含目录外）不超过总费用的 {percent(share)}",
                    f"限额 {yuan(total)} × {percent(share)} = {yuan(limit)}（向下取整到分）；"
                    f"兜底前自付 {yuan(before)}，兜底支付 {yuan(pay)}",
                    pay,
                    line.max_share.source(),
                )
            )

    s.steps.append(
        Step(
            LAYER_NAMES["self_pay"],
            "总费用减去各层支付",
            f"{yuan(total)} − {yuan(s.paid)} = {yuan(s.self_pay)}",
            s.self_pay,
            "",
        )
    )
    return s


def settle_claims(pack: Pack, claims: Iterable[Claim]) -> list[Settlement]:
    """Settle claims (any persons) under `pack`; results come back in the input order."""
    claims = list(claims)
    rules = all_rules(pack)
    years: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, claim in enumerate(claims):
        years[(claim.person_id, claim.admission_date.year)].append(i)
    results: list[Settlement | None] = [None] * len(claims)
    for (person, year), indexes in years.items():
        categories = {claims[i].category for i in indexes}
        if len(categories) > 1:
            raise ClaimsError(
                [
                    Fault(
                        None,
                        "category",
                        f"人员 {person} 在 {year} 年有多个人员类别 {sorted(categories)}，请按年度拆分或更正",
                    )
                ]
            )
        ytd = YearToDate()
        indexes.sort(key=lambda i: (claims[i].admission_date, claims[i].claim_id))
        for i in indexes:
            results[i] = settle_claim(claims[i], rules[claims[i].category], ytd)
    return [r for r in results if r is not None]
