"""The streamed happy path of `fupin settle` (`fupin.policy.streamed`) writes the very file and
report the whole-table path writes, and leaves every file it doubts — and so every fault message —
to the whole-table path.

Files are written here from claims drawn independently of the code under test (valid claims of a
few persons around a change of year or of policy period; tables with odd cells), as a county's
CSV would come."""

from __future__ import annotations

import dataclasses
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fupin.policy import load_policy
from fupin.policy.batch import _order, hash_order
from fupin.policy.claims import Claim, ClaimsError
from fupin.policy.cli import SettleReport, settle_file
from fupin.policy.compiler import load_compiled
from fupin.policy.streamed import settle_csv

from .strategies import claim_lists
from .test_fast_parse import tables

SPECS = ["fuliang-2018", "jining", "jining@2018-05-01", "jilin-2017", "qingcheng"]
POLICIES = {spec: load_policy(spec) for spec in SPECS}
NAMES = [
    "claim_id", "person_id", "category", "visit_type", "hospital_level", "chronic_class",
    "disease_code", "admission_date", "total_cost", "in_policy_cost", "rehab_cost", "transfer",
]  # fmt: skip


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def claims_csv(claims: list[Claim], path: Path) -> Path:
    rows = [
        {
            "claim_id": c.claim_id,
            "person_id": c.person_id,
            "category": c.category,
            "visit_type": c.visit_type,
            "hospital_level": str(c.hospital_level),
            "chronic_class": c.chronic_class or "",
            "disease_code": c.disease_code or "",
            "admission_date": c.admission_date.isoformat(),
            "total_cost": yuan(c.total_cost),
            "in_policy_cost": yuan(c.in_policy_cost),
            "rehab_cost": yuan(c.rehab_cost),
            "transfer": "1" if c.transfer else "0",
        }
        for c in claims
    ]
    pl.DataFrame(rows, schema=dict.fromkeys(NAMES, pl.String), orient="row").write_csv(path)
    return path


def run(spec: str, claims: Path, out: Path, stream: bool) -> tuple[SettleReport | str, bytes]:
    """The report (without its output path) and the file written; or the faults word for word."""
    try:
        report = settle_file(spec, claims, out, stream=stream)
    except ClaimsError as exc:
        return str(exc), b""
    return dataclasses.replace(report, out=Path("-")), out.read_bytes()


def same_as_whole_table(spec: str, claims: Path) -> SettleReport | str:
    """Both paths give the same report and the same bytes; the report (or the faults)."""
    streamed = run(spec, claims, claims.with_name("streamed.csv"), stream=True)
    whole = run(spec, claims, claims.with_name("whole.csv"), stream=False)
    assert streamed == whole
    return whole[0]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    spec=st.sampled_from(SPECS),
    first_day=st.sampled_from([date(2018, 12, 30), date(2019, 12, 30), date(2018, 7, 30)]),
)
def test_valid_claims_are_streamed_and_settled_as_the_whole_table(data, spec, first_day):
    claims = data.draw(
        claim_lists(POLICIES[spec], max_persons=5, max_claims=20, first_day=first_day)
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = claims_csv(claims, Path(tmp) / "claims.csv")
        report = same_as_whole_table(spec, path)
        streamed = settle_csv(load_compiled(spec), path)
        # Where the whole table settles, the streamed path took it (and did not defer to it);
        # where it refuses (outside every period, a maternity stay without a rule), so does this.
        assert (streamed is not None) == isinstance(report, SettleReport), report


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), spec=st.sampled_from(["fuliang-2018", "jining", "jilin-2017"]))
def test_odd_cells_get_the_whole_tables_words(data, spec):
    raw = data.draw(tables(POLICIES[spec]))
    if raw.schema["total_cost"] != pl.String:
        raw = raw.with_columns(pl.all().cast(pl.String))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "claims.csv"
        raw.write_csv(path)
        same_as_whole_table(spec, path)


def test_a_year_of_claims_streamed_is_the_whole_table_to_the_fen(tmp_path):
    """5,000 claims of 300 persons over two years, in no order, same-day stays included."""
    rng = random.Random(20261130)
    policy = load_compiled("fuliang")
    claims = []
    for i in range(5_000):
        total = rng.randrange(0, 6_000_000)
        chronic = rng.random() < 0.3
        claims.append(
            Claim(
                claim_id=f"Z{rng.randrange(10**9):09d}-{i}",
                person_id=f"36022219{rng.randrange(300):04d}",
                category=rng.choice(["general", "poor", "dibao", "tekun"]),
                visit_type="chronic_outpatient" if chronic else "inpatient",
                hospital_level=rng.choice([1, 2, 3]),
                chronic_class=rng.choice(policy.chronic_classes) if chronic else None,
                disease_code=rng.choice([None, "J18", "C34.1", "I63.9", "N18", "K35.8"]),
                admission_date=date(2018, 1, 1) + timedelta(days=rng.randrange(730)),
                total_cost=total,
                in_policy_cost=rng.randrange(0, total + 1),
            )
        )
    path = claims_csv(claims, tmp_path / "claims.csv")
    assert settle_csv(policy, path) is not None
    report = same_as_whole_table("fuliang", path)
    assert isinstance(report, SettleReport) and report.claims == 5_000


