"""The column path: a whole year of claims settled (批量结算) with Polars expressions, no per-claim loop.

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

from fupin.policy import layers
from fupin.policy.claims import MAX_LISTED_FAULTS, ClaimsError, Fault, one_of
from fupin.policy.layers import NO_CAP, cap_or_none
from fupin.policy.params import CATEGORIES, LEVELS
from fupin.policy.regions import Policy, admits_maternity, as_policy, maternity_refusal
from fupin.policy.rules import rule_book
from fupin.policy.schema import Pack

PARTS = ("basic_pay", "critical_pay", "assistance_pay", "fallback_pay", "self_pay")
CATEGORY_ENUM = pl.Enum(list(CATEGORIES))
_DAY_BITS = 1 << 16
# Slots, levels and classes index the lookup tables: in Polars' own index type, a gather takes
# them as they are instead of converting and bounds-checking 64-bit integers first.
INDEX = pl.UInt32


def _table(values: list[int]) -> pl.Expr:
    return pl.lit(pl.Series(values, dtype=pl.Int64))


def _lookup(values: list[int], index: pl.Expr) -> pl.Expr:
    """Each row's value of a table over slots; one value for all (common) needs no lookup."""
    if len(set(values)) == 1:
        return pl.lit(values[0], pl.Int64)
    return _table(values).gather(index)


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
    sorted_prefix = (
        sorted_key // _DAY_BITS
    )  # the claim-id tie fix leaves the sorted keys as they are
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


class _Column:
    """The column path's `k` for `fupin.policy.layers`: element-wise min and max of columns."""

    max = staticmethod(pl.max_horizontal)
    min = staticmethod(pl.min_horizontal)


K = _Column()


def _listing(tables: list[dict[str, str]]) -> dict[str, list[int]]:
    """Disease prefix → per slot 1 if that slot's list has it."""
    prefixes = sorted({p.upper() for t in tables for p in t})
    return {p: [int(p in {q.upper() for q in t}) for t in tables] for p in prefixes}


def _disease_in(listing: dict[str, list[int]], slot: pl.Expr) -> pl.Expr:
    """Per row: its disease code starts with a prefix listed for its slot."""
    code = pl.col("disease_code")
    if all(len(set(v)) == 1 for v in listing.values()):  # the same list in every slot
        listed = [p for p, v in listing.items() if v[0]]
        if not listed:
            return pl.lit(False)
        pattern = "^(?:" + "|".join(re.escape(p) for p in listed) + ")"
        return code.str.contains(pattern).fill_null(False)
    return pl.any_horizontal(
        code.str.starts_with(p).fill_null(False) & (_lookup(v, slot) == 1)
        for p, v in listing.items()
    )


