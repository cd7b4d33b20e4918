"""The column path: a whole year of claims settled with Polars expressions, no per-claim loop.

Same rules, same arithmetic as `scalar.py`, proven equal to the fen by property tests.
Year-to-date totals become segmented cumulative sums: claims are put in order of
(person, year, admission date, claim id); each cap or annual deductible is a clip of a
running sum, and each claim's share is the difference of the clipped sum before and after it.

Sorting is the expensive part, so the order key is one u64: the person's hash in the high
bits, the day number in the low 16. Ties on one day are settled by claim id for the few rows
that need it, and a hash collision between two persons (checked every run) falls back to an
exact sort.
"""

from __future__ import annotations

import polars as pl

from fupin.policy.params import BP, CATEGORIES, LEVELS, VISIT_TYPES
from fupin.policy.rules import CategoryRules, all_rules
from fupin.policy.schema import Pack

NO_CAP = 1 << 62  # stands for "no cap": larger than any year of claims
PARTS = ("basic_pay", "critical_pay", "assistance_pay", "fallback_pay", "self_pay")
CATEGORY_ENUM = pl.Enum(list(CATEGORIES))
VISIT_ENUM = pl.Enum(list(VISIT_TYPES))
_DAY_BITS = 1 << 16


def _table(values: list[int]) -> pl.Expr:
    return pl.lit(pl.Series(values, dtype=pl.Int64))


def _lookup(values: list[int], index: pl.Expr) -> pl.Expr:
    return _table(values).gather(index)


def _cap(value: int | None) -> int:
    return NO_CAP if value is None else value


def _seg_cumsum(x: pl.Expr) -> pl.Expr:
    """Running sum restarting at every person-year (rows where `_first` is true)."""
    total = x.cum_sum()
    base = pl.when(pl.col("_first")).then(total - x).otherwise(None).forward_fill()
    return total - base


def _capped(raw: str, cap: pl.Expr) -> pl.Expr:
    """Each row's part of the running sum of `raw` that fits under `cap`."""
    running = _seg_cumsum(pl.col(raw))
    return pl.min_horizontal(running, cap) - pl.min_horizontal(running - pl.col(raw), cap)


def _round(numerator: pl.Expr) -> pl.Expr:
    return (numerator * 2 + BP) // (2 * BP)


