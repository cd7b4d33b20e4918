"""A region at a date (`jining@2018-05-01`) is refused outside the years an admission date may
have (`params.FIRST_YEAR`–`LAST_YEAR`), in Chinese; and `--explain` of a January transfer shows
the December stay its chain began with (转院连续计算起付线 across the New Year)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fupin.policy import PackError, load_policy
from fupin.policy.params import FIRST_YEAR, LAST_YEAR

ROOT = Path(__file__).parents[2]
HEADER = (
    "claim_id,person_id,category,visit_type,hospital_level,chronic_class,disease_code,"
    "admission_date,total_cost,in_policy_cost,transfer"
)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fupin.policy", *args], capture_output=True, text=True, cwd=ROOT
    )


@pytest.mark.parametrize("day", [f"{LAST_YEAR + 1}-01-01", "2200-01-01", f"{FIRST_YEAR - 1}-12-31"])
def test_a_region_date_outside_the_claim_years_is_refused(day):
    with pytest.raises(PackError) as exc:
        load_policy(f"jining@{day}")
    assert str(exc.value).startswith(
        f"日期超出范围：{day}。结算单的入院日期只能在 {FIRST_YEAR} 至 {LAST_YEAR} 年之间"
    )


def test_the_last_day_claims_may_have_is_a_region_date():
    policy = load_policy(f"jining@{LAST_YEAR}-12-31")
    assert policy.spans[0].pack.id == "jining-2020"


def test_the_command_refuses_it_with_status_2_and_writes_nothing(tmp_path):
    claims = tmp_path / "c.csv"
    claims.write_text(HEADER + "\nC1,P1,poor,inpatient,3,,,2018-03-01,1000,1000,0\n")
    out = tmp_path / "o.csv"
    done = run(
        "settle", "--policy", "jining@2200-01-01", "--claims", str(claims), "--out", str(out)
    )
    assert done.returncode == 2
    assert "日期超出范围：2200-01-01。结算单的入院日期只能在 1970 至 2149 年之间" in done.stderr
    assert not out.exists()


def test_explain_of_a_january_transfer_counts_the_december_stay(tmp_path):
    claims = tmp_path / "c.csv"
    claims.write_text(
        HEADER
        + "\nA,P,poor,inpatient,2,,I63,2017-12-20,10000,10000,0"
        + "\nB,P,poor,inpatient,3,,I63,2018-01-02,10000,10000,1\n"
    )
    out = tmp_path / "o.csv"
    done = run(
        "settle", "--policy", "jilin", "--claims", str(claims), "--out", str(out), "--explain", "B"
    )
    assert done.returncode == 0, done.stderr
    assert "转院接续：此前已收 400.00 元，本次补足 400.00 元" in done.stdout
    assert "(10000.00 元 − 起付 400.00 元) × 65% = 6240.00 元" in done.stdout
