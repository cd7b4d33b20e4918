"""指标计算: indicators declared as data, evaluated as set-based SQL per township.

An indicator's numerator and denominator are *count definitions* (JSON, see data/indicators.yaml):

    model:       "employment.Referral"      a fupin table whose rows carry a village code
    filter:      {status__in: [hired, left]} Django lookups on that table (forward relations only)
    filter_any:  [{...}, {...}]              at least one of these condition sets
    exclude:     {...}
    date_field:  hired_on                    counted within the period, or up to its end when the
                                             indicator is cumulative (时点/累计)
    linked_any:  [{model, link, filter, min_count}]   rows that some linked rows point at (OR)
    linked_all:  [...]                                 … all of them (AND)
    count:       person                      count distinct values of a field (default: rows)
    sum:         principal_fen               add a column up instead of counting
    base:        denominator                 (numerator only) start from the denominator

Values may be `{param: "employment.follow_up_months"}` (a policy-pack parameter) or
`{period: end, minus_months: 3}` (a date relative to the period being counted), or
`{period: end, part: year}` (the year of the period's end, for yearly tables).

All indicators on one table are computed in one query: `GROUP BY substr(village_code, 1, 9)`
with one filtered aggregate each, so a bulletin for a million persons is a handful of scans.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, FieldError, ValidationError
from django.db import connection, models, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr

from fupin.access.models import User
from fupin.access.scope import scoped
from fupin.months import add_months

from .models import Indicator, IndicatorKind, ManualValue

TOWN_DIGITS = 9
SPEC_KEYS = {
    "model",
    "filter",
    "filter_any",
    "exclude",
    "date_field",
    "linked_any",
    "linked_all",
    "count",
    "sum",
    "base",
}
LINK_KEYS = {"model", "link", "filter", "exclude", "min_count"}
# Tables an indicator may count: people and their services, never accounts, audit or jobs.
SOURCE_APPS = {
    "registry",
    "employment",
    "training",
    "startup",
    "assistance",
    "appraisal",
    "insurance",
    "complaints",
    "certification",
}


class IndicatorError(ValueError):
    """An indicator definition fupin cannot evaluate, with a Chinese reason."""


# -- values ----------------------------------------------------------------------------------------
def _months_before(day: dt.date, months: int) -> dt.date:
    return add_months(day, -months)


def _param(name: str) -> Any:
    section, _, key = str(name).partition(".")
    if section != "employment" or not key:
        raise IndicatorError(f"政策参数“{name}”无法识别：应写作 employment.参数名")
    from fupin.policy.employment import rules

    try:
        return getattr(rules(), key).value
    except AttributeError:
        raise IndicatorError(f"政策包中没有参数“{name}”") from None


def resolve(value: Any, start: dt.date, end: dt.date) -> Any:
    """A spec value with its period dates and policy parameters filled in."""
    if isinstance(value, list):
        return [resolve(v, start, end) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"param"}:
        return _param(value["param"])
    if "period" in value:
        if not set(value) <= {"period", "minus_months", "minus_years", "plus_days", "part"}:
            raise IndicatorError(f"日期写法无法识别：{value}")
        base = {"start": start, "end": end}.get(value["period"])
        if base is None:
            raise IndicatorError(f"period 应为 start 或 end，而不是“{value['period']}”")
        if value.get("part") == "year":
            return base.year
        if "part" in value:
            raise IndicatorError(f"part 只能写 year，而不是“{value['part']}”")
        months = int(resolve(value.get("minus_months", 0), start, end) or 0) + 12 * int(
            value.get("minus_years", 0) or 0
        )
        return _months_before(base, months) + dt.timedelta(days=int(value.get("plus_days", 0) or 0))
    raise IndicatorError(f"值无法识别：{value}")


# -- definitions -----------------------------------------------------------------------------------
def source_model(label: Any) -> type[models.Model]:
    try:
        model = apps.get_model(str(label))
    except (LookupError, ValueError):
        raise IndicatorError(f"数据表“{label}”不存在") from None
    if model._meta.app_label not in SOURCE_APPS or not getattr(model, "AREA_CODE_FIELD", None):
        raise IndicatorError(f"数据表“{label}”不能用于指标：只能统计人员及帮扶业务数据")
    return model


def _check_path(model: type[models.Model], lookup: str) -> None:
    """Every step of a lookup path stays on fupin's service tables (never accounts or passwords)."""
    current = model
    for part in lookup.split("__"):
        try:
            f = current._meta.get_field(part)
        except FieldDoesNotExist:
            return  # a lookup such as __in / __gte: Django checks it when the query is built
        if f.is_relation:
            if f.one_to_many or f.many_to_many:
                raise IndicatorError(f"条件“{lookup}”经过一对多关系：请改用 linked_any")
            current = f.related_model
            if current._meta.app_label not in SOURCE_APPS and current._meta.app_label != "areas":
                raise IndicatorError(f"条件“{lookup}”不能引用{current._meta.verbose_name}")