def _order(df: pl.DataFrame) -> pl.Series:
    """Row order by person, then day, then claim id."""
    key = df.select(
        (
            (pl.col("person_id").hash() // _DAY_BITS) * _DAY_BITS + pl.col("_day").cast(pl.UInt64)
        ).alias("key")
    )["key"]
    order = key.arg_sort()
    sorted_key = key.gather(order)
    tie = (sorted_key == sorted_key.shift(1)).fill_null(False) | (
        sorted_key == sorted_key.shift(-1)
    ).fill_null(False)
    if tie.any():
        positions = tie.arg_true()
        rows = order.gather(positions)
        fixed = pl.DataFrame(
            {"row": rows, "key": key.gather(rows), "claim_id": df["claim_id"].gather(rows)}
        ).sort("key", "claim_id")
        order = order.scatter(positions, fixed["row"])
    persons = df["person_id"].gather(order)
    prefix = key.gather(order) // _DAY_BITS
    person_change = (persons != persons.shift(1)).fill_null(True)
    prefix_change = (prefix != prefix.shift(1)).fill_null(True)
    if (person_change != prefix_change).any():  # two persons share a hash prefix
        order = df.select(pl.arg_sort_by("person_id", "_day", "claim_id"))[:, 0]
    return order


class _Tables:
    """Per-category lookup tables built from the resolved rules of every category."""

    def __init__(self, pack: Pack):
        rules: dict[str, CategoryRules] = all_rules(pack)
        ordered = [rules[c] for c in CATEGORIES]
        self.rules = ordered
        ip = [r.inpatient for r in ordered]
        self.ip_deductible = [
            i.deductible.value.get(lv, 0) if lv else 0 for i in ip for lv in (0, *LEVELS)
        ]
        self.ip_ratio = [i.ratio.value.get(lv, 0) if lv else 0 for i in ip for lv in (0, *LEVELS)]
        self.ip_cap = [_cap(i.annual_cap.value) for i in ip]

        chronic = pack.medical.chronic if pack.medical else None
        self.classes = sorted(chronic.classes) if chronic else []
        k = max(len(self.classes), 1)
        self.n_classes = k
        self.ch_deductible = [r.chronic.deductible.value if r.chronic else 0 for r in ordered]
        self.ch_ratio = [
            (r.chronic.ratio.value[cls][lv] if r.chronic and lv else 0)
            for r in ordered
            for cls in (self.classes or [""])
            for lv in (0, *LEVELS)
        ]
        self.ch_cap = {
            cls: [_cap(r.chronic.annual_cap.value[cls]) if r.chronic else NO_CAP for r in ordered]
            for cls in self.classes
        }
        self.ch_above = {
            cls: [
                _cap(r.chronic.critical_insurer_above.value[cls]) if r.chronic else NO_CAP
                for r in ordered
            ]
            for cls in self.classes
        }

        crit = [r.critical for r in ordered]
        self.has_critical = crit[0] is not None
        if self.has_critical:
            width = max(len(c.bands) for c in crit)
            pad = [list(c.bands) + [None] * (width - len(c.bands)) for c in crit]
            self.bands = [
                (
                    [b.low if b else 0 for b in (p[j] for p in pad)],
                    [(_cap(b.high) if b else 0) for b in (p[j] for p in pad)],
                    [b.ratio if b else 0 for b in (p[j] for p in pad)],
                )
                for j in range(width)
            ]
            self.crit_cap = [_cap(c.annual_cap.value) for c in crit]
            self.crit_visits = list(crit[0].applies_to)

        asst = [r.assistance for r in ordered]
        self.has_assistance = asst[0] is not None
        if self.has_assistance:
            self.asst_ratio = [a.ratio.value for a in asst]
            self.asst_cap = [_cap(a.annual_cap.value) for a in asst]
            self.asst_visits = list(asst[0].applies_to)

        major = [r.major_diseases for r in ordered]
        self.has_major = major[0] is not None and any(m.eligible.value for m in major)
        if self.has_major:
            self.major_ok = [int(m.eligible.value) for m in major]
            self.major_ratio = [major[0].ratio.value.get(lv, 0) for lv in (0, *LEVELS)]
            self.major_prefixes = [p.upper() for p in major[0].diseases.value]

        line = [r.self_pay_line for r in ordered]
        self.has_line = line[0] is not None and any(x.eligible.value for x in line)
        if self.has_line:
            self.line_ok = [int(x.eligible.value) for x in line]
            self.line_share = line[0].max_share.value
            self.line_visits = list(line[0].applies_to)


def _band_numerator(amount: pl.Expr, tables: _Tables, cat: pl.Expr) -> pl.Expr:
    terms = []
    for lows, highs, ratios in tables.bands:
        low, high = _lookup(lows, cat), _lookup(highs, cat)
        inside = pl.min_horizontal(pl.max_horizontal(amount, low), high) - low
        terms.append(inside * _lookup(ratios, cat))
    return pl.sum_horizontal(terms)


def settle_frame(pack: Pack, claims: pl.DataFrame) -> pl.DataFrame:
    """Settle typed claims (see `claims.TYPED_SCHEMA`) under `pack`.

    Returns `claim_id` and the five parts in fen, in the input order.
    """
    if claims.height == 0:
        return pl.DataFrame(schema={"claim_id": pl.String, **dict.fromkeys(PARTS, pl.Int64)})
    t = _Tables(pack)
    k = t.n_classes
    df = claims.select(
        pl.col("claim_id"),
        pl.col("person_id"),
        pl.col("category").cast(CATEGORY_ENUM).to_physical().cast(pl.Int64).alias("_cat"),
        (pl.col("visit_type") == "chronic_outpatient").alias("_chronic"),
        pl.col("hospital_level").cast(pl.Int64).alias("_level"),
        (
            pl.col("chronic_class").replace_strict(
                t.classes, list(range(len(t.classes))), default=0, return_dtype=pl.Int64
            )
            if t.classes
            else pl.lit(0, pl.Int64)
        ).alias("_class"),
        pl.col("disease_code"),
        pl.col("admission_date").dt.year().alias("_year"),
        pl.col("admission_date").cast(pl.Int32).alias("_day"),
        pl.col("total_cost").alias("_total"),
        pl.col("in_policy_cost").alias("_in"),
    )
    order = _order(df)
    s = df.select(pl.all().gather(order)).with_columns(
        (
            (pl.col("person_id") != pl.col("person_id").shift(1))
            | (pl.col("_year") != pl.col("_year").shift(1))
        )
        .fill_null(True)
        .alias("_first")
    )
    cat, level, chronic = pl.col("_cat"), pl.col("_level"), pl.col("_chronic")
    inpol = pl.col("_in")

    # Layer 2, inpatient: deductible per admission, ratio by level, annual cap.
    slot = cat * 4 + level
    s = s.with_columns(
        pl.when(chronic)
        .then(0)
        .otherwise(
            _round(
                (inpol - _lookup(t.ip_deductible, slot)).clip(lower_bound=0)
                * _lookup(t.ip_ratio, slot)
            )
        )
        .alias("_ip_raw")
    )
    s = s.with_columns(_capped("_ip_raw", _lookup(t.ip_cap, cat)).alias("basic_pay"))

    # Layer 2, chronic outpatient: one deductible per year, ratio by class and level, cap by class.
    split = pl.lit(0, pl.Int64)
    if t.classes:
        s = s.with_columns(pl.when(chronic).then(inpol).otherwise(0).alias("_ch_in"))
        s = s.with_columns(_seg_cumsum(pl.col("_ch_in")).alias("_ch_after"))
        deductible = _lookup(t.ch_deductible, cat)
        excess = (pl.col("_ch_after") - deductible).clip(lower_bound=0) - (
            pl.col("_ch_after") - pl.col("_ch_in") - deductible
        ).clip(lower_bound=0)
        ratio = _lookup(t.ch_ratio, (cat * k + pl.col("_class")) * 4 + level)
        s = s.with_columns(
            pl.when(chronic).then(_round(excess * ratio)).otherwise(0).alias("_ch_raw")
        )
        basic_parts, split_parts = [], []
        for index, cls in enumerate(t.classes):
            raw = f"_ch_raw_{index}"
            mine = chronic & (pl.col("_class") == index)
            s = s.with_columns(pl.when(mine).then(pl.col("_ch_raw")).otherwise(0).alias(raw))
            cap = _lookup(t.ch_cap[cls], cat)
            running = _seg_cumsum(pl.col(raw))
            booked_after = pl.min_horizontal(running, cap)
            booked_before = pl.min_horizontal(running - pl.col(raw), cap)
            above = _lookup(t.ch_above[cls], cat)
            basic = pl.min_horizontal(booked_after, above) - pl.min_horizontal(booked_before, above)
            s = s.with_columns(
                pl.when(mine)
                .then(booked_after - booked_before)
                .otherwise(0)
                .alias(f"_ch_pay_{index}"),
                pl.when(mine).then(basic).otherwise(0).alias(f"_ch_basic_{index}"),
            )
            basic_parts.append(pl.col(f"_ch_basic_{index}"))
            split_parts.append(pl.col(f"_ch_pay_{index}") - pl.col(f"_ch_basic_{index}"))
        s = s.with_columns(
            (pl.col("basic_pay") + pl.sum_horizontal(basic_parts)).alias("basic_pay"),
            pl.sum_horizontal(split_parts).alias("_split"),
        )
        split = pl.col("_split")
    basic = pl.col("basic_pay")

    # Layer 3, critical illness: year-to-date self-pay through the bands, annual cap.
    critical = split
    if t.has_critical:
        applies = (
            pl.col("_chronic")
            if t.crit_visits == ["chronic_outpatient"]
            else (~pl.col("_chronic") if t.crit_visits == ["inpatient"] else pl.lit(True))
        )
        s = s.with_columns(
            pl.when(applies).then(inpol - basic - split).otherwise(0).alias("_cr_in")
        )
        s = s.with_columns(_seg_cumsum(pl.col("_cr_in")).alias("_cr_after"))
        after = pl.col("_cr_after")
        before = after - pl.col("_cr_in")
        s = s.with_columns(
            _round(_band_numerator(after, t, cat) - _band_numerator(before, t, cat)).alias(
                "_cr_raw"
            )
        )
        s = s.with_columns(
            (split + _capped("_cr_raw", _lookup(t.crit_cap, cat))).alias("critical_pay")
        )
        critical = pl.col("critical_pay")
    else:
        s = s.with_columns(critical.alias("critical_pay"))
        critical = pl.col("critical_pay")

    # Layer 4, medical assistance: ratio of what is left in policy, annual cap.
    if t.has_assistance:
        applies = (
            pl.col("_chronic")
            if t.asst_visits == ["chronic_outpatient"]
            else (~pl.col("_chronic") if t.asst_visits == ["inpatient"] else pl.lit(True))
        )
        s = s.with_columns(
            pl.when(applies)
            .then(_round((inpol - basic - critical) * _lookup(t.asst_ratio, cat)))
            .otherwise(0)
            .alias("_as_raw")
        )
        s = s.with_columns(_capped("_as_raw", _lookup(t.asst_cap, cat)).alias("assistance_pay"))
    else:
        s = s.with_columns(pl.lit(0, pl.Int64).alias("assistance_pay"))

    # Layer 5, fallback: fixed-quota major diseases, then the self-pay line.
    paid = basic + critical + pl.col("assistance_pay")
    total = pl.col("_total")
    top = pl.lit(0, pl.Int64)
    if t.has_major:
        code = pl.col("disease_code").fill_null("")
        match = pl.any_horizontal([code.str.starts_with(p) for p in t.major_prefixes])
        rate = _lookup(t.major_ratio, level)
        ok = (_lookup(t.major_ok, cat) == 1) & ~chronic & match & (rate > 0)
        top = pl.when(ok).then((_round(total * rate) - paid).clip(lower_bound=0)).otherwise(0)
    s = s.with_columns(top.alias("_top"))
    line = pl.lit(0, pl.Int64)
    if t.has_line:
        applies = (
            pl.col("_chronic")
            if t.line_visits == ["chronic_outpatient"]
            else (~pl.col("_chronic") if t.line_visits == ["inpatient"] else pl.lit(True))
        )
        limit = total * t.line_share // BP
        ok = (_lookup(t.line_ok, cat) == 1) & applies
        line = (
            pl.when(ok)
            .then((total - paid - pl.col("_top") - limit).clip(lower_bound=0))
            .otherwise(0)
        )
    s = s.with_columns((pl.col("_top") + line).alias("fallback_pay"))
    s = s.with_columns((total - paid - pl.col("fallback_pay")).alias("self_pay"))

    result = s.select("claim_id", *PARTS)
    return result.select(pl.all().gather(order.arg_sort()))
