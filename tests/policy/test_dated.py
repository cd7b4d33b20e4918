"""Policy values by date and the person's category by date, worked by hand on both paths.

Pack figures as in test_golden.py. A region (`jining`) settles each claim with the values in
force on its admission date; a pack id (`jining-2016`) or `region@date` settles every claim
with one date's values (policy simulation). Within a person's year the year-to-date totals
(deductibles, 大病 thresholds and bands, caps) run across a change of category or of period.
"""

from __future__ import annotations

import textwrap
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fupin.policy import ClaimsError, settle_claims, settle_frame
from fupin.policy.batch import PARTS
from fupin.policy.claims import Claim, to_frame
from fupin.policy.packs import PackError, clear_cache
from fupin.policy.params import fen_to_yuan, yuan_to_fen
from fupin.policy.regions import load_policy

from .strategies import claim_lists

IP, CH = "inpatient", "chronic_outpatient"


def _claims(rows):
    return [
        Claim(
            claim_id=f"G{i:02d}",
            person_id="P",
            category=category,
            visit_type=visit,
            hospital_level=level,
            chronic_class=cls,
            disease_code=None,
            admission_date=date.fromisoformat(day),
            total_cost=yuan_to_fen(total),
            in_policy_cost=yuan_to_fen(in_policy),
        )
        for i, (category, visit, level, cls, day, total, in_policy) in enumerate(rows)
    ]


def _both(policy, rows):
    """The split in yuan per claim, asserting the two paths agree."""
    claims = _claims(rows)
    scalar = [
        tuple(fen_to_yuan(v) for v in s.parts().values()) for s in settle_claims(policy, claims)
    ]
    frame = settle_frame(policy, to_frame(claims))
    column = [tuple(fen_to_yuan(r[p]) for p in PARTS) for r in frame.iter_rows(named=True)]
    assert scalar == column
    return scalar