class _Tables:
    """Lookup tables over the rule slots of a policy: slot = span × 4 + category."""

    def __init__(self, policy: Policy):
        book = rule_book(policy)
        ordered = list(book.slots)
        ip = [r.inpatient for r in ordered]
        self.ip_deductible = [
            i.deductible.value.get(lv, 0) if lv else 0 for i in ip for lv in (0, *LEVELS)
        ]
        self.ip_ratio = [i.ratio.value.get(lv, 0) if lv else 0 for i in ip for lv in (0, *LEVELS)]
        self.ip_cap = [cap_or_none(i.annual_cap.value) for i in ip]

        self.classes = book.classes()
        k = max(len(self.classes), 1)
        self.n_classes = k
        self.ch_deductible = [r.chronic.deductible.value if r.chronic else 0 for r in ordered]

        def class_value(r, table: str, cls: str, default: int) -> int:
            if r.chronic is None or cls not in r.chronic.classes:
                return default
            return getattr(r.chronic, table).value[cls]

        self.ch_ratio = [
            (r.chronic.ratio.value[cls][lv] if r.chronic and cls in r.chronic.classes and lv else 0)
            for r in ordered
            for cls in (self.classes or [""])
            for lv in (0, *LEVELS)
        ]
        self.ch_cap = {
            cls: [cap_or_none(class_value(r, "annual_cap", cls, None)) for r in ordered]
            for cls in self.classes
        }
        self.ch_above = {
            cls: [cap_or_none(class_value(r, "critical_insurer_above", cls, None)) for r in ordered]
            for cls in self.classes
        }

        def visits(rule) -> tuple[int, int]:
            return (
                int(rule is not None and "inpatient" in rule.applies_to),
                int(rule is not None and "chronic_outpatient" in rule.applies_to),
            )

        crit = [r.critical for r in ordered]
        self.has_critical = any(c is not None for c in crit)
        if self.has_critical:
            # Bands paying 0% (below a threshold) add nothing to the sum: leave them out.
            paying = [[b for b in c.bands if b.ratio > 0] if c else [] for c in crit]
            width = max(len(p) for p in paying)
            pad = [p + [None] * (width - len(p)) for p in paying]
            self.bands = [
                (
                    [b.low if b else 0 for b in (p[j] for p in pad)],
                    [(cap_or_none(b.high) if b else 0) for b in (p[j] for p in pad)],
                    [b.ratio if b else 0 for b in (p[j] for p in pad)],
                )
                for j in range(width)
            ]
            self.crit_cap = [cap_or_none(c.annual_cap.value) if c else NO_CAP for c in crit]
            self.crit_visits = [visits(c) for c in crit]

        asst = [r.assistance for r in ordered]
        self.has_assistance = any(a is not None for a in asst)
        if self.has_assistance:
            self.asst_ratio = [a.ratio.value if a else 0 for a in asst]
            self.asst_cap = [cap_or_none(a.annual_cap.value) if a else NO_CAP for a in asst]
            self.asst_visits = [visits(a) for a in asst]

        major = [r.major_diseases for r in ordered]
        self.has_major = any(m is not None and m.eligible.value for m in major)
        if self.has_major:
            self.major_ok = [int(m is not None and m.eligible.value) for m in major]
            self.major_ratio = [
                (m.ratio.value.get(lv, 0) if m is not None and lv else 0)
                for m in major
                for lv in (0, *LEVELS)
            ]
            self.major_listed = _listing([m.diseases.value if m else {} for m in major])

        self.maternity = [int(r.inpatient.maternity.value) for r in ordered]
        self.rehab = [int(r.inpatient.rehab_in_scope.value) for r in ordered]
        self.transfer_once = [int(r.inpatient.transfer_once.value) for r in ordered]
        one = [r.inpatient.one_deductible.value for r in ordered]
        self.has_one_deductible = any(one)
        if self.has_one_deductible:
            self.one_listed = _listing(one)

        line = [r.self_pay_line for r in ordered]
        self.has_line = any(x is not None and x.eligible.value for x in line)
        if self.has_line:
            self.line_ok = [
                int(x is not None and x.eligible.value and "inpatient" in x.applies_to)
                for x in line
            ]
            self.line_ok_chronic = [
                int(x is not None and x.eligible.value and "chronic_outpatient" in x.applies_to)
                for x in line
            ]
            self.line_share = [x.max_share.value if x else 0 for x in line]


def _band_payment(s: pl.DataFrame, t: _Tables, slot: pl.Expr) -> pl.DataFrame:
    """Add `_cr_raw`: Σ ratio × (part of this claim's year-to-date slice inside each band)."""
    after = pl.col("_cr_after")
    before = after - pl.col("_cr_in")
    terms = [
        layers.critical_band(
            K, before, after, _lookup(lows, slot), _lookup(highs, slot), _lookup(ratios, slot)
        )
        for lows, highs, ratios in t.bands
    ]
    return s.with_columns(layers.rounded(pl.sum_horizontal(terms)).alias("_cr_raw"))


def _positive(x: pl.Expr) -> pl.Expr:
    return pl.max_horizontal(x, 0)


def _visit_mask(visits: list[tuple[int, int]], slot: pl.Expr) -> pl.Expr:
    """Per row: does the layer apply to this claim's visit type in its slot."""
    inpatient = [v[0] for v in visits]
    chronic = [v[1] for v in visits]
    if all(inpatient) and all(chronic):
        return pl.lit(True)
    chosen = (
        pl.when(pl.col("_chronic")).then(_lookup(chronic, slot)).otherwise(_lookup(inpatient, slot))
    )
    return chosen == 1