def test_a_disease_written_several_ways_is_one_disease(tmp_path):
    """Major diseases (重大疾病) and cost-controlled ones (单病种控费) are found once per distinct
    code as written: lower case, spaces and a ideographic space around it change nothing, and
    the report counts the cost-controlled stays of eligible persons only."""
    written = ["c34.1", " C34.1", "C34.1\u3000", "n18.5", "N18.5 ", "c16", "J18", ""]
    rows = [
        one_claim(
            claim_id=f"C{i}",
            person_id=f"P{i % 3}",
            category=["poor", "general", "dibao"][i % 3],
            disease_code=code,
            admission_date=f"2018-0{1 + i % 9}-0{1 + i % 7}",
        )
        for i, code in enumerate(written * 3)
    ]
    path = tmp_path / "claims.csv"
    pl.DataFrame(rows).write_csv(path)
    streamed = settle_csv(load_compiled("fuliang"), path)
    assert streamed is not None
    report = same_as_whole_table("fuliang", path)
    assert isinstance(report, SettleReport)
    # C16 and N18.5 are cost-controlled for 贫困户 and 低保 but not for general residents.
    controlled = [r for r in rows if r["category"] != "general"]
    listed = [r for r in controlled if r["disease_code"].strip().upper()[:3] in ("C16", "N18")]
    assert report.cost_controlled == streamed.cost_controlled == len(listed) > 0


def one_claim(**changes: str) -> dict[str, str]:
    return {
        "claim_id": "C1",
        "person_id": "P1",
        "category": "poor",
        "visit_type": "inpatient",
        "hospital_level": "2",
        "chronic_class": "",
        "disease_code": "J18",
        "admission_date": "2018-03-01",
        "total_cost": "1000.50",
        "in_policy_cost": "900",
    } | changes


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ([one_claim(total_cost="12.345")], "总费用"),
        ([one_claim(admission_date="2017-12-31")], "不在"),
        ([one_claim(), one_claim()], "结算单号重复"),
        ([one_claim(category="贫困户")], "人员类别"),
        ([one_claim(admission_date="2018/03/01")], "入院日期"),
        ([one_claim(in_policy_cost="2000")], "政策范围内费用"),
    ],
)
def test_faulty_files_are_judged_by_the_whole_table(tmp_path, rows, words):
    path = tmp_path / "claims.csv"
    pl.DataFrame(rows).write_csv(path)
    assert settle_csv(load_compiled("fuliang"), path) is None
    faults = same_as_whole_table("fuliang", path)
    assert isinstance(faults, str) and words in faults


def test_a_maternity_stay_without_a_rule_is_left_to_the_whole_table(tmp_path):
    path = tmp_path / "claims.csv"
    pl.DataFrame([one_claim(visit_type="maternity")]).write_csv(path)
    policy = load_compiled("fuliang")
    if all(policy.admits_maternity):
        pytest.skip("浮梁 has a rule for maternity stays")
    assert settle_csv(policy, path) is None
    faults = same_as_whole_table("fuliang", path)
    assert isinstance(faults, str) and "住院分娩" in faults


@pytest.mark.parametrize(
    ("write", "streamed"),
    [
        (lambda text, path: path.write_bytes(text.encode("gb18030")), False),  # 所有者 in GBK
        (lambda text, path: path.write_text(text.replace("claim_id", " claim_id ", 1)), False),
        (lambda text, path: path.write_bytes("\ufeff".encode() + text.encode()), True),  # BOM
    ],
    ids=["gbk", "spaced-header", "bom"],
)
def test_files_to_tidy_first_are_left_to_the_whole_table_and_settled(tmp_path, write, streamed):
    """A GBK file or a header with spaces goes to the whole table, which tidies them; a UTF-8
    byte-order mark the CSV reader drops itself, so such a file is streamed."""
    text = pl.DataFrame([one_claim(person_id="所有者"), one_claim(claim_id="C2")]).write_csv()
    path = tmp_path / "claims.csv"
    write(text, path)
    assert (settle_csv(load_compiled("fuliang"), path) is not None) == streamed
    report = same_as_whole_table("fuliang", path)
    assert isinstance(report, SettleReport) and report.claims == 2


def test_two_persons_sharing_a_hash_prefix_are_sorted_exactly():
    """Hashes crafted to share their first 48 bits: the hash order gives up, the exact sort
    takes over and still puts each person's days in order."""
    day = pl.Series([17600, 17500, 17550], dtype=pl.Int32)
    claim_id = pl.Series(["c", "b", "a"])
    same_prefix = pl.Series([5 << 16 | 1, 5 << 16 | 2, 5 << 16 | 1], dtype=pl.UInt64)
    check = pl.Series([1, 2, 1], dtype=pl.UInt64)
    assert hash_order(same_prefix, check, day, claim_id) is None
    claims = pl.DataFrame({"person_id": ["P1", "P2", "P1"], "claim_id": claim_id})
    order, starts, days = _order(claims, day)
    assert order.to_list() == [2, 0, 1]
    assert days.to_list() == [17550, 17600, 17500]
    assert starts.to_list() == [True, False, True]
