"""Resolve a pack's medical section for one person category (按人员类别确定适用规则).

Both settlement paths read these resolved rules: the scalar path for its explanation,
the column path for its lookup tables. A category's variant overrides single parameters;
what it leaves out falls back to the general rule, and the explanation says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Generic, TypeVar

from fupin.policy.packs import PackError
from fupin.policy.params import (
    BP,
    CATEGORIES,
    CATEGORY_NAMES,
    LEVELS,
    Parameter,
    cite,
    round_half_up,
)
from fupin.policy.params import ILLUSTRATIVE_MARK as ILLUSTRATIVE_MARK
from fupin.policy.regions import Policy
from fupin.policy.schema import Pack

T = TypeVar("T")


@dataclass(frozen=True)
class Rule(Generic[T]):
    """A resolved value with the parameter it came from (None: not defined, e.g. no cap)."""

    value: T
    param: Parameter[Any] | None
    fallback: bool = False  # the category had no variant, the general rule applies
    documents: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def source(self) -> str:
        """The document by title and number, and the sentence; or the assumption, marked."""
        if self.param is None:
            return "政策包未规定（不适用）"
        text = cite(self.param.source, self.documents)
        return f"{text}【{self.param.effective.text()}】"

    @property
    def assumed(self) -> bool:
        return self.param is not None and self.param.source.is_assumed


def _pick_rule(
    general: Any, variant: Any, name: str, default: Any = None, *, docs: Mapping[str, str]
) -> Rule[Any]:
    param = getattr(variant, name, None) if variant is not None else None
    if param is not None:
        return Rule(param.value, param, documents=docs)
    param = getattr(general, name)
    if param is not None:
        return Rule(param.value, param, fallback=variant is None, documents=docs)
    return Rule(default, None, documents=docs)


@dataclass(frozen=True)
class InpatientRules:
    deductible: Rule[dict[int, int]]
    ratio: Rule[dict[int, int]]
    annual_cap: Rule[int | None]
    maternity: Rule[bool]  # 住院分娩 admitted at the inpatient rules
    rehab_in_scope: Rule[bool]  # 新增医疗康复项目 counted in policy
    transfer_once: Rule[bool]  # 转院连续计算起付线 for this category
    one_deductible: Rule[dict[str, str]]  # diseases charged one deductible a year


@dataclass(frozen=True)
class ChronicRules:
    classes: dict[str, str]
    deductible: Rule[int]
    ratio: Rule[dict[str, dict[int, int]]]  # class → level → basis points
    annual_cap: Rule[dict[str, int | None]]
    critical_insurer_above: Rule[dict[str, int | None]]
    diseases: Rule[dict[str, str]]  # disease code prefix → class, named by the documents


@dataclass(frozen=True)
class Band:
    low: int
    high: int | None
    ratio: int


@dataclass(frozen=True)
class CriticalRules:
    name: str
    applies_to: tuple[str, ...]
    base_threshold: Rule[int]
    threshold_cut: Rule[int]
    threshold: int
    below_threshold_ratio: Rule[int]
    segments: Rule[list[Any]]
    segment_bonus: Rule[int]
    annual_cap: Rule[int | None]
    bands: tuple[Band, ...]  # [0, threshold) then the segments, bonus included


@dataclass(frozen=True)
class AssistanceRules:
    name: str
    applies_to: tuple[str, ...]
    ratio: Rule[int]
    annual_cap: Rule[int | None]


@dataclass(frozen=True)
class MajorDiseaseRules:
    name: str
    eligible: Rule[bool]
    diseases: Rule[dict[str, str]]
    ratio: Rule[dict[int, int]]


@dataclass(frozen=True)
class CostControlRules:
    name: str
    eligible: Rule[bool]
    diseases: Rule[dict[str, str]]

    def match(self, code: str | None) -> str | None:
        """The listed prefix a claim's disease code starts with (for an eligible category)."""
        if not self.eligible.value or not code:
            return None
        return next((p for p in self.diseases.value if code.upper().startswith(p)), None)


