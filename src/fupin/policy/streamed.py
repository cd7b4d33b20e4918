"""A claims CSV settled in one streamed pass (流式结算): the happy path of `fupin settle`.

Reading the file, checking every cell and reducing each claim to the few numbers settling needs
(its kind, amounts and day, two hashes of its person, its claim number) is one Polars streaming
query, run a block of rows at a time: the file's text columns are never held whole, which is
most of the memory (and of the time the system spends handing it out) of the whole-table path.
The checks are those of `claims.fast_typed` and the period checks of `batch.span_rules`, the
settlement that of `batch.settle_frame`; the results are the same to the fen and in the same
order (tests/policy/test_streamed.py).

At any doubt — a cell that does not parse, a fault, a claim outside the policy's periods, a
repeated claim number, two persons sharing a hash prefix, a header to be tidied, a file that is
not UTF-8 — `settle_csv` returns None, and `cli.settle_file` takes the whole-table path, which
judges the file and words every fault as always.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from fupin.policy.batch import (
    INDEX,
    _disease_in,
    compact_columns,
    disease_flags,
    hash_order,
    settled_parts,
    slot_of,
    span_rules,
)
from fupin.policy.claims import (
    AMOUNT_COLUMNS,
    COLUMNS,
    OPTIONAL_COLUMNS,
    _duplicated,
    clean_disease_code,
    fast_typed,
)
from fupin.policy.compiled import CompiledPolicy

_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class Streamed:
    """A settled file: `result` as `settle_frame` returns it, and what the report counts."""

    result: pl.DataFrame
    outside_period: int
    cost_controlled: int


def _day_number(day: dt.date) -> int:
    return (day - _EPOCH).days


def _by_code(
    codes: pl.Series, n_slots: int, flags: dict[str, pl.Expr], code: pl.Expr, slot: pl.Expr
) -> dict[str, pl.Expr]:
    """Each row's `flags` (expressions of `disease_code` and `_slot`), worked out once for each
    distinct disease code as written (`codes`, by the number `code` gives each row) in each slot
    and looked up: a file has few distinct codes, and the trimming, upper-casing and prefix
    tests of each code are then done a few thousand times instead of a million."""
    if not flags:
        return {}
    grid = pl.select(
        clean_disease_code(
            pl.lit(codes).gather(pl.int_range(codes.len() * n_slots) // n_slots)
        ).alias("disease_code"),
        (pl.int_range(codes.len() * n_slots, dtype=INDEX) % n_slots).alias("_slot"),
    )
    tables = grid.select(flag.fill_null(False).alias(name) for name, flag in flags.items())
    row = code * n_slots + slot
    return {name: pl.lit(tables[name]).gather(row).fill_null(False).cast(INDEX) for name in flags}


def settle_csv(policy: CompiledPolicy, path: str | Path) -> Streamed | None:
    """The settlement of the claims CSV at `path`, or None at any doubt (see the module)."""
    path = Path(path)
    if path.suffix.lower() != ".csv" or not path.is_file():
        return None
    try:
        names = pl.scan_csv(path, infer_schema=False, encoding="utf8").collect_schema().names()
    except (pl.exceptions.PolarsError, OSError, ValueError):
        return None
    if any(n != n.strip().lstrip("\ufeff") for n in names) or len(set(names)) != len(names):
        return None
    if any(c not in names for c in COLUMNS):
        return None
    present = [c for c in (*COLUMNS, *OPTIONAL_COLUMNS) if c in names]
    source = pl.scan_csv(
        path,
        infer_schema=False,
        schema_overrides={c: pl.Float64 for c in AMOUNT_COLUMNS if c in names},
        encoding="utf8",
    ).select(present)
    # The disease code as written, numbered by its distinct values (`_by_code`).
    codes = pl.Categorical(pl.Categories.random())
    source = source.with_columns(pl.col("disease_code").alias("_code_written"))
    typed = fast_typed(source, policy, keep=("_code_written",))
    if typed is None:
        return None
    span, outside, maternity = span_rules(policy)
    refused = (outside | maternity).fill_null(True)  # `batch._spans` would refuse the row
    has_transfer = any(policy.tables.transfer_once) and "transfer" in names
    # The slot once, read by several expressions below.
    typed = typed.with_columns(slot_of(span).alias("_slot"))
    kinds, compact = compact_columns(policy, pl.col("_slot"), has_transfer, diseases=False)
    query = typed.select(
        "claim_id",
        pl.col("person_id").hash(seed=0).alias("_person"),
        pl.col("person_id").hash(seed=7).alias("_check"),
        *compact,
        (pl.col("_valid") & ~refused).alias("_valid"),
        "_slot",
        (pl.col("visit_type") != "chronic_outpatient").alias("_stay"),
        pl.col("_code_written").cast(codes).to_physical().alias("_code"),
    )
    try:
        frame = query.collect(engine="streaming")
    except (pl.exceptions.PolarsError, OSError, ValueError):
        return None
    if frame.height == 0:
        return None
    verdict = frame.select(pl.col("_valid").all(), pl.col("_kind").null_count() == 0).row(0)
    if not all(verdict) or _duplicated(frame["claim_id"]) is not None:
        return None
    day = frame["_day"].rechunk()
    order = hash_order(frame["_person"], frame["_check"], day, frame["claim_id"])
    if order is None:
        return None
    slot = pl.col("_slot")
    flags = disease_flags(policy.tables, slot)
    if policy.control_categories:
        # 单病种控费 (`batch.cost_controlled`) without its test of the category: a slot has a
        # list of cost-controlled diseases only where its category is eligible.
        flags["_control"] = _disease_in(policy.control_listed, slot)
    by_code = _by_code(
        codes.categories.to_series(), len(policy.tables.ip_cap), flags, pl.col("_code"), slot
    )
    control = by_code.pop("_control", pl.lit(0, INDEX))
    df = frame.select(
        kinds.with_diseases(pl.col("_kind"), by_code), "_total", "_in", "_day"
    ).rechunk()
    result = settled_parts(frame["claim_id"], df, order, kinds)
    outside = 0
    if policy.at is not None:
        outside_expr = pl.col("_day") < _day_number(policy.starts[0])
        if policy.ends[0] is not None:
            outside_expr = outside_expr | (pl.col("_day") > _day_number(policy.ends[0]))
        outside = int(frame.select(outside_expr.sum()).item())
    return Streamed(
        result=result,
        outside_period=outside,
        cost_controlled=int(frame.select((pl.col("_stay") & (control == 1)).sum()).item()),
    )