def _spans(policy: Policy, claims: pl.DataFrame, day: pl.Series, first_row: int) -> pl.Series:
    """Each row's span of the policy; ClaimsError naming row, date and periods for the rest."""
    starts = pl.Series(policy.starts(), dtype=pl.Date)
    if policy.at is None:
        span = starts.search_sorted(claims["admission_date"], side="right").cast(pl.Int64) - 1
        ends = pl.Series([s.end for s in policy.spans], dtype=pl.Date)
        end = ends.gather(span.clip(0, len(ends) - 1))
        bad = (span < 0) | (end.is_not_null() & (claims["admission_date"] > end)).fill_null(False)
    else:
        span = pl.zeros(claims.height, pl.Int64, eager=True)
        bad = claims["admission_date"] < policy.region.spans[0].start
    if bad.any():
        rows = bad.arg_true()
        faults = [
            Fault(
                int(r) + first_row,
                "admission_date",
                policy.refusal(claims["admission_date"][int(r)]),
            )
            for r in rows.head(MAX_LISTED_FAULTS)
        ]
        raise ClaimsError(faults, total=len(rows))
    admits = pl.Series([int(admits_maternity(x.pack)) for x in policy.spans], dtype=pl.Int64)
    if not (admits == 1).all():
        refused = (claims["visit_type"] == "maternity").fill_null(False) & (
            admits.gather(span) == 0
        )
        if refused.any():
            rows = refused.arg_true()
            faults = [
                Fault(
                    int(r) + first_row,
                    "visit_type",
                    maternity_refusal(policy.spans[int(span[int(r)])].text()),
                )
                for r in rows.head(MAX_LISTED_FAULTS)
            ]
            raise ClaimsError(faults, total=len(rows))
    return span.cast(INDEX)


