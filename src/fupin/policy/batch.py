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

import re

import polars as pl
import polars.selectors as cs

from fupin.policy.claims import MAX_LISTED_FAULTS, ClaimsError, Fault
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


def _capped(s: pl.DataFrame, raw: str, cap: pl.Expr, alias: str) -> pl.DataFrame:
    """Add `alias`: each row's part of the running sum of `raw` that fits under `cap`."""
    s = s.with_columns(_seg_cumsum(pl.col(raw)).alias("_running"))
    running = pl.col("_running")
    return s.with_columns(
        (pl.min_horizontal(running, cap) - pl.min_horizontal(running - pl.col(raw), cap)).alias(
            alias
        )
    )


def _round(numerator: pl.Expr) -> pl.Expr:
    return (numerator * 2 + BP) // (2 * BP)


def _order(claims: pl.DataFrame, day: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Row order by person, then day, then claim id; and where each person starts in that order.

    The order key is one u64: 48 bits of the person's hash, 16 bits of day number. Two persons
    sharing those 48 bits are caught by a second, independent 64-bit hash (a double collision
    has odds near 2⁻¹¹²), and then the exact, slower sort is used.
    """
    person = claims["person_id"]
    prefix = person.hash(seed=0) // _DAY_BITS
    key = prefix * _DAY_BITS + day.cast(pl.UInt64)
    order = key.arg_sort()
    sorted_key = key.gather(order)
    tie = (sorted_key == sorted_key.shift(1)).fill_null(False) | (
        sorted_key == sorted_key.shift(-1)
    ).fill_null(False)
    if tie.any():
        positions = tie.arg_true()
        rows = order.gather(positions)
        fixed = pl.DataFrame(
            {"row": rows, "key": key.gather(rows), "claim_id": claims["claim_id"].gather(rows)}
        ).sort("key", "claim_id")
        order = order.scatter(positions, fixed["row"])
    sorted_prefix = prefix.gather(order)
    sorted_check = person.hash(seed=7).gather(order)
    new_prefix = (sorted_prefix != sorted_prefix.shift(1)).fill_null(True)
    new_check = (sorted_check != sorted_check.shift(1)).fill_null(True)
    if (new_check & ~new_prefix).any():  # two persons share a hash prefix
        order = pl.DataFrame({"person": person, "day": day, "claim_id": claims["claim_id"]}).select(
            pl.arg_sort_by("person", "day", "claim_id")
        )[:, 0]
        persons = person.gather(order)
        return order, (persons != persons.shift(1)).fill_null(True)
    return order, new_prefix


class _Tables:
    """Per-category lookup tables built from the resolved rules of every category."""

    def __init__(self, pack: Pack):
        rules: dict[str, CategoryRules] = all_rules(pack)
        ordered = [rules[c] for c in CATEGORIES]
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
            # Bands paying 0% (below a threshold) add nothing to the sum: leave them out.
            paying = [[b for b in c.bands if b.ratio > 0] for c in crit]
            width = max(len(p) for p in paying)
            pad = [p + [None] * (width - len(p)) for p in paying]
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


def _band_payment(s: pl.DataFrame, t: _Tables, cat: pl.Expr) -> pl.DataFrame:
    """Add `_cr_raw`: Σ ratio × (part of this claim's year-to-date slice inside each band)."""
    after = pl.col("_cr_after")
    before = after - pl.col("_cr_in")
    terms = []
    for j, (lows, highs, ratios) in enumerate(t.bands):
        s = s.with_columns(
            _lookup(lows, cat).alias(f"_lo{j}"),
            _lookup(highs, cat).alias(f"_hi{j}"),
            _lookup(ratios, cat).alias(f"_r{j}"),
        )
        low, high = pl.col(f"_lo{j}"), pl.col(f"_hi{j}")
        inside = pl.min_horizontal(pl.max_horizontal(after, low), high) - pl.min_horizontal(
            pl.max_horizontal(before, low), high
        )
        terms.append(inside * pl.col(f"_r{j}"))
    return s.with_columns(_round(pl.sum_horizontal(terms)).alias("_cr_raw"))


def _positive(x: pl.Expr) -> pl.Expr:
    return pl.max_horizontal(x, 0)


def _visit_mask(visits: list[str]) -> pl.Expr:
    if set(visits) >= set(VISIT_TYPES):
        return pl.lit(True)
    return pl.col("_chronic") if visits == ["chronic_outpatient"] else ~pl.col("_chronic")


def _check_one_category(
    s: pl.DataFrame, claims: pl.DataFrame, order: pl.Series, first_row: int
) -> None:
    changed = s.select(
        (~pl.col("_first") & (pl.col("_cat") != pl.col("_cat").shift(1))).fill_null(False)
    ).to_series()
    if changed.any():
        faults = []
        for position in changed.arg_true().head(MAX_LISTED_FAULTS):
            row = int(order[position])
            person, day = claims["person_id"][row], claims["admission_date"][row]
            faults.append(
                Fault(
                    row + first_row,
                    "category",
                    f"人员 {person} 在 {day.year} 年有多个人员类别，请按年度拆分或更正",
                )
            )
        raise ClaimsError(faults, total=int(changed.sum()))


def settle_frame(pack: Pack, claims: pl.DataFrame, first_row: int = 2) -> pl.DataFrame:
    """Settle typed claims (see `claims.TYPED_SCHEMA`) under `pack`.

    Returns `claim_id` and the five parts in fen, in the input order. Raises ClaimsError when
    a person has two categories in one year (rows numbered from `first_row`).
    """
    if claims.height == 0:
        return pl.DataFrame(schema={"claim_id": pl.String, **dict.fromkeys(PARTS, pl.Int64)})
    t = _Tables(pack)
    k = t.n_classes
    claims = claims.rechunk()
    columns = [
        pl.col("category").cast(CATEGORY_ENUM).to_physical().cast(pl.Int64).alias("_cat"),
        (pl.col("visit_type") == "chronic_outpatient").alias("_chronic"),
        pl.col("hospital_level").cast(pl.Int64).alias("_level"),
        (
            pl.col("chronic_class")
            .cast(pl.Enum(t.classes))
            .to_physical()
            .cast(pl.Int64)
            .fill_null(0)
            if t.classes
            else pl.lit(0, pl.Int64)
        ).alias("_class"),
        pl.col("admission_date").dt.year().alias("_year"),
        pl.col("admission_date").cast(pl.Int32).alias("_day"),
        pl.col("total_cost").alias("_total"),
        pl.col("in_policy_cost").alias("_in"),
    ]
    if t.has_major:
        pattern = "^(?:" + "|".join(re.escape(p) for p in t.major_prefixes) + ")"
        columns.append(
            pl.col("disease_code").str.contains(pattern).fill_null(False).alias("_major")
        )
    df = claims.select(columns)
    order, person_starts = _order(claims, df["_day"])
    sorted_df = df.select(pl.all().gather(order)).with_columns(
        (
            pl.lit(person_starts) | (pl.col("_year") != pl.col("_year").shift(1)).fill_null(True)
        ).alias("_first")
    )
    _check_one_category(sorted_df, claims, order, first_row)
    s = sorted_df
    cat, level, chronic = pl.col("_cat"), pl.col("_level"), pl.col("_chronic")
    inpol, total = pl.col("_in"), pl.col("_total")

    # Layer 2, inpatient: deductible per admission, ratio by level, annual cap.
    slot = cat * 4 + level
    ip_raw = _round(_positive(inpol - _lookup(t.ip_deductible, slot)) * _lookup(t.ip_ratio, slot))
    s = s.with_columns(pl.when(chronic).then(0).otherwise(ip_raw).alias("_ip_raw"))
    s = _capped(s, "_ip_raw", _lookup(t.ip_cap, cat), "basic_pay").drop("_ip_raw", "_running")

    # Layer 2, chronic outpatient: one deductible per year, ratio by class and level, cap by class;
    # the part of a class's year above `critical_insurer_above` is paid by the critical insurer.
    if t.classes:
        s = s.with_columns(pl.when(chronic).then(inpol).otherwise(0).alias("_ch_in"))
        s = s.with_columns(_seg_cumsum(pl.col("_ch_in")).alias("_ch_after"))
        deductible = _lookup(t.ch_deductible, cat)
        excess = _positive(pl.col("_ch_after") - deductible) - _positive(
            pl.col("_ch_after") - pl.col("_ch_in") - deductible
        )
        ratio = _lookup(t.ch_ratio, (cat * k + pl.col("_class")) * 4 + level)
        s = s.with_columns(
            pl.when(chronic).then(_round(excess * ratio)).otherwise(0).alias("_ch_raw")
        )
        paid, basic_parts = [], []
        for index, cls in enumerate(t.classes):
            raw = f"_ch_raw_{index}"
            mine = chronic & (pl.col("_class") == index)
            s = s.with_columns(pl.when(mine).then(pl.col("_ch_raw")).otherwise(0).alias(raw))
            s = s.with_columns(_seg_cumsum(pl.col(raw)).alias(f"_ch_run_{index}"))
            cap = _lookup(t.ch_cap[cls], cat)
            running = pl.col(f"_ch_run_{index}")
            after = pl.min_horizontal(running, cap)
            before = pl.min_horizontal(running - pl.col(raw), cap)
            above = _lookup(t.ch_above[cls], cat)
            s = s.with_columns(
                (after - before).alias(f"_ch_pay_{index}"),
                (pl.min_horizontal(after, above) - pl.min_horizontal(before, above)).alias(
                    f"_ch_basic_{index}"
                ),
            )
            s = s.drop(raw, f"_ch_run_{index}")
            paid.append(pl.col(f"_ch_pay_{index}"))
            basic_parts.append(pl.col(f"_ch_basic_{index}"))
        s = s.with_columns(
            (pl.col("basic_pay") + pl.sum_horizontal(basic_parts)).alias("basic_pay"),
            (pl.sum_horizontal(paid) - pl.sum_horizontal(basic_parts)).alias("_split"),
        )
        s = s.drop(cs.matches(r"^_ch_"))
    else:
        s = s.with_columns(pl.lit(0, pl.Int64).alias("_split"))
    basic, split = pl.col("basic_pay"), pl.col("_split")

    # Layer 3, critical illness: year-to-date self-pay through the bands, annual cap.
    if t.has_critical:
        s = s.with_columns(
            pl.when(_visit_mask(t.crit_visits))
            .then(inpol - basic - split)
            .otherwise(0)
            .alias("_cr_in")
        )
        s = s.with_columns(_seg_cumsum(pl.col("_cr_in")).alias("_cr_after"))
        s = _band_payment(s, t, cat)
        s = _capped(s, "_cr_raw", _lookup(t.crit_cap, cat), "_cr_pay")
        s = s.with_columns((split + pl.col("_cr_pay")).alias("critical_pay"))
        s = s.drop(cs.matches(r"^_(cr_\w+|lo\d+|hi\d+|r\d+|running)$"))
    else:
        s = s.with_columns(split.alias("critical_pay"))
    critical = pl.col("critical_pay")

    # Layer 4, medical assistance: ratio of what is left in policy, annual cap.
    if t.has_assistance:
        s = s.with_columns(
            pl.when(_visit_mask(t.asst_visits))
            .then(_round((inpol - basic - critical) * _lookup(t.asst_ratio, cat)))
            .otherwise(0)
            .alias("_as_raw")
        )
        s = _capped(s, "_as_raw", _lookup(t.asst_cap, cat), "assistance_pay").drop(
            "_as_raw", "_running"
        )
    else:
        s = s.with_columns(pl.lit(0, pl.Int64).alias("assistance_pay"))

    # Layer 5, fallback: fixed-quota major diseases, then the self-pay line.
    s = s.with_columns((basic + critical + pl.col("assistance_pay")).alias("_paid"))
    paid_so_far = pl.col("_paid")
    top = pl.lit(0, pl.Int64)
    if t.has_major:
        rate = _lookup(t.major_ratio, level)
        ok = (_lookup(t.major_ok, cat) == 1) & ~chronic & (rate > 0) & pl.col("_major")
        top = pl.when(ok).then(_positive(_round(total * rate) - paid_so_far)).otherwise(0)
    s = s.with_columns(top.alias("_top"))
    line = pl.lit(0, pl.Int64)
    if t.has_line:
        limit = total * t.line_share // BP
        ok = (_lookup(t.line_ok, cat) == 1) & _visit_mask(t.line_visits)
        line = (
            pl.when(ok).then(_positive(total - paid_so_far - pl.col("_top") - limit)).otherwise(0)
        )
    s = s.with_columns((pl.col("_top") + line).alias("fallback_pay"))
    s = s.with_columns((total - paid_so_far - pl.col("fallback_pay")).alias("self_pay"))

    # Back to the input order: scatter each row to where it came from.
    inverse = pl.zeros(claims.height, pl.UInt32, eager=True).scatter(
        order, pl.int_range(claims.height, dtype=pl.UInt32, eager=True)
    )
    return s.select(PARTS).select(pl.all().gather(inverse)).insert_column(0, claims["claim_id"])
