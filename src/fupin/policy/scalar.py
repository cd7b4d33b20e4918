"""The scalar path: one person's claims settled one by one, every step explained in Chinese.

This is what a resident or an auditor reads. It walks each person's claims in order of
admission date then claim id, keeping the year-to-date totals in plain variables (afresh each
calendar year) and the transfer chain (across the New Year), so each line of the trail is one
rule with its numbers and its source sentence.

Rounding (舍入): every layer's payment for a claim is rounded to the fen, half up, from the
exact product of amounts and ratios. Caps are applied to the year-to-date sum of those rounded
payments, so a cap is never exceeded by even one fen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from fupin.policy import layers
from fupin.policy.claims import MAX_LISTED_FAULTS, Claim, ClaimsError, Fault
from fupin.policy.layers import SCALAR as K
from fupin.policy.params import (
    LEVEL_NAMES,
    VISIT_TYPE_NAMES,
    cite,
    fen_to_yuan,
    percent,
    visit_kind,
)
from fupin.policy.regions import Policy, admits_maternity, as_policy, maternity_refusal
from fupin.policy.rules import Band, CategoryRules, Rule, rule_book
from fupin.policy.schema import Pack

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
    in_policy: int = 0  # in-policy cost as settled (with items the pack brings into scope)
    period: str = ""  # the policy period whose values settled the claim
    category_name: str = ""  # the person's category on the admission date
    cost_control: str | None = None  # 单病种控费 disease, flagged for the report
    trail: bool = True  # write the explanation (steps)
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
        if self.period:
            lines.append(f"适用政策：{self.period}；人员类别（入院当日）：{self.category_name}")
        for i, step in enumerate(self.steps, 1):
            lines.append(f"{i}. 【{step.layer}】{step.rule}")
            lines.append(f"   计算：{step.detail}")
            if step.source:
                lines.append(f"   依据：{step.source}")
        parts = "；".join(f"{LAYER_NAMES[k]} {yuan(v)}" for k, v in self.parts().items())
        lines.append(f"合计：{parts}；合计 {yuan(c.total_cost)}")
        return "\n".join(lines)


@dataclass
class TransferChain:
    """One person's current transfer chain (转院连续计算起付线): the highest deductible charged in
    it. A transfer joins two admissions into one episode whatever the calendar says, so the chain
    runs across the New Year; a stay that is not a transfer starts a new one."""

    deductible: int = 0


@dataclass
class YearToDate:
    """One person's running totals within one calendar year (年度累计), across any change of
    category or of policy period within the year; `chain` is the person's transfer chain, which
    alone carries over into the next year."""

    inpatient_basic_raw: int = 0
    chronic_in_policy: int = 0
    chronic_raw: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    critical_eligible: int = 0
    critical_raw: int = 0
    assistance_raw: int = 0
    chain: TransferChain = field(default_factory=TransferChain)
    one_deductible_stays: int = 0  # stays this year for a disease charged one deductible a year


def _fallback_note(rule: Rule[object], rules: CategoryRules) -> str:
    if not rule.fallback or rules.category == "general":
        return ""
    return f"（{rules.category_name}无单独规定，按一般规定）"


def _sources(*rules: Rule[object]) -> str:
    """Each sentence cited once: rules quoting the same sentence of the same document (a list of
    diseases and who is eligible for it) are one citation, their notes kept together."""
    notes: dict[tuple[str, str], list[str]] = {}
    for r in rules:
        if r.param is None:
            continue
        source = r.param.source
        body = cite(source.model_copy(update={"note": None}), r.documents)
        kept = notes.setdefault((body, r.param.effective.text()), [])
        if source.note and source.note not in kept:
            kept.append(source.note)
    return "；".join(
        f"{body}{'（' + '；'.join(kept) + '）' if kept else ''}【{period}】"
        for (body, period), kept in notes.items()
    )


def _difference(a: int, b: int) -> str:
    """`a − b` in words, never below 0: "a − b = c", or "a − b 不足 0，按 0.00 元计"."""
    if a >= b:
        return f"{yuan(a)} − {yuan(b)} = {yuan(a - b)}"
    return f"{yuan(a)} − {yuan(b)} 不足 0，按 {yuan(0)}计"


def _cap_detail(cap: int | None, before: int, pay: int) -> str:
    if cap is None:
        return ""
    return f"；年度限额 {yuan(cap)}，此前已计 {yuan(min(before, cap))}，本次可付 {yuan(pay)}"


def out_of_policy(s: Settlement, rules: CategoryRules) -> None:
    """政策范围外费用: not paid by the insurance layers — less rehabilitation items a pack brings
    into scope (新增医疗康复项目纳入支付范围)."""
    claim, ip = s.claim, rules.inpatient
    total, in_policy = claim.total_cost, claim.in_policy_cost
    s.in_policy = in_policy
    if claim.rehab_cost and ip.rehab_in_scope.value:
        s.in_policy = in_policy + claim.rehab_cost
        if s.trail:
            s.steps.append(
                Step(
                    LAYER_NAMES["basic_pay"],
                    "新增医疗康复项目纳入基本医疗保险支付范围",
                    f"政策范围内 {yuan(in_policy)} + 康复项目 {yuan(claim.rehab_cost)} = {yuan(s.in_policy)}",
                    0,
                    ip.rehab_in_scope.source(),
                )
            )
    if s.trail:
        s.steps.append(
            Step(
                LAYER_NAMES["out_of_policy"],
                "政策范围外费用不由各保险层支付，除兜底保障另有规定外由个人负担",
                f"{yuan(total)} − {yuan(s.in_policy)} = {yuan(total - s.in_policy)}",
                0,
                "",
            )
        )


def _listed(code: str | None, table: dict[str, str]) -> str | None:
    """The prefix of `table` a disease code starts with."""
    if not code or not table:
        return None
    code = code.upper()
    return next((p for p in table if code.startswith(p.upper())), None)


def _deductible(
    s: Settlement, rules: CategoryRules, ytd: YearToDate, base: int
) -> tuple[int, str, Rule[object] | None]:
    """The deductible this stay is charged, why, and the rule behind it: once per transfer chain
    (转院连续计算起付线) and once a year for the diseases so listed (肺结核一次收取起付线)."""
    ip, claim = rules.inpatient, s.claim
    charged, why, rule = base, "", None
    if claim.transfer and ip.transfer_once.value:
        charged = layers.deductible_charged(K, base, ytd.chain.deductible)
        if s.trail:
            why = f"（转院接续：此前已收 {yuan(ytd.chain.deductible)}，本次补足 {yuan(charged)}）"
        rule = ip.transfer_once
        ytd.chain.deductible = max(ytd.chain.deductible, base)
    else:
        ytd.chain.deductible = base
    if (match := _listed(claim.disease_code, ip.one_deductible.value)) is not None:
        if ytd.one_deductible_stays:
            charged = 0
            why = f"（{ip.one_deductible.value[match]}一年只收一次起付线，本年已收）"
            rule = ip.one_deductible
        ytd.one_deductible_stays += 1
    return charged, why, rule


def _major_disease(s: Settlement, rules: CategoryRules) -> tuple[str, int] | None:
    """The listed major disease and the quota ratio of this stay (按病种定额), if it is one."""
    md = rules.major_diseases
    if md is None or not md.eligible.value:
        return None
    match = _listed(s.claim.disease_code, md.diseases.value)
    ratio = md.ratio.value.get(s.claim.hospital_level)
    return None if match is None or ratio is None else (match, ratio)


def inpatient_basic_insurance(s: Settlement, rules: CategoryRules, ytd: YearToDate) -> None:
    """基本医保住院：每次起付标准、按医院级别的比例、年度限额；重大疾病按病种定额的，按总费用
    的定额比例补偿（004：“其费用城乡居民医保按80%和70%比例补偿”）."""
    claim, ip = s.claim, rules.inpatient
    level = claim.hospital_level
    base, ratio = ip.deductible.value[level], ip.ratio.value[level]
    deductible, why, deductible_rule = _deductible(s, rules, ytd, base)
    cap = ip.annual_cap.value
    major = _major_disease(s, rules)
    if major is not None:
        raw = layers.major_disease_quota(K, claim.total_cost, major[1])
    else:
        raw = layers.inpatient_basic(K, s.in_policy, deductible, ratio)
    pay = layers.within_cap(K, ytd.inpatient_basic_raw, raw, layers.cap_or_none(cap))
    before = ytd.inpatient_basic_raw
    ytd.inpatient_basic_raw += raw
    s.basic_pay = pay
    if not s.trail:
        return
    if major is not None:
        md, (match, quota) = rules.major_diseases, major
        rule = (
            f"{md.name}：{md.diseases.value[match]}（{match}）在{LEVEL_NAMES[level]}医院，"
            f"城乡居民医保按总费用的 {percent(quota)} 补偿（{rules.category_name}）"
        )
        detail = f"{yuan(claim.total_cost)} × {percent(quota)} = {yuan(raw)}"
        sources = _sources(md.ratio, md.eligible, ip.annual_cap)
    else:
        rule = (
            f"{VISIT_TYPE_NAMES[claim.visit_type]}：{LEVEL_NAMES[level]}医院每次起付标准 {yuan(base)}、"
            f"报销比例 {percent(ratio)}（{rules.category_name}）{_fallback_note(ip.ratio, rules)}{why}"
        )
        detail = (
            f"({yuan(s.in_policy)} − 起付 {yuan(deductible)}) × {percent(ratio)} = {yuan(raw)}"
            if s.in_policy >= deductible
            else f"{yuan(s.in_policy)} 未超过起付 {yuan(deductible)}，不低于 0：{yuan(raw)}"
        )
        extra = [ip.maternity] if claim.visit_type == "maternity" else []
        if deductible_rule is not None:
            extra.append(deductible_rule)
        sources = _sources(ip.deductible, ip.ratio, ip.annual_cap, *extra)
    detail += _cap_detail(cap, before, pay)
    s.steps.append(Step(LAYER_NAMES["basic_pay"], rule, detail, pay, sources))


def chronic_basic_insurance(s: Settlement, rules: CategoryRules, ytd: YearToDate) -> None:
    """基本医保门诊慢性病：年度起付标准、按类别与级别的比例、按类别的年度限额；
    限额内超过 `critical_insurer_above` 的段由大病保险承办方支付."""
    claim, ch = s.claim, rules.chronic
    assert ch is not None and claim.chronic_class is not None  # guaranteed by validation
    cls, level, in_policy = claim.chronic_class, claim.hospital_level, s.in_policy
    deductible = ch.deductible.value
    before = ytd.chronic_in_policy
    excess = layers.chronic_over_deductible(K, before, in_policy, deductible)
    ratio = ch.ratio.value[cls][level]
    raw = layers.chronic_basic(K, excess, ratio)
    cap = ch.annual_cap.value[cls]
    counted = ytd.chronic_raw[cls]
    pay = layers.within_cap(K, counted, raw, layers.cap_or_none(cap))
    above = ch.critical_insurer_above.value[cls]
    booked_before = min(counted, layers.cap_or_none(cap))
    basic = layers.basic_below_insurer_line(K, booked_before, pay, layers.cap_or_none(above))
    split = pay - basic
    ytd.chronic_in_policy = before + in_policy
    ytd.chronic_raw[cls] += raw
    s.basic_pay, s.chronic_split = basic, split
    s.critical_pay += split
    if not s.trail:
        return
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
            f"比例 {percent(ratio)}（{rules.category_name}）{_fallback_note(ch.ratio, rules)}",
            detail,
            basic,
            _sources(ch.deductible, ch.ratio, ch.annual_cap, ch.critical_insurer_above),
        )
    )
    if split:
        s.steps.append(
            Step(
                LAYER_NAMES["critical_pay"],
                f"{ch.classes[cls]}年度累计超过 {yuan(above)} 的段由大病保险承办方按基本医保比例支付",
                f"{yuan(pay)} − {yuan(basic)} = {yuan(split)}",
                split,
                ch.critical_insurer_above.source(),
            )
        )


def _band_text(band: Band) -> str:
    return f"{yuan(band.low)}–{'以上' if band.high is None else yuan(band.high)}"


def critical_illness_insurance(s: Settlement, rules: CategoryRules, ytd: YearToDate) -> None:
    """大病保险：年度累计政策范围内自付按分段比例支付，年度限额；每段的算式写入计算过程."""
    cr, claim = rules.critical, s.claim
    if cr is None or visit_kind(claim.visit_type) not in cr.applies_to:
        return
    eligible = max(s.in_policy - s.basic_pay - s.chronic_split, 0)
    before = ytd.critical_eligible
    after = before + eligible
    parts = [
        layers.critical_band(K, before, after, band.low, layers.cap_or_none(band.high), band.ratio)
        for band in cr.bands
    ]
    raw = layers.rounded(sum(parts))
    cap = cr.annual_cap.value
    counted = ytd.critical_raw
    pay = layers.within_cap(K, counted, raw, layers.cap_or_none(cap))
    ytd.critical_eligible, ytd.critical_raw = after, counted + raw
    s.critical_pay += pay
    if not s.trail:
        return
    terms = [
        f"{_band_text(band)} 段 {yuan(part // band.ratio)} × {percent(band.ratio)}"
        for band, part in zip(cr.bands, parts, strict=True)
        if part
    ]
    threshold = f"起付标准 {yuan(cr.base_threshold.value)}"
    if cr.threshold_cut.value:
        threshold += f" × (1 − {percent(cr.threshold_cut.value)}) = {yuan(cr.threshold)}"
    bands = "、".join(f"{_band_text(b)} {percent(b.ratio)}" for b in cr.bands)
    detail = (
        f"本次政策范围内自付 {_difference(s.in_policy, s.basic_pay + s.chronic_split)}；"
        f"年度累计 {yuan(before)} → {yuan(after)}；分段 {bands}；"
        f"本次落入：{' + '.join(terms) if terms else '无（均在起付标准以下）'} = {yuan(raw)}"
    )
    detail += _cap_detail(cap, counted, pay) or "；不设年度限额"
    s.steps.append(
        Step(
            LAYER_NAMES["critical_pay"],
            f"{cr.name}：{threshold}，按年度累计分段支付（{rules.category_name}）"
            f"{_fallback_note(cr.threshold_cut, rules) if cr.threshold_cut.param else ''}",
            detail,
            pay,
            _sources(
                cr.base_threshold,
                cr.threshold_cut,
                cr.below_threshold_ratio,
                cr.segments,
                cr.segment_bonus,
                cr.annual_cap,
            ),
        )
    )


def medical_assistance(s: Settlement, rules: CategoryRules, ytd: YearToDate) -> None:
    """医疗救助：经基本医保、大病保险后的政策范围内自付按比例救助，年度限额."""
    asst, claim = rules.assistance, s.claim
    if asst is None or visit_kind(claim.visit_type) not in asst.applies_to:
        return
    ratio, cap = asst.ratio.value, asst.annual_cap.value
    eligible = max(s.in_policy - s.basic_pay - s.critical_pay, 0)
    raw = layers.medical_assistance(K, eligible, ratio)
    counted = ytd.assistance_raw
    pay = layers.within_cap(K, counted, raw, layers.cap_or_none(cap))
    ytd.assistance_raw += raw
    s.assistance_pay = pay
    if not s.trail:
        return
    s.steps.append(
        Step(
            LAYER_NAMES["assistance_pay"],
            f"{asst.name}：经基本医保、大病保险后的政策范围内自付按 {percent(ratio)} 救助（{rules.category_name}）",
            f"{yuan(eligible)} × {percent(ratio)} = {yuan(raw)}" + _cap_detail(cap, counted, pay),
            pay,
            _sources(asst.ratio, asst.annual_cap),
        )
    )


def single_disease_cost_control(s: Settlement, rules: CategoryRules) -> None:
    """单病种控费: the stay is flagged for the report; the amounts do not change."""
    cc = rules.cost_control
    if cc is None or visit_kind(s.claim.visit_type) != "inpatient":
        return
    match = cc.match(s.claim.disease_code)
    if match is None:
        return
    s.cost_control = cc.diseases.value[match]
    if s.trail:
        s.steps.append(
            Step(
                "单病种控费",
                f"{cc.name}病种：{cc.diseases.value[match]}（{match}），本笔标记并计入控费汇总",
                "不改变各层金额（控费标准由医院按病种执行）",
                0,
                _sources(cc.eligible, cc.diseases),
            )
        )


def fifth_guarantee_line(s: Settlement, rules: CategoryRules) -> None:
    """兜底保障线（第五条保障线）：住院个人自付（含目录外）不超过总费用的规定比例."""
    line, claim = rules.self_pay_line, s.claim
    if (
        line is None
        or not line.eligible.value
        or visit_kind(claim.visit_type) not in line.applies_to
    ):
        return
    share, total = line.max_share.value, claim.total_cost
    limit = layers.self_pay_limit(K, total, share)
    before = s.self_pay
    pay = layers.self_pay_line(K, before, limit)
    s.fallback_pay += pay
    if s.trail:
        s.steps.append(
            Step(
                LAYER_NAMES["fallback_pay"],
                f"{line.name}：个人自付（含目录外）不超过总费用的 {percent(share)}",
                f"限额 {yuan(total)} × {percent(share)} = {yuan(limit)}（向下取整到分）；"
                f"兜底前自付 {yuan(before)}，兜底支付 {yuan(pay)}",
                pay,
                _sources(line.max_share, line.eligible),
            )
        )


def settle_claim(
    claim: Claim, rules: CategoryRules, ytd: YearToDate, period: str = "", trail: bool = True
) -> Settlement:
    """Settle one claim given the person's year-to-date totals, which it updates; `trail=False`
    skips writing the explanation (the amounts are the same)."""
    s = Settlement(
        claim, period=period or rules.pack_id, category_name=rules.category_name, trail=trail
    )
    out_of_policy(s, rules)
    if claim.visit_type == "chronic_outpatient":
        chronic_basic_insurance(s, rules, ytd)
    else:
        inpatient_basic_insurance(s, rules, ytd)
    critical_illness_insurance(s, rules, ytd)
    medical_assistance(s, rules, ytd)
    fifth_guarantee_line(s, rules)
    single_disease_cost_control(s, rules)
    if trail:
        s.steps.append(
            Step(
                LAYER_NAMES["self_pay"],
                "总费用减去各层支付",
                f"{yuan(claim.total_cost)} − {yuan(s.paid)} = {yuan(s.self_pay)}",
                s.self_pay,
                "",
            )
        )
    return s


def assign_spans(policy: Policy, claims: list[Claim], first_row: int = 2) -> list[int]:
    """The span of each claim's admission date; ClaimsError naming row, date and periods."""
    spans, faults = [], []
    book_classes = [
        set(p.medical.chronic.classes) if p.medical and p.medical.chronic else set()
        for p in policy.packs
    ]
    for i, claim in enumerate(claims):
        span = policy.span_of(claim.admission_date)
        if span is None:
            faults.append(
                Fault(i + first_row, "admission_date", policy.refusal(claim.admission_date))
            )
        elif (
            claim.visit_type == "chronic_outpatient"
            and claim.chronic_class not in book_classes[span]
        ):
            faults.append(
                Fault(
                    i + first_row,
                    "chronic_class",
                    f"慢性病类别 {claim.chronic_class} 在 {policy.spans[span].text()} 不适用",
                )
            )
        elif claim.visit_type == "maternity" and not admits_maternity(policy.spans[span].pack):
            faults.append(
                Fault(i + first_row, "visit_type", maternity_refusal(policy.spans[span].text()))
            )
        spans.append(span if span is not None else -1)
    if faults:
        raise ClaimsError(faults[:MAX_LISTED_FAULTS], total=len(faults))
    return spans


