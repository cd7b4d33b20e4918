"""The `subsidy:` section of a policy pack: who has the government pay their resident insurance
premiums (代缴), how much, back-pay for the 60+ (补缴), early pension (提前领取) — 社保扶贫参数.

Every number is a dated `Parameter` with its source sentence or `assumed:` reason, in the same
YAML files as the medical rules. Yearly amounts (个人缴费标准, 最低缴费档次) are tables
keyed by insurance year, so a new year is a new line in the file, not new code.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Literal

from django.conf import settings

from fupin.months import add_months, month_start
from fupin.policy.packs import PackError, load_pack
from fupin.policy.params import BP, Fen, Parameter, Ratio, Strict, round_half_up

SECTION = "subsidy"

Group = Literal[
    "poor", "exited_policy", "dibao", "tekun", "wubao", "disability_1_2", "disability_1_3"
]
# What a list entry's outcome is called, per list (名单): shown on the lists and the person page.
OUTCOME_LABELS = {
    "premium": {"entitled": "应代缴", "excluded": "不予代缴"},
    "back_pay": {"entitled": "应补缴", "excluded": "不予补缴"},
    "early_pension": {"entitled": "可提前领取", "excluded": "不列入"},
    "account_subsidy": {"entitled": "应补贴", "excluded": "不予补贴"},
}
# 代缴对象类别 in the order a tie of equal shares is settled (the more specific first).
GROUP_NAMES: dict[str, str] = {
    "tekun": "特困人员",
    "wubao": "五保户",
    "dibao": "低保对象",
    "disability_1_2": "重度残疾人（一、二级）",
    "disability_1_3": "重症残疾人（一至三级）",
    "poor": "建档立卡未标注脱贫贫困人口",
    "exited_policy": "已脱贫（享受政策）建档立卡人口",
}
INSURANCE_NAMES = {"medical": "城乡居民基本医疗保险", "pension": "城乡居民基本养老保险"}


class RulesError(ValueError):
    """A year, insurance or pack the rules do not cover; the message is Chinese."""


class MedicalSubsidy(Strict):
    """居民医保个人缴费代缴：对象及财政承担比例、各年度个人缴费标准、年中参保的待遇起始。"""

    entitled: dict[Group, Parameter[Ratio]]
    premium: Parameter[dict[int, Fen]]
    benefits_from: Parameter[Literal["next_month", "payment_day"]]


class AgeRange(Strict):
    min: int
    max: int


class BackPay(Strict):
    """60 周岁及以上未领取待遇者补缴：对象、年龄、须累计缴费年限（补缴年数 = 年限 − 已缴年限）。"""

    groups: Parameter[list[Group]]
    min_age: Parameter[int]
    required_years: Parameter[int]


class EarlyPension(Strict):
    """提前领取养老金：对象与提前年数。"""

    groups: Parameter[list[Group]]
    years: Parameter[int]


class PensionSubsidy(Strict):
    """居民养老保险代缴：对象及比例、各年度最低缴费档次、保留档次、补缴、一次性补贴、提前领取。"""

    entitled: dict[Group, Parameter[Ratio]]
    min_tier: Parameter[dict[int, Fen]]
    retained_tier_year: Parameter[int | None]
    pension_age: Parameter[int]
    age_reference: Parameter[str]
    back_pay: BackPay | None = None
    account_subsidy: Parameter[Fen | None] | None = None
    early_pension: EarlyPension | None = None
    base_pension_counts_as_income: Parameter[bool] | None = None


class SubsidyRules(Strict):
    medical: MedicalSubsidy | None = None
    pension: PensionSubsidy | None = None


class EnrolmentAges(Strict):
    pension_min_age: Parameter[int]


def default_pack_id() -> str:
    """FUPIN_SUBSIDY_PACK, else the county pack (FUPIN_POLICY_PACK)."""
    return os.environ.get("FUPIN_SUBSIDY_PACK") or settings.COUNTY_POLICY_PACK


def rules(pack_id: str | None = None) -> SubsidyRules:
    pack_id = pack_id or default_pack_id()
    try:
        pack = load_pack(pack_id)
    except PackError as exc:
        raise RulesError(str(exc)) from exc
    if not pack.has_section(SECTION):
        raise RulesError(f"政策包 {pack_id}（{pack.name}）没有社保代缴规则（subsidy 部分）")
    return pack.section(SECTION, SubsidyRules)


@dataclass(frozen=True)
class Rule:
    """One way a person gets an amount: the rule's path in the pack, its amount and source text."""

    key: str
    rule: str
    name: str
    amount_fen: int
    source: str

    def as_json(self) -> dict:
        return {
            "rule": self.rule,
            "name": self.name,
            "amount_fen": self.amount_fen,
            "source": self.source,
        }


@dataclass(frozen=True)
class YearPlan:
    """Everything a yearly run of one insurance needs, resolved for that year (no Django models)."""

    pack_id: str
    year: int
    insurance: str
    # (group, Rule) ordered by amount, then GROUP_NAMES order: the first that matches a person wins.
    groups: list[tuple[str, Rule]]
    reference_day: dt.date
    min_age: int | None = None  # pension: paying ages [min_age, pension_age)
    pension_age: int | None = None
    back_pay_groups: tuple[str, ...] = ()
    back_pay_min_age: int | None = None
    back_pay_required_years: int | None = None
    back_pay_rule: Rule | None = None  # amount_fen: one year at the minimum tier
    early_groups: tuple[str, ...] = ()
    early_years: int | None = None
    early_rule: Rule | None = None
    account_rule: Rule | None = None
    account_groups: tuple[str, ...] = ()

    def rules_json(self) -> dict:
        out = {key: rule.as_json() for _, rule in self.groups for key in [rule.key]}
        for rule in (self.back_pay_rule, self.early_rule, self.account_rule):
            if rule is not None:
                out[rule.key] = rule.as_json()
        return out


