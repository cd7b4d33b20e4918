"""The typed schema of a policy pack (政策包).

A pack is one YAML file: identity, effective period, a few reference figures, and sections.
The `medical` section is settled by this package. Other modules add their own top-level
sections (e.g. `employment:`) to the same files: the pack keeps them, checks that every
parameter in them carries a source, and hands them out typed through `Pack.section()`.

Each layer has general rules plus `variants` per person category that override single
parameters, so "建档立卡贫困人口起付标准降低50%" is one dated, sourced line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fupin.policy.params import (
    Category,
    Fen,
    Level,
    Parameter,
    Period,
    Ratio,
    Source,
    Strict,
    VisitType,
    cite,
)

M = TypeVar("M", bound=BaseModel)

LevelTable = dict[Level, Any]


def _full_levels(table: dict, what: str) -> None:
    if set(table) != {1, 2, 3}:
        raise ValueError(f"{what}须按一、二、三级医院分别给出（键 1、2、3）")


class InpatientParams(Strict):
    """基本医保住院：每次住院的起付标准、报销比例（按医院级别），年度最高支付限额。"""

    deductible: Parameter[dict[Level, Fen]] | None = None
    ratio: Parameter[dict[Level, Ratio]] | None = None
    annual_cap: Parameter[Fen | None] | None = None


class Inpatient(InpatientParams):
    variants: dict[Category, InpatientParams] = {}
    maternity: Parameter[bool] | None = Field(
        default=None,
        description="住院分娩的生育医疗费、新生儿费用按住院起付与比例支付（就诊类型 maternity）",
    )
    rehab_items_in_scope: Parameter[bool] | None = Field(
        default=None,
        description="新增医疗康复项目纳入基本医保支付范围：结算单的 rehab_cost 计入政策范围内费用",
    )
    transfer_deductible_once: Parameter[list[Category]] | None = Field(
        default=None,
        description="转院连续计算起付线：这些人员类别转院接续的住院只补足起付标准的差额",
    )
    one_deductible_diseases: Parameter[dict[str, str]] | None = Field(
        default=None,
        description="一次收取起付线的疾病（编码前缀 → 病名）：一年内第二次起的住院不再收起付线",
    )

    @model_validator(mode="after")
    def _complete(self) -> Inpatient:
        if self.deductible is None or self.ratio is None:
            raise ValueError("住院规则须给出一般人群的 deductible 与 ratio")
        for rules in (self, *self.variants.values()):
            if rules.deductible:
                _full_levels(rules.deductible.value, "住院起付标准")
            if rules.ratio:
                _full_levels(rules.ratio.value, "住院报销比例")
        return self


class ChronicParams(Strict):
    """基本医保门诊慢性病：年度起付标准，按病种类别（及医院级别）的比例，按类别的年度限额。"""

    deductible: Parameter[Fen] | None = None
    ratio: Parameter[dict[str, Ratio | dict[Level, Ratio]]] | None = None
    annual_cap: Parameter[dict[str, Fen | None]] | None = None
    critical_insurer_above: Parameter[dict[str, Fen | None]] | None = None


class Chronic(ChronicParams):
    classes: dict[str, str]
    variants: dict[Category, ChronicParams] = {}
    diseases: Parameter[dict[str, str]] | None = Field(
        default=None,
        description="文件点名纳入门诊慢性病管理的疾病（编码前缀 → 类别）：结算单未填类别时按此确定",
    )

    @model_validator(mode="after")
    def _complete(self) -> Chronic:
        if self.deductible is None or self.ratio is None:
            raise ValueError("门诊慢性病规则须给出一般人群的 deductible 与 ratio")
        for rules in (self, *self.variants.values()):
            for name in ("ratio", "annual_cap", "critical_insurer_above"):
                param = getattr(rules, name)
                if param is None:
                    continue
                unknown = set(param.value) - set(self.classes)
                if unknown:
                    raise ValueError(f"门诊慢性病 {name} 出现未定义的类别：{sorted(unknown)}")
                if name == "ratio":
                    if set(param.value) != set(self.classes):
                        raise ValueError("门诊慢性病比例须覆盖全部类别")
                    for table in param.value.values():
                        if isinstance(table, dict):
                            _full_levels(table, "门诊慢性病比例")
        if self.diseases is not None:
            unknown = set(self.diseases.value.values()) - set(self.classes)
            if unknown:
                raise ValueError(f"门诊慢性病 diseases 出现未定义的类别：{sorted(unknown)}")
        return self


class Segment(Strict):
    """大病保险的一段：年度累计合规自付费用到 `upto` 元为止（null 为以上全部），按 ratio 支付。"""

    upto: Fen | None
    ratio: Ratio


class CriticalParams(Strict):
    """大病保险：起付标准（可按比例下调或直接改写）、分段比例（可加点）、年度限额。"""

    threshold: Parameter[Fen] | None = None
    threshold_cut: Parameter[Ratio] | None = None
    below_threshold_ratio: Parameter[Ratio] | None = None
    segments: Parameter[list[Segment]] | None = None
    segment_bonus: Parameter[Ratio] | None = None
    annual_cap: Parameter[Fen | None] | None = None


class Critical(CriticalParams):
    name: str = "大病保险"
    applies_to: list[VisitType] = ["inpatient", "chronic_outpatient"]
    variants: dict[Category, CriticalParams] = {}

    @model_validator(mode="after")
    def _complete(self) -> Critical:
        if self.threshold is None or self.segments is None:
            raise ValueError("大病保险须给出一般人群的 threshold 与 segments")
        for rules in (self, *self.variants.values()):
            if rules.segments is None:
                continue
            bounds = [s.upto for s in rules.segments.value]
            if not bounds or bounds[-1] is not None or None in bounds[:-1]:
                raise ValueError("大病保险分段须以 upto: null（以上全部）结尾，其余各段给出上限")
            if bounds[:-1] != sorted(bounds[:-1]) or len(set(bounds[:-1])) != len(bounds) - 1:
                raise ValueError("大病保险分段上限须严格递增")
        return self


class AssistanceParams(Strict):
    """医疗救助：对经基本医保、大病保险后的政策范围内自付按比例救助，年度限额。"""

    ratio: Parameter[Ratio] | None = None
    annual_cap: Parameter[Fen | None] | None = None


class Assistance(AssistanceParams):
    name: str = "医疗救助"
    applies_to: list[VisitType] = ["inpatient", "chronic_outpatient"]
    variants: dict[Category, AssistanceParams] = {}

    @model_validator(mode="after")
    def _complete(self) -> Assistance:
        if self.ratio is None:
            raise ValueError("医疗救助须给出一般人群的 ratio（可为 0%）")
        return self


class MajorDiseases(Strict):
    """重大疾病按病种定额救治：基本医保按总费用的规定比例（按医院级别）补偿，不再按起付与比例。"""

    name: str = "重大疾病按病种定额救治"
    categories: Parameter[list[Category]]
    diseases: Parameter[dict[str, str]] = Field(description="疾病编码前缀 → 病名")
    ratio: Parameter[dict[Level, Ratio]]


class CostControl(Strict):
    """单病种控费：这些病种的住院结算单标记出来并汇总上报（不改变金额）。"""

    name: str = "单病种控费"
    categories: Parameter[list[Category]]
    diseases: Parameter[dict[str, str]] = Field(description="疾病编码前缀 → 病名")


class SelfPayLine(Strict):
    """兜底保障线：住院个人自付（含目录外）不超过总费用的 max_share。"""

    name: str = "兜底保障线"
    categories: Parameter[list[Category]]
    applies_to: list[VisitType] = ["inpatient"]
    max_share: Parameter[Ratio]


class Fallback(Strict):
    self_pay_line: SelfPayLine | None = None


class MedicalRules(Strict):
    """一站式结算四层：基本医保 → 大病保险 → 医疗救助 → 兜底。"""

    inpatient: Inpatient
    major_diseases: MajorDiseases | None = None
    cost_control: CostControl | None = None
    chronic: Chronic | None = None
    critical: Critical | None = None
    assistance: Assistance | None = None
    fallback: Fallback | None = None
    category_precedence: Parameter[list[Category]] | None = Field(
        default=None,
        description="一人同日兼有几种身份（特困、低保、建档立卡）时按哪一类结算：先列的优先",
    )

    @model_validator(mode="after")
    def _precedence_lists_each_once(self) -> MedicalRules:
        order = self.category_precedence
        if order is not None and sorted(order.value) != ["dibao", "poor", "tekun"]:
            raise ValueError("category_precedence 须把 tekun、dibao、poor 三类各列一次")
        return self


class Pack(BaseModel):
    """One region's policy at one time. Unknown top-level sections are kept for other modules."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str
    name: str
    region: str
    region_id: str | None = Field(
        default=None, description="政策地区编号：同一地区的政策包按生效日期连成一条线"
    )
    documents: dict[str, str] = Field(
        default={}, description="文件名 → 居民认得的文件标题与文号（计算过程中引用）"
    )
    description: str = ""
    inherits: str | None = None
    effective: Period
    income_per_capita: Parameter[Fen] = Field(
        description="人均可支配收入（用于灾难性医疗支出线的测算）"
    )
    catastrophic_share: Parameter[Ratio] = Field(
        description="灾难性医疗支出线：年度个人自付占人均可支配收入的比例"
    )
    medical: MedicalRules | None = None

    def cite(self, source: Source) -> str:
        """A source as a resident recognises it: the document's title and number."""
        return cite(source, self.documents)

    def section(self, name: str, model: type[M]) -> M:
        """Another module's own section of this pack, validated by that module's model."""
        raw = (self.model_extra or {}).get(name)
        if raw is None:
            raise KeyError(f"政策包 {self.id} 没有 {name} 部分")
        return model.model_validate(raw)

    def has_section(self, name: str) -> bool:
        return name in (self.model_extra or {}) or (name == "medical" and self.medical is not None)

    def parameters(self) -> Iterator[tuple[str, Parameter[Any]]]:
        """Every parameter of the pack with its dotted path, medical and foreign sections alike."""
        yield "income_per_capita", self.income_per_capita
        yield "catastrophic_share", self.catastrophic_share
        if self.medical is not None:
            yield from _walk_model(self.medical, "medical")
        for name, raw in (self.model_extra or {}).items():
            yield from _walk_raw(raw, name)


def _walk_model(node: BaseModel, prefix: str) -> Iterator[tuple[str, Parameter[Any]]]:
    if isinstance(node, Parameter):
        yield prefix, node
        return
    for name in type(node).model_fields:
        value = getattr(node, name)
        if isinstance(value, BaseModel):
            yield from _walk_model(value, f"{prefix}.{name}")
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, BaseModel):
                    yield from _walk_model(item, f"{prefix}.{name}.{key}")


def _walk_raw(node: Any, prefix: str) -> Iterator[tuple[str, Parameter[Any]]]:
    if isinstance(node, dict) and "source" in node and "value" in node:
        yield prefix, Parameter[Any].model_validate(node)
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from _walk_raw(item, f"{prefix}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk_raw(item, f"{prefix}[{i}]")