def _layers(s: pl.DataFrame, t: _Tables, has_transfer: bool) -> pl.DataFrame:
    """Every layer on claims in (person, day, claim id) order, from a person-year's first
    claim on (`_first` true in the first row): `s` with the five parts in fen added."""
    k = t.n_classes
    slot, level, chronic = pl.col("_slot"), pl.col("_level"), pl.col("_chronic")
    inpol, total = pl.col("_in"), pl.col("_total")

    # Basic insurance, inpatient: deductible per admission (once per transfer chain, once a year
    # for the diseases so listed), ratio by level, annual cap; a major disease of the fixed-quota
    # list is paid at its quota of the total cost instead.
    at_level = slot * 4 + level
    base = _lookup(t.ip_deductible, at_level)
    deductible = base
    if has_transfer:
        continues = pl.col("_transfer") & (_lookup(t.transfer_once, slot) == 1) & ~chronic
        s = s.with_columns(
            (pl.col("_first") | (~chronic & ~continues)).cum_sum().alias("_chain"),
            pl.when(chronic).then(0).otherwise(base).alias("_d"),
        )
        chain_before = pl.col("_d").cum_max().shift(1, fill_value=0).over("_chain")
        deductible = (
            pl.when(continues)
            .then(layers.deductible_charged(K, base, chain_before))
            .otherwise(base)
        )
    if t.has_one_deductible:
        listed = pl.col("_one") & ~chronic
        s = s.with_columns(listed.cast(pl.Int64).alias("_one_n"))
        s = s.with_columns(_seg_cumsum(pl.col("_one_n")).alias("_one_run"))
        repeat = listed & (pl.col("_one_run") > pl.col("_one_n"))
        deductible = pl.when(repeat).then(0).otherwise(deductible)
    ip_raw = layers.inpatient_basic(K, inpol, deductible, _lookup(t.ip_ratio, at_level))
    if t.has_major:
        rate = _lookup(t.major_ratio, slot * 4 + level)
        quota = (_lookup(t.major_ok, slot) == 1) & ~chronic & (rate > 0) & pl.col("_major")
        ip_raw = pl.when(quota).then(layers.major_disease_quota(K, total, rate)).otherwise(ip_raw)
    s = s.with_columns(pl.when(chronic).then(0).otherwise(ip_raw).alias("_ip_raw"))
    s = _capped(s, "_ip_raw", _lookup(t.ip_cap, slot), "basic_pay").drop("_ip_raw", "_running")
    s = s.drop(cs.matches(r"^_(chain|d|one_n|one_run)$"))

    # Basic insurance, chronic outpatient: one deductible per year, ratio by class and level, cap
    # by class; the part of a class's year above `critical_insurer_above` goes to the 大病 insurer.
    if t.classes:
        s = s.with_columns(pl.when(chronic).then(inpol).otherwise(0).alias("_ch_in"))
        s = s.with_columns(_seg_cumsum(pl.col("_ch_in")).alias("_ch_after"))
        excess = layers.chronic_over_deductible(
            K,
            pl.col("_ch_after") - pl.col("_ch_in"),
            pl.col("_ch_in"),
            _lookup(t.ch_deductible, slot),
        )
        ratio = _lookup(t.ch_ratio, (slot * k + pl.col("_class")) * 4 + level)
        s = s.with_columns(
            pl.when(chronic)
            .then(layers.chronic_basic(K, excess, ratio))
            .otherwise(0)
            .alias("_ch_raw")
        )
        paid, basic_parts = [], []
        for index, cls in enumerate(t.classes):
            raw = f"_ch_raw_{index}"
            mine = chronic & (pl.col("_class") == index)
            s = s.with_columns(pl.when(mine).then(pl.col("_ch_raw")).otherwise(0).alias(raw))
            s = s.with_columns(_seg_cumsum(pl.col(raw)).alias(f"_ch_run_{index}"))
            cap = _lookup(t.ch_cap[cls], slot)
            running = pl.col(f"_ch_run_{index}")
            counted = running - pl.col(raw)
            pay = layers.within_cap(K, counted, pl.col(raw), cap)
            booked_before = pl.min_horizontal(counted, cap)
            basic = layers.basic_below_insurer_line(
                K, booked_before, pay, _lookup(t.ch_above[cls], slot)
            )
            s = s.with_columns(pay.alias(f"_ch_pay_{index}"), basic.alias(f"_ch_basic_{index}"))
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

    # Critical illness insurance: year-to-date self-pay through the bands, annual cap.
    if t.has_critical:
        s = s.with_columns(
            pl.when(_visit_mask(t.crit_visits, slot))
            .then(_positive(inpol - basic - split))
            .otherwise(0)
            .alias("_cr_in")
        )
        s = s.with_columns(_seg_cumsum(pl.col("_cr_in")).alias("_cr_after"))
        s = _band_payment(s, t, slot)
        s = _capped(s, "_cr_raw", _lookup(t.crit_cap, slot), "_cr_pay")
        s = s.with_columns((split + pl.col("_cr_pay")).alias("critical_pay"))
        s = s.drop(cs.matches(r"^_(cr_\w+|running)$"))
    else:
        s = s.with_columns(split.alias("critical_pay"))
    critical = pl.col("critical_pay")

    # Medical assistance: ratio of what is left in policy, annual cap.
    if t.has_assistance:
        s = s.with_columns(
            pl.when(_visit_mask(t.asst_visits, slot))
            .then(
                layers.medical_assistance(K, inpol - basic - critical, _lookup(t.asst_ratio, slot))
            )
            .otherwise(0)
            .alias("_as_raw")
        )
        s = _capped(s, "_as_raw", _lookup(t.asst_cap, slot), "assistance_pay").drop(
            "_as_raw", "_running"
        )
    else:
        s = s.with_columns(pl.lit(0, pl.Int64).alias("assistance_pay"))

    # Fallback: the self-pay line (第五条保障线).
    s = s.with_columns((basic + critical + pl.col("assistance_pay")).alias("_paid"))
    paid_so_far = pl.col("_paid")
    line = pl.lit(0, pl.Int64)
    if t.has_line:
        ok = (
            pl.when(chronic)
            .then(_lookup(t.line_ok_chronic, slot))
            .otherwise(_lookup(t.line_ok, slot))
            == 1
        )
        limit = layers.self_pay_limit(K, total, _lookup(t.line_share, slot))
        line = pl.when(ok).then(layers.self_pay_line(K, total - paid_so_far, limit)).otherwise(0)
    s = s.with_columns(line.alias("fallback_pay"))
    s = s.with_columns((total - paid_so_far - pl.col("fallback_pay")).alias("self_pay"))

    return s.select(PARTS)


