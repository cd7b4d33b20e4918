"""The fast happy path of the claims validator (`claims._parse_fast`) accepts only tables the full
validator accepts, returns the very same typed frame for them, and leaves every faulty table —
and so every fault message — to the full validator."""

from datetime import date

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fupin.policy import load_policy
from fupin.policy.claims import (
    IDENTITY_COLUMNS,
    ClaimsError,
    _parse,
    _parse_fast,
    is_typed,
    parse_claims,
)

POLICIES = {name: load_policy(name) for name in ("fuliang-2018", "jining", "jilin-2017")}


def full_path(raw: pl.DataFrame, policy) -> pl.DataFrame | str:
    """What `parse_claims` did before the fast path: the frame, or the faults word for word."""
    try:
        if is_typed(raw):
            return _parse(raw, policy, 2, trim=IDENTITY_COLUMNS)
        try:
            return _parse(raw, policy, 2, trim=IDENTITY_COLUMNS)
        except ClaimsError:
            return _parse(raw, policy, 2, trim=None)
    except ClaimsError as exc:
        return str(exc)


def outcome(parse) -> pl.DataFrame | str:
    try:
        return parse()
    except ClaimsError as exc:
        return str(exc)


ODD = ["", "ı", "ⅰ", "x", "0", "01", "+1", "II ", "i", "A ", "m", "1.005", "-1", "1969-12-31"]


def cell(values: list[str], noise: int) -> st.SearchStrategy[str]:
    """One of `values` as it is; with odds 1 in `noise` (never when 0) with spaces around it,
    in lower case, or something else."""
    exact = st.sampled_from(values)
    odd = st.one_of(
        exact.map(lambda v: f" {v}"),
        exact.map(lambda v: f"{v}\t"),
        exact.map(lambda v: v + "\u3000"),
        exact.map(str.lower),
        st.sampled_from(ODD),
    )
    if noise == 0:
        return exact
    return st.integers(0, noise - 1).flatmap(lambda k: odd if k == 0 else exact)


def maybe(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), strategy)


NAMES = [
    "claim_id", "person_id", "category", "visit_type", "hospital_level", "chronic_class",
    "disease_code", "admission_date", "total_cost", "in_policy_cost", "rehab_cost", "transfer",
]  # fmt: skip


@st.composite
def tables(draw, policy) -> pl.DataFrame:
    """Mostly valid tables (so that the fast path is taken and compared), some with a few odd
    cells, some with many."""
    classes = sorted(
        {c for p in policy.packs if p.medical.chronic for c in p.medical.chronic.classes}
    )
    noise = draw(st.sampled_from([0, 0, 30, 6]))
    n = draw(st.integers(1, 6))
    names = [c for c in NAMES if c not in ("rehab_cost", "transfer") or draw(st.booleans())]
    cells = {
        "person_id": cell(["P1", "P2", "P3"], noise),
        "category": cell(["general", "poor", "dibao", "tekun"], noise),
        "hospital_level": cell(["1", "2", "3"], noise),
        "disease_code": maybe(cell(["J18", "d56.1", "C34", "A15", "I63.9", " "], noise)),
        "admission_date": cell(["2018-03-01", "2018-12-31", "2019-01-02", "2020-05-05"], noise),
        "total_cost": cell(["12.5", "100", "2500.50", "99999.99"], noise),
        "in_policy_cost": cell(["0", "12.5", "12.50"], noise),
        "rehab_cost": maybe(cell(["0", "0.00"], noise)),
        "transfer": maybe(cell(["0", "否", "false", "False"], noise)),
    }
    rows = []
    for i in range(n):
        chronic = draw(st.booleans()) and bool(classes)
        row = {
            "claim_id": draw(cell([f"C{i}", f"C{i}", "C0", f"=C{i}"], noise)),
            "visit_type": draw(
                cell(["chronic_outpatient"] if chronic else ["inpatient", "maternity"], noise)
            ),
            "chronic_class": draw(
                cell(classes, noise) if chronic else maybe(cell(classes or ["I"], noise))
            ),
        }
        rows.append({c: row[c] if c in row else draw(cells[c]) for c in names})
    frame = pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row")
    if draw(st.booleans()):  # as `read_claims_file(typed=True)` gives a CSV or a typed Parquet
        amounts = [c for c in ("total_cost", "in_policy_cost", "rehab_cost") if c in names]
        frame = frame.with_columns(pl.col(amounts).str.strip_chars().cast(pl.Float64, strict=False))
        if draw(st.booleans()):
            frame = frame.with_columns(
                pl.col("admission_date").str.to_date("%Y-%m-%d", strict=False)
            )
    return frame


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), name=st.sampled_from(sorted(POLICIES)))
def test_fast_path_is_the_full_path_where_it_accepts(data, name):
    policy = POLICIES[name]
    raw = data.draw(tables(policy))
    full = full_path(raw, policy)
    fast = _parse_fast(raw, policy)
    if fast is not None:
        assert isinstance(full, pl.DataFrame), (raw, full)
        assert fast.schema == full.schema
        assert fast.equals(full), (raw, fast, full)
    # Through the entry point: the same frame, or the same faults word for word.
    both = outcome(lambda: parse_claims(raw, policy))
    if isinstance(full, pl.DataFrame):
        assert isinstance(both, pl.DataFrame) and both.equals(full) and both.schema == full.schema
    else:
        assert both == full


