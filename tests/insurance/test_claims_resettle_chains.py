"""政策测算 under a region whose periods begin after the earlier stay of a transfer chain (转院连续计算
起付线, 吉林 003): the chain is not cut where the region's periods begin — the earlier stay counts
with the values of the region's first period — and the run says how many persons' chains did so.

Figures worked by hand as in tests/insurance/test_claims_columns.py (jilin-2017, poor person):
a level-1 stay, deductible 200; then a transfer to level 3, whose deductible 800 is charged only
its top-up 800 − 200 = 600."""

from __future__ import annotations

import textwrap

import pytest

from fupin.insurance.claims import imports, resettle
from fupin.insurance.claims.models import ClaimSplit, MedicalClaim, ResettledClaim
from fupin.policy.packs import clear_cache
from fupin.registry.models import Person
from tests.conftest import TOWN_A, login

HEADER = (
    "结算单号,身份证号,姓名,医院名称,就诊类型,医院级别,疾病编码,入院日期,总费用,"
    "政策范围内费用,康复项目费用,转院接续"
)
PARTS = ("basic_fen", "critical_fen", "assistance_fen", "fallback_fen", "self_fen")
# A region of its own with 吉林's values, in force only from 2018 (the chain's first stay is of 2017).
LATER_REGION = """\
id: later-2018
inherits: jilin-2017
name: 测试地区（2018 年起，数值同吉林 2017）
region: 测试地区
region_id: later
effective: {from: 2018-01-01}
"""


@pytest.fixture
def later_region(tmp_path, monkeypatch, settings):
    (tmp_path / "later-2018.yaml").write_text(textwrap.dedent(LATER_REGION), encoding="utf-8")
    monkeypatch.setenv("FUPIN_POLICY_DIRS", str(tmp_path))
    settings.COUNTY_POLICY_PACK = "jilin-2017"  # stored under 吉林, in force since 2017-09-12
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def chain(later_region, make_household, town_a_user):
    """T1 (2017-12-20, level 1) and T2 (2018-01-05, level 3, 转院接续) of one poor person, stored."""
    poor = Person.objects.get(household=make_household(TOWN_A, members=1))
    content = "\n".join([
        HEADER,
        f"T1,{poor.id_number},,一院,住院,一级,,2017-12-20,10000.00,10000.00,,否",
        f"T2,{poor.id_number},,三院,住院,三级,,2018-01-05,50000.00,50000.00,,是",
    ]) + "\n"  # fmt: skip
    job = imports.stage(
        imports.create_import(user=town_a_user, filename="转院.csv", content=content.encode()),
        user=town_a_user,
    )
    assert job.rows_rejected == 0, [(r.row_no, r.errors) for r in job.rows.all()]
    imports.merge(job, user=town_a_user)
    return poor


def _trial(user, policy: str) -> tuple:
    run = resettle.start(user=user, year=2018, policy=policy)  # runs at once in tests
    run.refresh_from_db()
    assert run.state == "done", run.message
    t2 = ResettledClaim.objects.get(run=run, claim__claim_no="T2")
    return run, tuple(getattr(t2, p) for p in PARTS)


def test_the_chain_continues_where_the_trial_regions_periods_begin(chain, town_a_user):
    official = ClaimSplit.objects.get(claim__claim_no="T2")
    # The county (吉林 since 2017-09-12) settled the chain whole: (50000 − 600) × 65% = 32110.00.
    assert official.basic_fen == 3211000
    run, parts = _trial(town_a_user, "later")
    # 测试地区 has no period in 2017, yet T1's deductible of 200 still counts: the same 32110.00
    # (a cut chain would charge the full 800: (50000 − 800) × 65% = 31980.00), and, the values
    # being 吉林's, the same split as the official one to the fen.
    assert parts[0] == 3211000
    assert parts == tuple(getattr(official, p) for p in PARTS)
    assert run.rows_total == 1 and run.skipped == 0
    assert "1 人的跨年转院接续延续的上一年住院早于测算政策的期间" in run.message, run.message
    html = login(town_a_user).get(f"/insurance/claims/resettle/{run.pk}/").content.decode()
    assert "1 人的跨年转院接续" in html


def test_a_region_covering_the_earlier_stay_says_nothing_of_it(chain, town_a_user):
    run, parts = _trial(town_a_user, "jilin")
    assert parts[0] == 3211000 and "转院" not in run.message, run.message


def test_a_region_without_the_transfer_rule_counts_no_chain(chain, town_a_user):
    run, parts = _trial(town_a_user, "fuliang")  # 浮梁: no 转院连续计算起付线, from 2018-01-01
    assert "转院" not in run.message, run.message
    # 浮梁 poor, level 3: the full deductible of its own; the stay is settled, not left out.
    assert run.skipped == 0 and sum(parts) == MedicalClaim.objects.get(claim_no="T2").total_fen