def _conditions(
    model: type[models.Model],
    spec: dict,
    start: dt.date,
    end: dt.date,
    cumulative: bool,
    where: str,
) -> Q:
    q = Q()
    for key in ("filter", "exclude"):
        part = spec.get(key) or {}
        if not isinstance(part, dict):
            raise IndicatorError(f"{where}的 {key} 应为“字段: 值”的对照表")
        for lookup, value in part.items():
            _check_path(model, lookup)
            cond = Q(**{lookup: resolve(value, start, end)})
            q &= ~cond if key == "exclude" else cond
    alternatives = spec.get("filter_any") or []
    if not isinstance(alternatives, list) or not all(isinstance(a, dict) for a in alternatives):
        raise IndicatorError(f"{where}的 filter_any 应为条件表的列表")
    if alternatives:
        either = Q()
        for alt in alternatives:
            both = Q()
            for lookup, value in alt.items():
                _check_path(model, lookup)
                both &= Q(**{lookup: resolve(value, start, end)})
            either |= both
        q &= either
    date_field = spec.get("date_field")
    if date_field:
        _check_path(model, date_field)
        q &= (
            Q(**{f"{date_field}__lte": end})
            if cumulative
            else Q(**{f"{date_field}__range": (start, end)})
        )
    for mode in ("linked_any", "linked_all"):
        links = spec.get(mode) or []
        if not isinstance(links, list):
            raise IndicatorError(f"{where}的 {mode} 应为列表")
        combined = None
        for i, link in enumerate(links, 1):
            sub = _linked(model, link, start, end, f"{where}{mode} 第{i}项")
            combined = (
                sub
                if combined is None
                else (combined | sub if mode == "linked_any" else combined & sub)
            )
        if combined is not None:
            q &= combined
    return q


def _linked(model: type[models.Model], link: Any, start: dt.date, end: dt.date, where: str) -> Q:
    if (
        not isinstance(link, dict)
        or not set(link) <= LINK_KEYS
        or "model" not in link
        or "link" not in link
    ):
        raise IndicatorError(f"{where}应写明 model 和 link")
    other = source_model(link["model"])
    try:
        fk = other._meta.get_field(link["link"])
    except FieldDoesNotExist:
        raise IndicatorError(
            f"{where}：{other._meta.verbose_name}没有字段“{link['link']}”"
        ) from None
    if not fk.is_relation or fk.related_model is not model:
        raise IndicatorError(f"{where}：字段“{link['link']}”不指向{model._meta.verbose_name}")
    inner = other._default_manager.filter(
        _conditions(
            other, {k: link.get(k) for k in ("filter", "exclude")}, start, end, False, where
        )
    )
    min_count = int(resolve(link.get("min_count", 1), start, end) or 1)
    ids = inner.values(link["link"])
    if min_count > 1:
        ids = ids.annotate(_n=Count("pk")).filter(_n__gte=min_count).values(link["link"])
    return Q(pk__in=ids.order_by())