@dataclass(frozen=True)
class SelfPayLineRules:
    name: str
    eligible: Rule[bool]
    applies_to: tuple[str, ...]
    max_share: Rule[int]


@dataclass(frozen=True)
class CategoryRules:
    """Everything that settles the claims of one person category under one pack."""

    pack_id: str
    category: str
    inpatient: InpatientRules
    chronic: ChronicRules | None
    critical: CriticalRules | None
    assistance: AssistanceRules | None
    major_diseases: MajorDiseaseRules | None
    self_pay_line: SelfPayLineRules | None
    cost_control: CostControlRules | None

    @property
    def category_name(self) -> str:
        return CATEGORY_NAMES[self.category]


def _chronic_ratio_table(raw: dict[str, Any]) -> dict[str, dict[int, int]]:
    return {
        cls: dict(value) if isinstance(value, dict) else dict.fromkeys(LEVELS, value)
        for cls, value in raw.items()
    }


def _bands(
    pack: Pack, threshold: int, below: int, segments: list[Any], bonus: int
) -> tuple[Band, ...]:
    bands = [Band(0, threshold, below)] if threshold > 0 else []
    low = threshold
    for segment in segments:
        ratio = segment.ratio + bonus
        if ratio > BP:
            raise PackError(f"政策包 {pack.id}：大病保险分段比例加点后超过 100%")
        high = segment.upto
        if high is None or high > low:
            bands.append(Band(low, high, ratio))
            low = high if high is not None else low
    return tuple(bands)


