"""Settlement files (结算文件): fen written as yuan with two decimals, exactly, in both formats.

The writer goes from fen to decimal(18,2) through a float below 2⁵¹ fen (three times faster than
decimal division); these tests hold it to the exact decimal, worked out here with Python's
`decimal` module, independently of the code under test.
"""

import random
from decimal import Decimal

import polars as pl
import pytest

from fupin.policy.batch import PARTS
from fupin.policy.io import FLOAT_EXACT_FEN, write_settlements


def _frame(amounts: list[int]) -> pl.DataFrame:
    n = len(amounts)
    return pl.DataFrame(
        {"claim_id": [f"C{i}" for i in range(n)], **{p: amounts for p in PARTS}},
        schema={"claim_id": pl.String, **dict.fromkeys(PARTS, pl.Int64)},
    )


def _yuan_text(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def _amounts(top: int) -> list[int]:
    rng = random.Random(20261130)
    edges = [0, 1, 5, 9, 10, 29, 49, 50, 51, 99, 100, 101, 12345, 10**11 - 1, 10**11]
    return (
        list(range(0, 20_000))
        + edges
        + [rng.randrange(0, 10**11) for _ in range(20_000)]
        + [rng.randrange(0, top) for _ in range(2_000)]
        + [top - 1 - i for i in range(100)]
    )


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_every_amount_is_written_to_the_fen(tmp_path, suffix):
    amounts = _amounts(FLOAT_EXACT_FEN)
    out = write_settlements(_frame(amounts), tmp_path / f"split{suffix}")
    if suffix == ".csv":
        written = pl.read_csv(out, infer_schema=False)
        for part in PARTS:
            assert written[part].to_list() == [_yuan_text(a) for a in amounts]
    else:
        written = pl.read_parquet(out)
        for part in PARTS:
            assert written.schema[part] == pl.Decimal(18, 2)
            assert written[part].to_list() == [Decimal(a) / 100 for a in amounts]


def test_amounts_beyond_the_float_range_take_the_exact_path(tmp_path):
    amounts = [FLOAT_EXACT_FEN, FLOAT_EXACT_FEN + 1, 10**15 + 7, 3]
    out = write_settlements(_frame(amounts), tmp_path / "split.csv")
    written = pl.read_csv(out, infer_schema=False)
    assert written["self_pay"].to_list() == [_yuan_text(a) for a in amounts]


@pytest.mark.parametrize(
    "amounts",
    [
        # beyond on the negative side only; 2⁵³ + 1 fen is no float, so only the exact path is right
        [-FLOAT_EXACT_FEN, -(2**53) - 1, -(10**15) - 7, 3],
        [-(FLOAT_EXACT_FEN - 1), FLOAT_EXACT_FEN - 1, -5, 3],  # just inside on both sides
    ],
)
def test_negative_amounts_are_written_to_the_fen_either_way(tmp_path, amounts):
    out = write_settlements(_frame(amounts), tmp_path / "split.csv")
    written = pl.read_csv(out, infer_schema=False)
    assert written["self_pay"].to_list() == [_yuan_text(a) for a in amounts]
