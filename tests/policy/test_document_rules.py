"""Rules the documents state that the packs hold now, worked by hand on both paths.

Figures (* = assumed): jilin-2017 inpatient deductible 200/400/800*, ratio 85/75/65%*, 大病 1万*
(poor −40% → 6000, bands +5%), assistance poor 50%* cap 2万*; 003: maternity at the inpatient
ratio, 20 rehabilitation items in scope, transfer deductible counted once for the poor, 肺结核
one deductible. fuliang-2018 as in test_golden.py; 004: five local diseases in the chronic
scheme (class Ⅱ*), nine single-disease cost controls flagged.
"""

from __future__ import annotations

from datetime import date

import pytest

from fupin.policy import ClaimsError, parse_claims, settle_claims, settle_frame
from fupin.policy.batch import PARTS, cost_controlled
from fupin.policy.claims import Claim, raw_frame, to_claims, to_frame
from fupin.policy.params import fen_to_yuan, yuan_to_fen

IP, CH, MA = "inpatient", "chronic_outpatient", "maternity"


def _claims(category, rows):
    return [
        Claim(
            claim_id=f"R{i:02d}",
            person_id="P",
            category=category,
            visit_type=visit,
            hospital_level=level,
            chronic_class=None,
            disease_code=disease,
            admission_date=date.fromisoformat(day),
            total_cost=yuan_to_fen(total),
            in_policy_cost=yuan_to_fen(in_policy),
            rehab_cost=yuan_to_fen(rehab),
            transfer=transfer,
        )
        for i, (visit, level, disease, day, total, in_policy, rehab, transfer) in enumerate(rows)
    ]


def _both(policy, claims):
    scalar = [
        tuple(fen_to_yuan(v) for v in s.parts().values()) for s in settle_claims(policy, claims)
    ]
    frame = settle_frame(policy, to_frame(claims))
    assert [tuple(fen_to_yuan(r[p]) for p in PARTS) for r in frame.iter_rows(named=True)] == scalar
    return scalar


CASES = [
    (
        "maternity at the inpatient ratio (003 §4)",
        "jilin-2017",
        "general",
        [(MA, 2, None, "2017-10-01", "5000", "4000", "0", False)],
        # (4000 − 400) × 75% = 2700; 大病 1300 < 10000; general has no assistance; self 2300
        [("2700.00", "0.00", "0.00", "0.00", "2300.00")],
    ),
    (
        "20 rehabilitation items counted in policy (003 §5)",
        "jilin-2017",
        "general",
        [(IP, 1, None, "2017-10-01", "10000", "6000", "2000", False)],
        # in policy 6000 + rehab 2000 = 8000; (8000 − 200) × 85% = 6630; 1370 < 10000; self 3370
        [("6630.00", "0.00", "0.00", "0.00", "3370.00")],
    ),
    (
        "the same rehabilitation items where no pack brings them in (Jining 2016)",
        "jining-2016",
        "general",
        [(IP, 1, None, "2017-10-01", "10000", "6000", "2000", False)],
        # (6000 − 200) × 80% = 4640; 大病 1360 < 12000; self 5360
        [("4640.00", "0.00", "0.00", "0.00", "5360.00")],
    ),
    (
        "a poor patient transferred from level 1 to level 3 pays the deductible once (003 §10)",
        "jilin-2017",
        "poor",
        [
            (IP, 1, None, "2017-10-01", "10000", "10000", "0", False),
            (IP, 3, None, "2017-10-05", "50000", "50000", "0", True),
        ],
        # 1st: (10000 − 200) × 85% = 8330; 大病 1670 < 6000; assistance 1670 × 50% = 835; self 835
        # 2nd: deductible 800 − 200 already charged = 600: (50000 − 600) × 65% = 32110;
        #   大病 self-pay 17890, year-to-date 1670 → 19560: (19560 − 6000) × 60% = 8136;
        #   assistance (50000 − 32110 − 8136) × 50% = 4877; self 4877
        [
            ("8330.00", "0.00", "835.00", "0.00", "835.00"),
            ("32110.00", "8136.00", "4877.00", "0.00", "4877.00"),
        ],
    ),
    (
        "a chain of transfers: 3 → 1 → 3 charges 800 once",
        "jilin-2017",
        "poor",
        [
            (IP, 3, None, "2017-10-01", "10000", "10000", "0", False),
            (IP, 1, None, "2017-10-03", "10000", "10000", "0", True),
            (IP, 3, None, "2017-10-06", "10000", "10000", "0", True),
        ],
        # 1st: (10000 − 800) × 65% = 5980; 大病 4020 < 6000; assistance 4020 × 50% = 2010; self 2010
        # 2nd: 200 ≤ 800 charged: 10000 × 85% = 8500; 大病 1500, year 5520 < 6000; 750; self 750
        # 3rd: 800 ≤ 800 charged: 10000 × 65% = 6500; 大病 3500, year 5520 → 9020:
        #   (9020 − 6000) × 60% = 1812; assistance (10000 − 6500 − 1812) × 50% = 844; self 844
        [
            ("5980.00", "0.00", "2010.00", "0.00", "2010.00"),
            ("8500.00", "0.00", "750.00", "0.00", "750.00"),
            ("6500.00", "1812.00", "844.00", "0.00", "844.00"),
        ],
    ),
    (
        "a general patient's transfer pays both deductibles (the rule is for the poor)",
        "jilin-2017",
        "general",
        [
            (IP, 1, None, "2017-10-01", "10000", "10000", "0", False),
            (IP, 3, None, "2017-10-05", "50000", "50000", "0", True),
        ],
        # 1st: 8330, self 1670; 2nd: (50000 − 800) × 65% = 31980; 大病 year 1670 → 19690:
        #   (19690 − 10000) × 55% = 5329.50; self 50000 − 31980 − 5329.50 = 12690.50
        [
            ("8330.00", "0.00", "0.00", "0.00", "1670.00"),
            ("31980.00", "5329.50", "0.00", "0.00", "12690.50"),
        ],
    ),
    (
        "tuberculosis: one deductible a year (003 §10)",
        "jilin-2017",
        "general",
        [
            (IP, 2, "A15.0", "2017-10-01", "5000", "5000", "0", False),
            (IP, 2, "A15.0", "2017-11-01", "5000", "5000", "0", False),
        ],
        # 1st: (5000 − 400) × 75% = 3450; self 1550. 2nd: no deductible: 5000 × 75% = 3750;
        #   大病 year 1550 + 1250 = 2800 < 10000; self 1250
        [
            ("3450.00", "0.00", "0.00", "0.00", "1550.00"),
            ("3750.00", "0.00", "0.00", "0.00", "1250.00"),
        ],
    ),
    (
        "end-stage renal disease is a single-disease cost control: flagged, amounts unchanged",
        "fuliang-2018",
        "poor",
        [(IP, 3, "N18.5", "2018-03-01", "20000", "20000", "0", False)],
        # (20000 − 800) × 60% = 11520; 大病 (8480 − 5000) × 50% = 1740; self 6740 → fifth line
        #   keeps 2000: fallback 4740
        [("11520.00", "1740.00", "0.00", "4740.00", "2000.00")],
    ),
]


