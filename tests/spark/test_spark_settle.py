"""Batch settlement on Spark (local mode) equals the column path on one machine, every claim to the fen.

The claims are made here, independently of the settlement code: a few dozen persons with many
claims each over two years of the 济宁 region (whose values change on 2020-01-01), inpatient and
chronic outpatient, all hospital levels, transfers, costs large enough to reach every cap — and
person numbers written with stray spaces, which must still put a person's year in one partition.
"""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from fupin.policy.batch import PARTS, settle_frame
from fupin.policy.claims import ClaimsError, parse_claims
from fupin.policy.regions import load_policy
from fupin.policy.spark import settle_spark

POLICY = "jining"


def make_claims(n: int = 900, persons: int = 40, seed: int = 5) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    person = rng.integers(0, persons, n)
    category = np.array(["general", "poor", "dibao", "tekun"])[np.arange(persons) % 4][person]
    chronic = rng.random(n) < 0.35
    start = dt.date(2019, 1, 1).toordinal()
    days = rng.integers(0, 730, n)
    total = rng.integers(1_000, 30_000_000, n)  # fen: 10 元 to 30 万元
    inpol = total * rng.integers(50, 101, n) // 100
    pad = rng.random(n) < 0.1

    def yuan(f: int) -> str:
        return f"{f // 100}.{f % 100:02d}"

    return pl.DataFrame(
        {
            "claim_id": [f"C{i:05d}" for i in range(n)],
            "person_id": [
                (" " if p else "") + f"P{k:03d}" + (" " if p else "")
                for k, p in zip(person, pad, strict=True)
            ],
            "category": category.tolist(),
            "visit_type": ["chronic_outpatient" if c else "inpatient" for c in chronic],
            "hospital_level": [str(x) for x in rng.integers(1, 4, n)],
            "chronic_class": [str(rng.choice(["A", "B"])) if c else "" for c in chronic],
            "disease_code": [str(rng.choice(["", "J18", "C34.1", "I63.9"])) for _ in range(n)],
            "admission_date": [dt.date.fromordinal(start + int(d)).isoformat() for d in days],
            "total_cost": [yuan(int(x)) for x in total],
            "in_policy_cost": [yuan(int(x)) for x in inpol],
            "transfer": ["1" if (not c and rng.random() < 0.15) else "0" for c in chronic],
        }
    )


def fen(df: pl.DataFrame) -> pl.DataFrame:
    return df.select(
        "claim_id",
        *[(pl.col(p).cast(pl.Float64) * 100).round().cast(pl.Int64).alias(p) for p in PARTS],
    )


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_every_claim_equal_to_the_fen(spark, tmp_path, kind):
    raw = make_claims()
    path = tmp_path / f"claims.{kind}"
    raw.write_csv(path) if kind == "csv" else raw.write_parquet(path)
    policy = load_policy(POLICY)
    want = settle_frame(policy, parse_claims(raw, policy)).select("claim_id", *PARTS)
    report = settle_spark(
        spark, POLICY, str(path), str(tmp_path / "out"), partitions=3, work=str(tmp_path)
    )
    got = pl.read_parquet(tmp_path / "out" / "*.parquet")
    assert got.columns == ["claim_id", *PARTS]
    assert all(str(t).startswith("Decimal") for t in got.dtypes[1:])
    joined = want.join(fen(got), on="claim_id", how="full", suffix="_spark")
    assert joined.height == raw.height
    for p in PARTS:
        assert (joined[p] == joined[f"{p}_spark"]).all(), p
    assert report.claims == raw.height
    assert report.totals == {p: int(want[p].sum()) for p in PARTS}
    assert sum(report.totals.values()) == int(
        sum(int(round(float(x) * 100)) for x in raw["total_cost"])
    )


def test_faults_named_by_file_row(spark, tmp_path):
    raw = make_claims(200).with_row_index()
    raw = raw.with_columns(
        pl.when(pl.col("index") == 150)
        .then(pl.lit("abc"))
        .otherwise(pl.col("total_cost"))
        .alias("total_cost"),
        pl.when(pl.col("index") == 30)
        .then(pl.lit("C00007"))
        .otherwise(pl.col("claim_id"))
        .alias("claim_id"),
    ).drop("index")
    raw.write_csv(tmp_path / "bad.csv")
    with pytest.raises(ClaimsError) as caught:
        settle_spark(
            spark,
            POLICY,
            str(tmp_path / "bad.csv"),
            str(tmp_path / "out"),
            partitions=3,
            work=str(tmp_path),
        )
    text = str(caught.value)
    assert "第 152 行，列 total_cost" in text  # row 150 of the data is line 152 of the file
    assert "第 9 行，列 claim_id（结算单号）：结算单号重复" in text
    assert "第 32 行，列 claim_id（结算单号）：结算单号重复" in text
    assert not (tmp_path / "out").exists()


def test_missing_file_and_column(spark, tmp_path):
    with pytest.raises(ClaimsError, match="找不到文件"):
        settle_spark(spark, POLICY, str(tmp_path / "none.csv"), str(tmp_path / "out"))
    (tmp_path / "c.csv").write_text("claim_id,person_id\nC1,P1\n", encoding="utf-8")
    with pytest.raises(ClaimsError, match="缺少列"):
        settle_spark(spark, POLICY, str(tmp_path / "c.csv"), str(tmp_path / "out"))


def test_cli_settle_engine_spark(spark, tmp_path):
    """`fupin settle --engine spark` (run_settle) writes the Parquet directory and the totals."""
    from fupin.policy.cli import CliError, run_settle

    make_claims(120).write_parquet(tmp_path / "c.parquet")
    lines = []
    opts = {
        "policy": POLICY,
        "claims": str(tmp_path / "c.parquet"),
        "out": str(tmp_path / "o.parquet"),
    }
    run_settle({**opts, "engine": "spark", "partitions": 2}, lines.append)
    assert "在 Spark 上结算 120 笔" in lines[0]
    assert pl.read_parquet(tmp_path / "o.parquet" / "*.parquet").height == 120
    with pytest.raises(CliError, match="--explain"):
        run_settle({**opts, "engine": "spark", "explain": "C00001"}, lines.append)


def test_spark_submit_program(spark, tmp_path, capsys):
    """The spark-submit driver (fupin/sparkjob.py): settle, and a bad file answered with exit status 2."""
    from fupin.sparkjob import main

    make_claims(60).write_csv(tmp_path / "c.csv")
    args = ["settle", "--policy", POLICY, "--claims", str(tmp_path / "c.csv"), "--partitions", "2"]
    assert main([*args, "--out", str(tmp_path / "o")]) == 0
    assert "结算 60 笔" in capsys.readouterr().out
    assert pl.read_parquet(tmp_path / "o" / "*.parquet").height == 60
    assert not list(tmp_path.glob(".fupin-settle-*"))  # the staging directory is removed
    bad = [
        "settle",
        "--policy",
        "nowhere",
        "--claims",
        str(tmp_path / "c.csv"),
        "--out",
        str(tmp_path / "x"),
    ]
    assert main(bad) == 2
    assert "无法结算" in capsys.readouterr().err