def _year_value(param: Parameter[dict[int, int]], year: int, what: str, pack_id: str) -> int:
    table = param.value
    if year not in table:
        have = "、".join(str(y) for y in sorted(table)) or "无"
        raise RulesError(
            f"政策包 {pack_id} 没有 {year} 年度的{what}（已有年度：{have}），请先在政策包中补充"
        )
    return table[year]


def _group_rules(
    entitled: dict[str, Parameter[int]],
    premium: int,
    base_rule: str,
    pack_id: str,
    premium_source: str,
) -> list[tuple[str, Rule]]:
    order = list(GROUP_NAMES)
    out = []
    for group, share in entitled.items():
        amount = round_half_up(premium * share.value, BP)
        pct = f"{share.value / 100:g}%"
        out.append(
            (
                group,
                Rule(
                    key=group,
                    rule=f"{pack_id} {base_rule}.entitled.{group}",
                    name=f"{GROUP_NAMES[group]}（财政承担{pct}）",
                    amount_fen=amount,
                    source=f"{share.source.text()}；缴费标准：{premium_source}",
                ),
            )
        )
    out.sort(key=lambda gr: (-gr[1].amount_fen, order.index(gr[0])))
    return out


def plan(*, year: int, insurance: str, pack_id: str | None = None) -> YearPlan:
    """The rules of `insurance` for `year`, or RulesError in Chinese."""
    pack_id = pack_id or default_pack_id()
    if insurance not in INSURANCE_NAMES:
        raise RulesError(
            f"险种应为 medical（医疗保险）或 pension（养老保险），填写的是“{str(insurance)[:20]}”"
        )
    if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2100:
        raise RulesError(f"年度应为 1990–2100 之间的四位数字，填写的是“{str(year)[:20]}”")
    r = rules(pack_id)
    if insurance == "medical":
        m = r.medical
        if m is None:
            raise RulesError(f"政策包 {pack_id} 没有医疗保险代缴规则")
        premium = _year_value(m.premium, year, "医疗保险个人缴费标准", pack_id)
        groups = _group_rules(
            m.entitled, premium, "subsidy.medical", pack_id, m.premium.source.text()
        )
        return YearPlan(
            pack_id=pack_id,
            year=year,
            insurance=insurance,
            groups=groups,
            reference_day=dt.date(year, 1, 1),
        )
    p = r.pension
    if p is None:
        raise RulesError(f"政策包 {pack_id} 没有养老保险代缴规则")
    tier_year = year
    retained = p.retained_tier_year.value
    if retained is not None and year >= retained:
        tier_year = retained  # 提高最低缴费档次时保留现行最低档次
    tier = _year_value(p.min_tier, tier_year, "养老保险最低缴费档次", pack_id)
    source = p.min_tier.source.text() + (
        f"；保留 {retained} 年度最低档次：{p.retained_tier_year.source.text()}"
        if tier_year != year
        else ""
    )
    groups = _group_rules(p.entitled, tier, "subsidy.pension", pack_id, source)
    month, day = (int(x) for x in p.age_reference.value.split("-"))
    ages = load_pack(pack_id).section("enrolment", EnrolmentAges)
    kw: dict = {}
    if p.back_pay is not None:
        b = p.back_pay
        kw.update(
            back_pay_groups=tuple(b.groups.value),
            back_pay_min_age=b.min_age.value,
            back_pay_required_years=b.required_years.value,
            back_pay_rule=Rule(
                key="back_pay",
                rule=f"{pack_id} subsidy.pension.back_pay",
                name=f"{b.min_age.value}周岁及以上补缴（每年按最低档次）",
                amount_fen=tier,
                source=f"{b.min_age.source.text()}；缴费年限：{b.required_years.source.text()}；档次：{source}",
            ),
        )
    if p.early_pension is not None:
        e = p.early_pension
        kw.update(
            early_groups=tuple(e.groups.value),
            early_years=e.years.value,
            early_rule=Rule(
                key="early_pension",
                rule=f"{pack_id} subsidy.pension.early_pension",
                name=f"允许提前{e.years.value}年领取养老金",
                amount_fen=0,
                source=e.years.source.text(),
            ),
        )
    if p.account_subsidy is not None and p.account_subsidy.value and p.back_pay is not None:
        kw.update(
            account_groups=tuple(p.back_pay.groups.value),
            account_rule=Rule(
                key="account_subsidy",
                rule=f"{pack_id} subsidy.pension.account_subsidy",
                name="一次性补贴记入个人账户",
                amount_fen=p.account_subsidy.value,
                source=p.account_subsidy.source.text(),
            ),
        )
    return YearPlan(
        pack_id=pack_id,
        year=year,
        insurance=insurance,
        groups=groups,
        reference_day=dt.date(year, month, day),
        min_age=ages.pension_min_age.value,
        pension_age=p.pension_age.value,
        **kw,
    )


def born_before(day: dt.date, age: int) -> dt.date:
    """The last birth date of someone who is at least `age` on `day` (29 Feb → 28 Feb)."""
    try:
        return day.replace(year=day.year - age)
    except ValueError:
        return day.replace(year=day.year - age, day=28)


def benefits_from(paid_on: dt.date, pack_id: str | None = None) -> dt.date:
    """医保待遇起始日: the month after payment (002) or the day of payment, as the pack says."""
    m = rules(pack_id).medical
    if m is None or m.benefits_from.value == "payment_day":
        return paid_on
    return add_months(month_start(paid_on), 1)