def settle_frame(
    policy: Policy | Pack | str, claims: pl.DataFrame, first_row: int = 2
) -> pl.DataFrame:
    """Settle typed claims (see `claims.TYPED_SCHEMA`) under `policy`.

    Each row meets the values of its span (its admission date's, or the policy's one date) for
    the category it carries; year-to-date totals run across changes within a person's year.
    Returns `claim_id` and the five parts in fen, in the input order. Raises ClaimsError for a
    claim outside every period (rows numbered from `first_row`).
    """
    if claims.height == 0:
        return pl.DataFrame(schema={"claim_id": pl.String, **dict.fromkeys(PARTS, pl.Int64)})
    policy = as_policy(policy)
    t = _Tables(policy)
    for name, default in (("rehab_cost", pl.lit(0, pl.Int64)), ("transfer", pl.lit(False))):
        if name not in claims.columns:
            claims = claims.with_columns(default.alias(name))
    span = _spans(policy, claims, claims["admission_date"], first_row)
    slot_of_row = pl.lit(span) * len(CATEGORIES) + pl.col("category").cast(
        CATEGORY_ENUM
    ).to_physical().cast(INDEX)
    in_policy = pl.col("in_policy_cost")
    if any(t.rehab):  # 新增医疗康复项目: in scope where the slot's pack says so
        in_policy = in_policy + pl.col("rehab_cost") * _lookup(t.rehab, slot_of_row)
    has_transfer = any(t.transfer_once) and bool(claims["transfer"].any())
    columns = [
        slot_of_row.alias("_slot"),
        (pl.col("visit_type") == "chronic_outpatient").alias("_chronic"),
        pl.col("hospital_level").cast(INDEX).alias("_level"),
        (
            pl.col("chronic_class").cast(pl.Enum(t.classes)).to_physical().cast(INDEX).fill_null(0)
            if t.classes
            else pl.lit(0, INDEX)
        ).alias("_class"),
        pl.col("admission_date").dt.year().alias("_year"),
        pl.col("admission_date").cast(pl.Int32).alias("_day"),
        pl.col("total_cost").alias("_total"),
        in_policy.alias("_in"),
    ]
    if t.has_major:
        columns.append(_disease_in(t.major_listed, slot_of_row).alias("_major"))
    if t.has_one_deductible:
        columns.append(_disease_in(t.one_listed, slot_of_row).alias("_one"))
    if has_transfer:
        columns.append(pl.col("transfer").fill_null(False).alias("_transfer"))
    df = claims.select(columns).rechunk()  # only these numbers, not the claims' text columns
    order, person_starts = _order(claims, df["_day"])
    s = df.select(pl.all().gather(order)).with_columns(
        (
            pl.lit(person_starts) | (pl.col("_year") != pl.col("_year").shift(1)).fill_null(True)
        ).alias("_first")
    )
    s = _layers(s, t, has_transfer)

    # Back to the input order: scatter each row to where it came from.
    inverse = pl.zeros(claims.height, pl.UInt32, eager=True).scatter(
        order, pl.int_range(claims.height, dtype=pl.UInt32, eager=True)
    )
    return s.select(PARTS).select(pl.all().gather(inverse)).insert_column(0, claims["claim_id"])


def cost_controlled(policy: Policy | Pack | str, claims: pl.DataFrame) -> pl.Series:
    """单病种控费: per claim, whether it is a stay of a listed disease for an eligible category
    under the values of its day (flagged and reported; the amounts do not change)."""
    policy = as_policy(policy)
    controls = [r.cost_control for r in rule_book(policy).slots]
    flags = pl.zeros(claims.height, pl.Boolean, eager=True).alias("cost_control")
    categories = {
        CATEGORIES[i % len(CATEGORIES)]
        for i, c in enumerate(controls)
        if c is not None and c.eligible.value
    }
    if claims.height == 0 or not categories:
        return flags
    # Only stays of an eligible category with a disease code can be flagged: look at those alone.
    rows = claims.select(
        pl.arg_where(
            one_of("category", sorted(categories))
            & (pl.col("visit_type") != "chronic_outpatient")
            & pl.col("disease_code").is_not_null()
        )
    ).to_series()
    if rows.len() == 0:
        return flags
    some = claims.select("category", "visit_type", "admission_date", "disease_code")[rows]
    span = _spans(policy, some, some["admission_date"], 2)
    slot = pl.lit(span) * len(CATEGORIES) + pl.col("category").cast(
        CATEGORY_ENUM
    ).to_physical().cast(INDEX)
    listing = _listing([c.diseases.value if c and c.eligible.value else {} for c in controls])
    hit = some.select(_disease_in(listing, slot)).to_series()
    return flags.scatter(rows.filter(hit), True)