@pytest.mark.parametrize(
    ("name", "policy", "category", "rows", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_document_rules(name, policy, category, rows, expected):
    assert _both(policy, _claims(category, rows)) == expected


def test_maternity_is_refused_where_no_pack_admits_it():
    claims = _claims("general", [(MA, 2, None, "2018-03-01", "5000", "4000", "0", False)])
    message = (
        "第 2 行，列 visit_type（就诊类型）：2018-01-01 起（浮梁县健康扶贫“春季攻势”（2018）） 的政策未规定住院分娩"
        "按住院结算：请按住院结算，或核对政策"
    )
    for settle in (settle_claims, lambda p, c: settle_frame(p, to_frame(c))):
        with pytest.raises(ClaimsError) as err:
            settle("fuliang-2018", claims)
        assert str(err.value) == message


def test_a_local_disease_joins_the_chronic_scheme_as_class_two():
    # 004: 血吸虫病 among the diseases added to the chronic scheme; the claim names no class.
    record = {
        "claim_id": "L1",
        "person_id": "P",
        "category": "poor",
        "visit_type": CH,
        "hospital_level": "1",
        "disease_code": "B65.2",
        "admission_date": "2018-04-01",
        "total_cost": "3000",
        "in_policy_cost": "3000",
    }
    claims = to_claims(parse_claims(raw_frame([record]), "fuliang-2018"))
    assert claims[0].chronic_class == "II"
    # Ⅱ类, poor, level 1: 3000 × 90% = 2700 (cap 5000); 大病 300 < 5000; self 300
    assert _both("fuliang-2018", claims) == [("2700.00", "0.00", "0.00", "0.00", "300.00")]


def test_cost_control_is_in_the_trail_and_the_count():
    claims = _claims(
        "poor",
        [
            (IP, 3, "N18.5", "2018-03-01", "20000", "20000", "0", False),
            (IP, 3, "J18", "2018-04-01", "20000", "20000", "0", False),
        ],
    )
    first, second = settle_claims("fuliang-2018", claims)
    assert first.cost_control == "终末期肾病" and second.cost_control is None
    assert "单病种控费病种：终末期肾病（N18.5），本笔标记并计入控费汇总" in first.explain()
    assert cost_controlled("fuliang-2018", to_frame(claims)).to_list() == [True, False]
    general = [Claim(**{**c.__dict__, "category": "general"}) for c in claims]
    assert cost_controlled("fuliang-2018", to_frame(general)).to_list() == [False, False]


def test_trail_shows_each_band_and_cites_by_title():
    (s,) = settle_claims(
        "jining-2016", _claims("poor", [(IP, 3, None, "2016-03-01", "60000", "50000", "0", False)])
    )
    text = s.explain()
    # 大病 on 17825: 12000 × 50% + 5825 × 55% = 9203.75, each band written out
    assert (
        "本次落入：0.00 元–12000.00 元 段 12000.00 元 × 50% + "
        "12000.00 元–100000.00 元 段 5825.00 元 × 55% = 9203.75 元"
    ) in text
    assert "《济宁市人社局实施就业与社保同步精准扶贫》（济宁，2016年报道）：“" in text
    assert ".txt" not in text