def resolve(pack: Pack, category: str) -> CategoryRules:
    if pack.medical is None:
        raise PackError(f"政策包 {pack.id} 没有 medical（医疗结算）部分")
    medical = pack.medical
    docs = pack.documents
    _pick = partial(_pick_rule, docs=docs)
    ip = medical.inpatient
    ip_var = ip.variants.get(category)

    def flag(param: Parameter[Any] | None, default: Any) -> Rule[Any]:
        return Rule(default if param is None else param.value, param, documents=docs)

    transfer = ip.transfer_deductible_once
    inpatient = InpatientRules(
        deductible=_pick(ip, ip_var, "deductible"),
        ratio=_pick(ip, ip_var, "ratio"),
        annual_cap=_pick(ip, ip_var, "annual_cap"),
        maternity=flag(ip.maternity, False),
        rehab_in_scope=flag(ip.rehab_items_in_scope, False),
        transfer_once=Rule(
            transfer is not None and category in transfer.value, transfer, documents=docs
        ),
        one_deductible=Rule(
            {
                k.upper(): v
                for k, v in (
                    ip.one_deductible_diseases.value.items() if ip.one_deductible_diseases else []
                )
            },
            ip.one_deductible_diseases,
            documents=docs,
        ),
    )

    chronic = None
    if (ch := medical.chronic) is not None:
        ch_var = ch.variants.get(category)
        ratio = _pick(ch, ch_var, "ratio")
        caps = _pick(ch, ch_var, "annual_cap", {})
        above = _pick(ch, ch_var, "critical_insurer_above", {})
        chronic = ChronicRules(
            classes=dict(ch.classes),
            deductible=_pick(ch, ch_var, "deductible"),
            ratio=Rule(_chronic_ratio_table(ratio.value), ratio.param, ratio.fallback, docs),
            annual_cap=Rule(
                {c: caps.value.get(c) for c in ch.classes}, caps.param, caps.fallback, docs
            ),
            critical_insurer_above=Rule(
                {c: above.value.get(c) for c in ch.classes}, above.param, above.fallback, docs
            ),
            diseases=Rule(
                {k.upper(): v for k, v in (ch.diseases.value.items() if ch.diseases else [])},
                ch.diseases,
                documents=docs,
            ),
        )

    critical = None
    if (cr := medical.critical) is not None:
        cr_var = cr.variants.get(category)
        base = _pick(cr, cr_var, "threshold")
        cut = _pick(cr, cr_var, "threshold_cut", 0)
        below = _pick(cr, cr_var, "below_threshold_ratio", 0)
        segments = _pick(cr, cr_var, "segments")
        bonus = _pick(cr, cr_var, "segment_bonus", 0)
        threshold = round_half_up(base.value * (BP - cut.value))
        critical = CriticalRules(
            name=cr.name,
            applies_to=tuple(cr.applies_to),
            base_threshold=base,
            threshold_cut=cut,
            threshold=threshold,
            below_threshold_ratio=below,
            segments=segments,
            segment_bonus=bonus,
            annual_cap=_pick(cr, cr_var, "annual_cap"),
            bands=_bands(pack, threshold, below.value, segments.value, bonus.value),
        )

    assistance = None
    if (asst := medical.assistance) is not None:
        as_var = asst.variants.get(category)
        assistance = AssistanceRules(
            name=asst.name,
            applies_to=tuple(asst.applies_to),
            ratio=_pick(asst, as_var, "ratio"),
            annual_cap=_pick(asst, as_var, "annual_cap"),
        )

    major = line = control = None
    fallback = medical.fallback
    if (cc := medical.cost_control) is not None:
        control = CostControlRules(
            name=cc.name,
            eligible=Rule(category in cc.categories.value, cc.categories, documents=docs),
            diseases=Rule(
                {k.upper(): v for k, v in cc.diseases.value.items()}, cc.diseases, documents=docs
            ),
        )
    if (md := medical.major_diseases) is not None:
        major = MajorDiseaseRules(
            name=md.name,
            eligible=Rule(category in md.categories.value, md.categories, documents=docs),
            diseases=Rule(dict(md.diseases.value), md.diseases, documents=docs),
            ratio=Rule(dict(md.ratio.value), md.ratio, documents=docs),
        )
    if fallback is not None and (sl := fallback.self_pay_line) is not None:
        line = SelfPayLineRules(
            name=sl.name,
            eligible=Rule(category in sl.categories.value, sl.categories, documents=docs),
            applies_to=tuple(sl.applies_to),
            max_share=Rule(sl.max_share.value, sl.max_share, documents=docs),
        )

    return CategoryRules(
        pack_id=pack.id,
        category=category,
        inpatient=inpatient,
        chronic=chronic,
        critical=critical,
        assistance=assistance,
        major_diseases=major,
        self_pay_line=line,
        cost_control=control,
    )


def all_rules(pack: Pack) -> dict[str, CategoryRules]:
    return {category: resolve(pack, category) for category in CATEGORIES}


@dataclass(frozen=True)
class RuleBook:
    """The resolved rules of every (span, category) of a policy; slot = span × 4 + category."""

    policy: Policy
    slots: tuple[CategoryRules, ...]

    def rules(self, span: int, category: str) -> CategoryRules:
        return self.slots[span * len(CATEGORIES) + CATEGORY_INDEX[category]]

    def classes(self) -> list[str]:
        """Chronic classes of every span, sorted (the column path numbers them)."""
        return sorted({c for r in self.slots if r.chronic for c in r.chronic.classes})


CATEGORY_INDEX = {c: i for i, c in enumerate(CATEGORIES)}


def rule_book(policy: Policy) -> RuleBook:
    return RuleBook(policy, tuple(resolve(pack, c) for pack in policy.packs for c in CATEGORIES))


def band_numerator(bands: tuple[Band, ...], amount: int) -> int:
    """Σ ratio × (part of [0, amount) inside each band), in fen × basis points (exact)."""
    total = 0
    for band in bands:
        top = amount if band.high is None else min(amount, band.high)
        if top > band.low:
            total += (top - band.low) * band.ratio
    return total