def _merged(indicator: Indicator) -> tuple[dict, dict | None]:
    den = indicator.denominator or None
    num = copy.deepcopy(indicator.numerator or {})
    if num.get("base") == "denominator":
        if not den:
            raise IndicatorError("分子写了 base: denominator，但没有分母")
        base = copy.deepcopy(den)
        for key in ("filter", "exclude"):
            base[key] = {**(base.get(key) or {}), **(num.get(key) or {})}
        if num.get("filter_any"):
            if base.get("filter_any"):
                raise IndicatorError("分子与分母不能同时写 filter_any")
            base["filter_any"] = num["filter_any"]
        for key in ("linked_any", "linked_all"):
            base[key] = (base.get(key) or []) + (num.get(key) or [])
        for key in ("count", "sum", "date_field"):
            if key in num:
                base[key] = num[key]
        num = base
    num.pop("base", None)
    return num, den


@dataclass
class _Measure:
    code: str
    role: str  # "num" / "den"
    model: type[models.Model]
    aggregate: Any


def _measure(indicator: Indicator, role: str, spec: dict, start: dt.date, end: dt.date) -> _Measure:
    where = f"指标“{indicator.name}”的{'分子' if role == 'num' else '分母'}"
    if not isinstance(spec, dict) or not spec.get("model"):
        raise IndicatorError(f"{where}应写明 model")
    unknown = set(spec) - SPEC_KEYS
    if unknown:
        raise IndicatorError(f"{where}有无法识别的项：{'、'.join(sorted(unknown))}")
    model = source_model(spec["model"])
    q = _conditions(model, spec, start, end, indicator.cumulative, where)
    if spec.get("sum"):
        _check_path(model, spec["sum"])
        agg = Sum(spec["sum"], filter=q)
    elif spec.get("count"):
        _check_path(model, spec["count"])
        agg = Count(spec["count"], filter=q, distinct=True)
    else:
        agg = Count("pk", filter=q)
    return _Measure(indicator.code, role, model, agg)


def validate(indicator: Indicator) -> None:
    """Raise IndicatorError (Chinese) unless the definition can be evaluated; builds, never runs."""
    if indicator.kind == IndicatorKind.MANUAL:
        return
    today = dt.date.today()
    num, den = _merged(indicator)
    measures = [_measure(indicator, "num", num, today, today)]
    if indicator.kind == IndicatorKind.RATIO:
        if not den:
            raise IndicatorError(f"比率指标“{indicator.name}”需要分母")
        measures.append(_measure(indicator, "den", den, today, today))
    for m in measures:
        try:
            str(m.model._default_manager.annotate(_v=m.aggregate).query)
        except (FieldError, ValidationError, ValueError, TypeError) as exc:
            raise IndicatorError(f"指标“{indicator.name}”的条件无法使用：{exc}") from None


# -- evaluation ------------------------------------------------------------------------------------
@dataclass
class Figures:
    """One indicator's numerator (and denominator) per township code (9 digits)."""

    indicator: Indicator
    num: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    den: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def value(self, town: str | None = None) -> float | int | None:
        """The figure of a township, or of everything counted (town None)."""
        n = sum(self.num.values()) if town is None else self.num.get(town, 0)
        if self.indicator.kind != IndicatorKind.RATIO:
            return n
        d = sum(self.den.values()) if town is None else self.den.get(town, 0)
        return round(100 * n / d, 1) if d else None

    def pair(self, town: str | None = None) -> tuple[int, int | None]:
        n = sum(self.num.values()) if town is None else self.num.get(town, 0)
        if self.indicator.kind != IndicatorKind.RATIO:
            return n, None
        return n, (sum(self.den.values()) if town is None else self.den.get(town, 0))


