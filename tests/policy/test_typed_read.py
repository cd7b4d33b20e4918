"""The typed CSV happy path (amounts parsed by the CSV reader) accepts exactly what the text path
accepts, with the same values, and a faulty file is judged and reported as text."""

import csv
import tempfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fupin.policy import load_policy
from fupin.policy.claims import ClaimsError, parse_claims
from fupin.policy.cli import parse_claims_file
from fupin.policy.io import read_claims_file

POLICY = load_policy("fuliang-2018")
HEADER = [
    "claim_id", "person_id", "category", "visit_type", "hospital_level", "chronic_class",
    "disease_code", "admission_date", "total_cost", "in_policy_cost", "rehab_cost",
]  # fmt: skip
AMOUNT_TEXTS = [
    "12.5", "12.50", "012", " 12", "12 ", "1e3", "1E-2", "12.345", "-0", "-0.00", "-1", "+12",
    "１２", "", "nan", "NaN", "inf", "-inf", ".5", "5.", "1_000", "0x10", "1,5", "999999999.99",
    "1000000000", "0.001", "0.1e1", "1.", "00000000012.00", "\t7", "1e400", "4.9e-324", "--1",
]  # fmt: skip
DATE_TEXTS = [
    "2018-01-05", "2018-1-5", "2018/01/05", "20180105", "2018-02-30", " 2018-03-01",
    "2018-03-01 ", "2018-03-01T00:00", "18-01-05", "+2018-01-05", "",
]  # fmt: skip
amount = st.one_of(
    st.sampled_from(AMOUNT_TEXTS),
    st.text(alphabet="0123456789.-+eE ,_n１", max_size=8),
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False).map(str),
    st.integers(min_value=0, max_value=10**6).map(lambda n: f"{n // 100}.{n % 100:02d}"),
)
row = st.tuples(amount, amount, st.one_of(st.none(), amount), st.sampled_from(DATE_TEXTS))


def write(path: Path, rows: list[tuple], rehab: bool) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER if rehab else HEADER[:-1])
        for i, (total, in_policy, rehab_cost, day) in enumerate(rows):
            cells = [f"C{i}", f"P{i}", "poor", "inpatient", "2", "", "", day, total, in_policy]
            out.writerow([*cells, rehab_cost or ""] if rehab else cells)


def outcome(parse):
    try:
        return parse()
    except ClaimsError as exc:
        return str(exc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row, min_size=1, max_size=4), rehab=st.booleans())
def test_typed_path_accepts_what_text_path_accepts(rows, rehab):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.csv"
        write(path, rows, rehab)
        text = outcome(lambda: parse_claims(read_claims_file(path), POLICY))
        typed_raw = read_claims_file(path, typed=True)
        typed = outcome(lambda: parse_claims(typed_raw, POLICY))
        if isinstance(typed, pl.DataFrame):
            # The typed path alone never accepts what the text path rejects, nor changes a value.
            assert isinstance(text, pl.DataFrame), (rows, text)
            assert typed.equals(text), (rows, typed, text)
        # End to end (with the fallback): the same frame or the same faults, word for word.
        both = outcome(lambda: parse_claims_file(path, POLICY))
        if isinstance(text, pl.DataFrame):
            assert isinstance(both, pl.DataFrame) and both.equals(text), rows
        else:
            assert both == text


def test_typed_read_parses_amounts_and_keeps_dates_as_text(tmp_path):
    path = tmp_path / "c.csv"
    write(path, [("100.5", "90", None, "2018-03-01")], rehab=False)
    raw = read_claims_file(path, typed=True)
    assert raw.schema["total_cost"] == pl.Float64
    assert raw.schema["admission_date"] == pl.String
    frame = parse_claims_file(path, POLICY)
    assert frame.row(0, named=True)["total_cost"] == 10050
    assert frame.row(0, named=True)["in_policy_cost"] == 9000


@pytest.mark.parametrize(
    ("total", "in_policy", "message"),
    [
        ("-1", "0", "第 2 行，列 total_cost（总费用）：金额不能为负数（-1）"),
        ("10", "20.50", "政策范围内费用 20.50 元大于总费用 10 元"),
        ("1.005", "1", "不是金额（以元为单位，最多两位小数、9 位整数）：1.005"),
        (
            "",
            "1",
            "列 total_cost（总费用）：不是金额（以元为单位，最多两位小数、9 位整数）：（空）",
        ),
        ("1e3", "１２", "不是金额（以元为单位，最多两位小数、9 位整数）：１２"),
    ],
)
def test_faults_are_reported_in_the_cells_own_text(tmp_path, total, in_policy, message):
    path = tmp_path / "c.csv"
    write(path, [(total, in_policy, None, "2018-03-01")], rehab=False)
    with pytest.raises(ClaimsError) as caught:
        parse_claims_file(path, POLICY)
    assert message in str(caught.value)


yuan = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=1e9),
    st.integers(min_value=0, max_value=10**8).map(lambda n: n / 100),
    st.integers(min_value=-(2**62), max_value=2**62),
)
day = st.one_of(
    st.dates(min_value=date(1970, 1, 1), max_value=date(2149, 12, 31)),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    amounts=st.lists(st.tuples(yuan, yuan, day), min_size=1, max_size=4),
    integers=st.booleans(),
)
def test_typed_parquet_columns_are_judged_as_their_text(amounts, integers):
    """A Parquet file whose amounts are numbers and whose dates are dates: kept typed, the same
    verdict and values as when the same columns are given as their text."""
    # Mostly in-policy ≤ total, so that most tables are valid and their values compared.
    amounts = [(max(t, i), min(t, i), d) if t == t and i == i else (t, i, d) for t, i, d in amounts]
    if integers:
        amounts = [(int(t), int(i), d) for t, i, d in amounts if _finite(t) and _finite(i)]
        if not amounts:
            return
    else:
        amounts = [(float(t), float(i), d) for t, i, d in amounts]
    frame = pl.DataFrame(
        {
            "claim_id": [f"C{i}" for i in range(len(amounts))],
            "person_id": [f"P{i}" for i in range(len(amounts))],
            "category": "poor",
            "visit_type": "inpatient",
            "hospital_level": "2",
            "chronic_class": None,
            "disease_code": None,
            "admission_date": [d for _, _, d in amounts],
            "total_cost": [t for t, _, _ in amounts],
            "in_policy_cost": [i for _, i, _ in amounts],
        },
        schema_overrides={"chronic_class": pl.String, "disease_code": pl.String},
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.parquet"
        frame.write_parquet(path)
        text = outcome(lambda: parse_claims(read_claims_file(path), POLICY))
        typed_raw = read_claims_file(path, typed=True)
        assert typed_raw.schema["admission_date"] == pl.Date
        typed = outcome(lambda: parse_claims(typed_raw, POLICY))
        if isinstance(typed, pl.DataFrame):
            assert isinstance(text, pl.DataFrame), (amounts, text)
            assert typed.equals(text), amounts
        both = outcome(lambda: parse_claims_file(path, POLICY))
        if isinstance(text, pl.DataFrame):
            assert isinstance(both, pl.DataFrame) and both.equals(text), amounts
        else:
            assert both == text


def _finite(x: float) -> bool:
    return x == x and abs(x) < 2**62