def valid_raw(**changes) -> pl.DataFrame:
    row = {
        "claim_id": " C1",
        "person_id": "P1 ",
        "category": "poor",
        "visit_type": "chronic_outpatient",
        "hospital_level": "2",
        "chronic_class": "II",
        "disease_code": " d56.1",
        "admission_date": "2018-03-01",
        "total_cost": "100.5",
        "in_policy_cost": "90",
    } | changes
    return pl.DataFrame([row], schema=dict.fromkeys(row, pl.String), orient="row")


def test_fast_path_takes_a_valid_table():
    policy = POLICIES["fuliang-2018"]
    fast = _parse_fast(valid_raw(), policy)
    assert fast is not None
    assert fast.row(0, named=True) == {
        "claim_id": "C1",
        "person_id": "P1",
        "category": "poor",
        "visit_type": "chronic_outpatient",
        "hospital_level": 2,
        "chronic_class": "II",
        "disease_code": "D56.1",
        "admission_date": date(2018, 3, 1),
        "total_cost": 10050,
        "in_policy_cost": 9000,
        "rehab_cost": 0,
        "transfer": False,
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"chronic_class": "ii"},  # valid after upper-casing: the full path decides
        {"chronic_class": None},  # class from the disease code: the full path finds it
        {"category": " poor"},
        {"admission_date": "1969-12-31"},
        {"in_policy_cost": "100.51"},
        {"total_cost": "-1"},
        {"hospital_level": "02"},
        {"claim_id": "  "},
        {"transfer": "1"},  # a chronic claim cannot continue a transfer
    ],
)
def test_fast_path_leaves_doubtful_tables_to_the_full_path(changes):
    policy = POLICIES["fuliang-2018"]
    raw = valid_raw(**changes)
    assert _parse_fast(raw, policy) is None
    both, full = outcome(lambda: parse_claims(raw, policy)), full_path(raw, policy)
    if isinstance(full, pl.DataFrame):
        assert isinstance(both, pl.DataFrame) and both.equals(full)
    else:
        assert both == full


def test_fast_path_refuses_duplicate_claim_ids_sorted_or_not():
    policy = POLICIES["fuliang-2018"]
    for ids in (["C1", "C1", "C2"], ["C2", "C1", "C2"]):
        raw = pl.concat([valid_raw(claim_id=i) for i in ids])
        assert _parse_fast(raw, policy) is None
        with pytest.raises(ClaimsError, match="结算单号重复"):
            parse_claims(raw, policy)