def settle_claims(
    policy: Policy | Pack | str, claims: Iterable[Claim], first_row: int = 2, trail: bool = True
) -> list[Settlement]:
    """Settle claims (any persons) under `policy`; results come back in the input order.

    Each claim meets the values in force on its admission date (or the policy's one date) for
    the category it carries — the person's category on that day; a person's year-to-date
    totals run across a change of category or of period within the year and start afresh each
    calendar year, while a transfer chain (转院) runs across the New Year.
    """
    policy = as_policy(policy)
    claims = list(claims)
    spans = assign_spans(policy, claims, first_row)
    book = rule_book(policy)
    persons: dict[str, list[int]] = defaultdict(list)
    for i, claim in enumerate(claims):
        persons[claim.person_id].append(i)
    results: list[Settlement | None] = [None] * len(claims)
    for indexes in persons.values():
        chain, ytd, year = TransferChain(), YearToDate(), None
        indexes.sort(key=lambda i: (claims[i].admission_date, claims[i].claim_id))
        for i in indexes:
            if claims[i].admission_date.year != year:
                ytd, year = YearToDate(chain=chain), claims[i].admission_date.year
            span = spans[i]
            results[i] = settle_claim(
                claims[i],
                book.rules(span, claims[i].category),
                ytd,
                policy.spans[span].text(),
                trail,
            )
    return [r for r in results if r is not None]