def _report_memory() -> None:
    """On PostgreSQL, room for the hashed sets of linked rows (a million persons' recommendations do not
    fit the default 4 MB, and without a hash the planner would rescan them for every person)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT set_config('work_mem', %s, true)", [f"{settings.REPORT_WORK_MEM_MB}MB"]
            )


def _run(
    by_model: dict[type[models.Model], list[_Measure]],
    out: dict,
    user: User | None,
    digits: int = TOWN_DIGITS,
) -> None:
    for model, measures in by_model.items():
        aggs = {f"m{i}": m.aggregate for i, m in enumerate(measures)}
        area = model.AREA_CODE_FIELD
        qs = model._default_manager.all()
        # user None: the county's analytics table (fupin.management.snapshots) counts every row;
        # what a person then reads of it goes through scoped().
        rows = (
            (qs if user is None else scoped(qs, user))
            .order_by()
            .annotate(_town=Substr(F(area), 1, digits))
            .values("_town")
            .annotate(**aggs)
        )
        for row in rows:
            for i, m in enumerate(measures):
                v = row[f"m{i}"] or 0
                if v:
                    getattr(out[m.code], m.role)[row["_town"]] += int(v)


def evaluate(
    indicators: list[Indicator],
    *,
    user: User | None,
    start: dt.date,
    end: dt.date,
    digits: int = TOWN_DIGITS,
) -> dict[str, Figures]:
    """Every indicator per township over [start, end], read through the user's area scope.

    One GROUP BY query per source table (all that table's indicators as filtered aggregates).
    `digits` 12 groups by village instead (the snapshot builder); user None reads every row
    (the snapshot builder only)."""
    out = {i.code: Figures(i) for i in indicators}
    by_model: dict[type[models.Model], list[_Measure]] = defaultdict(list)
    manual = []
    for ind in indicators:
        if ind.kind == IndicatorKind.MANUAL:
            manual.append(ind)
            continue
        num, den = _merged(ind)
        m = _measure(ind, "num", num, start, end)
        by_model[m.model].append(m)
        if ind.kind == IndicatorKind.RATIO and den:
            d = _measure(ind, "den", den, start, end)
            by_model[d.model].append(d)
    with transaction.atomic():
        _report_memory()
        _run(by_model, out, user, digits)
    if manual:
        qs = ManualValue.objects.filter(indicator__in=manual, month__lte=end)
        qs = qs if user is None else scoped(qs, user)
        for ind in manual:
            rows = qs.filter(indicator=ind)
            if not ind.cumulative:
                rows = rows.filter(month__gte=start.replace(day=1))
            for town, v in (
                rows.order_by()
                .annotate(_town=Substr("area_code", 1, digits))
                .values("_town")
                .annotate(v=Sum("value"))
                .values_list("_town", "v")
            ):
                out[ind.code].num[town] += int(v or 0)
    return out


def monthly(
    indicators: list[Indicator], *, user: User, start: dt.date, end: dt.date
) -> dict[str, dict[str, int]]:
    """Flow indicators (counted within a period, with a date field) month by month over [start, end]
    for the user's whole area: {code: {"2018-03": n}}. One GROUP BY month query per indicator."""
    from django.db.models.functions import TruncMonth

    out: dict[str, dict[str, int]] = {}
    for ind in indicators:
        if ind.kind not in (IndicatorKind.COUNT, IndicatorKind.SUM_FEN) or ind.cumulative:
            continue
        num, _ = _merged(ind)
        if not num.get("date_field"):
            continue
        m = _measure(ind, "num", num, start, end)
        rows = (
            scoped(m.model._default_manager.all(), user)
            .order_by()
            .annotate(_month=TruncMonth(num["date_field"].removesuffix("__date")))
            .values("_month")
            .annotate(v=m.aggregate)
        )
        series: dict[str, int] = {}
        for row in rows:
            if row["_month"] is not None and row["v"]:
                series[f"{row['_month']:%Y-%m}"] = int(row["v"])
        out[ind.code] = series
    return out