CASES = [
    (
        "D-01 Jining by date: a December stay meets 2016's values, January's meets 2020's",
        "jining",
        [
            ("poor", IP, 3, None, "2019-12-20", "60000", "50000"),
            ("poor", IP, 3, None, "2020-01-05", "60000", "50000"),
        ],
        # 2019 (jining-2016): basic (50000 − 500) × 65% = 32175; 大病 on 17825: 12000 × 50% = 6000,
        #   5825 × 55% = 3203.75 → 9203.75; self 60000 − 32175 − 9203.75 = 18621.25
        # 2020 (jining-2020, new year): no threshold for the poor: 17825 × 55% = 9803.75;
        #   self 60000 − 32175 − 9803.75 = 18021.25
        [
            ("32175.00", "9203.75", "0.00", "0.00", "18621.25"),
            ("32175.00", "9803.75", "0.00", "0.00", "18021.25"),
        ],
    ),
    (
        "D-02 the pack id is Jining at 2016-01-01: a 2020 stay simulated under 2016's values",
        "jining-2016",
        [("poor", IP, 3, None, "2020-03-01", "60000", "50000")],
        # as the 2019 stay of D-01
        [("32175.00", "9203.75", "0.00", "0.00", "18621.25")],
    ),
    (
        "D-03 region@date: Jining at 2021-06-01 is 2020's values for a 2018 stay",
        "jining@2021-06-01",
        [("poor", IP, 3, None, "2018-03-01", "60000", "50000")],
        # as the 2020 stay of D-01
        [("32175.00", "9803.75", "0.00", "0.00", "18021.25")],
    ),
    (
        "C-01 general until summer, identified poor in August: the 大病 year runs across",
        "jining",
        [
            ("general", IP, 3, None, "2016-03-01", "60000", "50000"),
            ("poor", IP, 1, None, "2016-09-01", "10000", "10000"),
        ],
        # 1st (general): basic (50000 − 1000) × 55% = 26950; 大病 self-pay 23050, general threshold
        #   12000: (23050 − 12000) × 50% = 5525; self 60000 − 26950 − 5525 = 27525
        # 2nd (poor): basic (10000 − 100) × 90% = 8910; 大病 self-pay 1090, year-to-date
        #   23050 → 24140, already above the threshold: 1090 × (50% + 5%) = 599.50
        #   (alone it would be 1090 × 50% = 545, below the threshold); self 10000 − 8910 − 599.50
        [
            ("26950.00", "5525.00", "0.00", "0.00", "27525.00"),
            ("8910.00", "599.50", "0.00", "0.00", "490.50"),
        ],
    ),
    (
        "C-02 Fuliang chronic Ⅰ: general then poor, cap and the 6万 line run across",
        "fuliang",
        [
            ("general", CH, 1, "I", "2018-03-01", "30000", "30000"),
            ("poor", CH, 1, "I", "2018-06-01", "50000", "50000"),
        ],
        # 1st (general): 30000 × 80% = 24000 → cap 15000; 大病 (15000 − 10000) × 50% = 2500;
        #   self 30000 − 15000 − 2500 = 12500. Year-to-date: class Ⅰ entitlement 24000, 大病 15000.
        # 2nd (poor): 50000 × 90% = 45000; cap 10万: min(24000 + 45000, 100000) − 24000 = 45000;
        #   6万 line: basic keeps min(69000, 60000) − 24000 = 36000, the 大病 insurer 9000;
        #   大病 self-pay 50000 − 45000 = 5000, year-to-date 15000 → 20000 above the poor threshold
        #   10000 × (1 − 50%) = 5000: 5000 × 50% = 2500 → critical 9000 + 2500 = 11500;
        #   self 50000 − 36000 − 11500 = 2500
        [
            ("15000.00", "2500.00", "0.00", "0.00", "12500.00"),
            ("36000.00", "11500.00", "0.00", "0.00", "2500.00"),
        ],
    ),
    (
        "C-03 Jilin: poor, then 特困 in November — assistance ratio and cap of the day",
        "jilin",
        [
            ("poor", IP, 1, None, "2017-10-01", "10000", "10000"),
            ("tekun", IP, 3, None, "2017-11-01", "50000", "50000"),
        ],
        # 1st (poor): basic (10000 − 200) × 85% = 8330; 1670 < 6000 → 0; assistance 1670 × 50% = 835
        # 2nd (特困): basic (50000 − 800) × 65% = 31980; 大病 self-pay 18020, year-to-date
        #   1670 → 19690: (19690 − 6000) × 60% = 8214; assistance (50000 − 31980 − 8214) × 80%
        #   = 9806 × 80% = 7844.80 (特困 cap 3万, 835 counted); self 50000 − 31980 − 8214 − 7844.80
        [
            ("8330.00", "0.00", "835.00", "0.00", "835.00"),
            ("31980.00", "8214.00", "7844.80", "0.00", "1961.20"),
        ],
    ),
    (
        "C-04 Jilin: poor in March, 低保 from the summer — basic, 大病 and assistance caps run across",
        "jilin",
        [
            ("poor", IP, 3, None, "2018-03-01", "100000", "100000"),
            ("dibao", IP, 3, None, "2018-08-01", "200000", "200000"),
        ],
        # 1st (poor): basic (100000 − 800) × 65% = 64480; 大病 self-pay 35520 over the poor
        #   threshold 10000 × (1 − 40%) = 6000: 29520 × 60% = 17712; assistance
        #   (100000 − 64480 − 17712) = 17808 × 50% = 8904; self 8904
        # 2nd (低保): basic (200000 − 800) × 65% = 129480, year cap 150000 leaves 150000 − 64480
        #   = 85520; 大病 self-pay 114480, year-to-date 35520 → 150000: 14480 × 60% = 8688,
        #   50000 × 65% = 32500, 50000 × 70% = 35000 → 76188; assistance (200000 − 85520 − 76188)
        #   = 38292 × 60% = 22975.20, 低保 cap 20000 with 8904 already paid → 11096;
        #   self 38292 − 11096 = 27196 (alone, as 低保 from 1 January, it would be 12312.80)
        [
            ("64480.00", "17712.00", "8904.00", "0.00", "8904.00"),
            ("85520.00", "76188.00", "11096.00", "0.00", "27196.00"),
        ],
    ),
]


@pytest.mark.parametrize(("name", "policy", "rows", "expected"), CASES, ids=[c[0] for c in CASES])
def test_dated_golden(name, policy, rows, expected):
    assert _both(policy, rows) == expected


@pytest.mark.parametrize("policy", ["jining", "jining-2020", "jining@2020-05-01"])
def test_a_claim_outside_every_period_is_refused_on_both_paths(policy):
    claims = _claims(
        [
            ("poor", IP, 1, None, "2017-03-01", "100", "100"),
            ("poor", IP, 1, None, "2012-05-01", "100", "100"),
        ]
    )
    message = (
        "第 3 行，列 admission_date（入院日期）：入院日期 2012-05-01 不在山东省济宁市任何政策期间内；"
        "现有期间：2016-01-01 至 2019-12-31（济宁市医疗保险精准扶贫（2016））；"
        "2020-01-01 起（济宁市医疗保险精准扶贫“三降低、四提高”（2020））"
    )
    with pytest.raises(ClaimsError) as err:
        settle_claims(policy, claims)
    assert str(err.value) == message
    with pytest.raises(ClaimsError) as err:
        settle_frame(policy, to_frame(claims))
    assert str(err.value) == message


def test_a_date_without_values_and_an_unknown_region_are_refused():
    from fupin.policy import PackError

    with pytest.raises(
        PackError, match="吉林省在 2016-01-01 没有生效的政策；现有期间：2017-09-12 起"
    ):
        load_policy("jilin@2016-01-01")
    with pytest.raises(PackError, match="日期无效"):
        load_policy("jilin@2016-13-01")
    with pytest.raises(PackError, match="未知政策包：atlantis"):
        load_policy("atlantis")


