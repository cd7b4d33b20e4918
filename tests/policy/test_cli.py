"""`python -m fupin.policy` — the settlement commands without Django, exit status 2 on bad input."""

import subprocess
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).parents[2]
HEADER = (
    "claim_id,person_id,category,visit_type,hospital_level,chronic_class,disease_code,"
    "admission_date,total_cost,in_policy_cost"
)


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "fupin.policy", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_settle_without_django(tmp_path):
    claims = tmp_path / "c.csv"
    claims.write_text(
        HEADER + "\nC1,P1,poor,inpatient,3,,,2018-03-01,100000,90000\n", encoding="utf-8"
    )
    out = tmp_path / "o.parquet"
    done = run("settle", "--policy", "fuliang-2018", "--claims", str(claims), "--out", str(out))
    assert done.returncode == 0, done.stderr
    # Golden case F-03: 53520 + 15740 + 0 + 20740 + 10000.
    row = pl.read_parquet(out).row(0)
    assert [str(v) for v in row] == ["C1", "53520.00", "15740.00", "0.00", "20740.00", "10000.00"]


def test_bad_input_is_status_2_and_writes_nothing(tmp_path):
    claims = tmp_path / "c.csv"
    claims.write_text(HEADER + "\nC1,P1,poor,inpatient,3,,,2018-03-01,100,900\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    done = run("settle", "--policy", "fuliang-2018", "--claims", str(claims), "--out", str(out))
    assert done.returncode == 2
    assert (
        "第 2 行，列 in_policy_cost（政策范围内费用）：政策范围内费用 900 元大于总费用 100 元"
        in done.stderr
    )
    assert not out.exists()
    assert run("policy", "show", "nowhere").returncode == 2