JILIN_2018 = """
id: jilin-2018
inherits: jilin-2017
name: 吉林省（假想的 2018 年 7 月调整）
region: 吉林省
region_id: jilin
effective: {from: 2018-07-01}
medical:
  critical:
    segments:
      value:
        - {upto: 50000, ratio: 60%}
        - {upto: 100000, ratio: 65%}
        - {upto: null, ratio: 70%}
      source: {assumed: 测试用：年中提高分段比例}
"""


@pytest.fixture
def jilin_mid_year(tmp_path, monkeypatch):
    (tmp_path / "jilin-2018.yaml").write_text(textwrap.dedent(JILIN_2018), encoding="utf-8")
    monkeypatch.setenv("FUPIN_POLICY_DIRS", str(tmp_path))
    clear_cache()
    yield
    clear_cache()


def test_a_mid_year_change_of_values_keeps_the_year_to_date(jilin_mid_year):
    expected = [
        # March (jilin-2017): basic (50000 − 800) × 65% = 31980; 大病 (18020 − 10000) × 55% = 4411
        ("31980.00", "4411.00", "0.00", "0.00", "13609.00"),
        # August (jilin-2018): basic (10000 − 200) × 85% = 8330; 大病 self-pay 1670, year-to-date
        #   18020 → 19690, inside the first band, now 60%: 1670 × 60% = 1002; self 668
        ("8330.00", "1002.00", "0.00", "0.00", "668.00"),
    ]
    rows = [
        ("general", IP, 3, None, "2018-03-01", "50000", "50000"),
        ("general", IP, 1, None, "2018-08-01", "10000", "10000"),
    ]
    assert _both("jilin", rows) == expected
    assert load_policy("jilin").region.periods_text() == (
        "2017-09-12 至 2018-06-30（吉林省社会保险扶贫——医疗保险（2017））；"
        "2018-07-01 起（吉林省（假想的 2018 年 7 月调整））"
    )
    (first, second) = settle_claims("jilin", _claims(rows))
    assert (
        "适用政策：2017-09-12 至 2018-06-30（吉林省社会保险扶贫——医疗保险（2017））"
        in first.explain()
    )
    assert "适用政策：2018-07-01 起（吉林省（假想的 2018 年 7 月调整））" in second.explain()


PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Each policy with days that cross its changes: a change of period, a change of year, or both.
BY_DATE = [
    ("jining", date(2019, 12, 30)),
    ("fuliang", date(2018, 12, 30)),
    ("jilin", date(2017, 12, 30)),
    ("qingcheng", date(2018, 12, 30)),
    ("jining@2016-01-01", date(2019, 12, 30)),
    ("jining-2020", date(2019, 12, 30)),
]


@pytest.mark.parametrize(("policy", "first_day"), BY_DATE)
@PROPERTY
@given(data=st.data())
def test_scalar_equals_column_for_every_region_and_date(policy, first_day, data):
    resolved = load_policy(policy)
    claims = data.draw(claim_lists(resolved, first_day=first_day))
    scalar = {s.claim.claim_id: s.parts() for s in settle_claims(resolved, claims)}
    frame = settle_frame(resolved, to_frame(claims))
    column = {r["claim_id"]: {k: r[k] for k in PARTS} for r in frame.iter_rows(named=True)}
    assert column == scalar


def test_scalar_equals_column_across_a_mid_year_change(jilin_mid_year):
    @PROPERTY
    @given(data=st.data())
    def check(data):
        resolved = load_policy("jilin")
        claims = data.draw(claim_lists(resolved, first_day=date(2018, 6, 29), days=4))
        scalar = {s.claim.claim_id: s.parts() for s in settle_claims(resolved, claims)}
        frame = settle_frame(resolved, to_frame(claims))
        column = {r["claim_id"]: {k: r[k] for k in PARTS} for r in frame.iter_rows(named=True)}
        assert column == scalar

    check()


def test_a_county_copy_without_region_id_is_its_own_region(tmp_path, monkeypatch):
    # Same start as fuliang-2018, inheriting it: without region_id it does not join (or clash
    # with) Fuliang's line; it is a region of its own.
    (tmp_path / "county-x.yaml").write_text(
        "id: county-x\ninherits: fuliang-2018\nname: 测试县\nregion: 测试县\n"
        "effective: {from: 2018-01-01}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("FUPIN_POLICY_DIRS", str(tmp_path))
    clear_cache()
    try:
        assert (
            load_policy("fuliang").region.periods_text()
            == "2018-01-01 起（浮梁县健康扶贫“春季攻势”（2018））"
        )
        assert load_policy("county-x").region.periods_text() == "2018-01-01 起（测试县）"
        assert load_policy("county-x").region.periods_text(ids=True) == "2018-01-01 起（county-x）"
    finally:
        clear_cache()


def test_an_unknown_policy_lists_the_packs_and_the_regions():
    with pytest.raises(PackError) as err:
        load_policy("atlantis")
    message = str(err.value)
    assert message.startswith("未知政策包：atlantis。可用：fuliang-2018、")
    assert "或地区（按入院日期取当日政策）：fuliang、jilin、jining、qingcheng" in message
