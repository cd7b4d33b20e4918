"""Held-out style check of 转院连续计算起付线 (003: "实现贫困人员危重疾病转院连续计算起付线") across New
Year: the deductible rule is per admission, and a transfer joins two admissions into one episode,
whatever the calendar says. Worked by hand on jilin-2017 (deductible 200/400/800*, ratio
85/75/65%*, 大病 threshold 10000 × 60% = 6000 for the poor, assistance 50%*)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import find

from fupin.policy import settle_claims, settle_frame
from fupin.policy.batch import PARTS
from fupin.policy.claims import Claim, to_frame
from fupin.policy.params import fen_to_yuan, yuan_to_fen
from fupin.policy.regions import load_policy

from .strategies import claim_lists


def claim(
    no: str, level: int, day: str, transfer: bool, cost: str = "10000", person: str = "P"
) -> Claim:
    return Claim(
        claim_id=no,
        person_id=person,
        category="poor",
        visit_type="inpatient",
        hospital_level=level,
        chronic_class=None,
        disease_code="I63",
        admission_date=date.fromisoformat(day),
        total_cost=yuan_to_fen(cost),
        in_policy_cost=yuan_to_fen(cost),
        rehab_cost=0,
        transfer=transfer,
    )


def both(claims: list[Claim]) -> list[tuple[str, ...]]:
    scalar = [
        tuple(fen_to_yuan(v) for v in s.parts().values())
        for s in settle_claims("jilin-2017", claims)
    ]
    frame = settle_frame("jilin-2017", to_frame(claims))
    assert [tuple(fen_to_yuan(r[p]) for p in PARTS) for r in frame.iter_rows(named=True)] == scalar
    return scalar


def test_transfer_within_a_year_pays_the_difference():
    # 1st, level 2: (10000 − 400) × 75% = 7200; 大病 2800 < 6000; assistance 1400; self 1400.
    # 2nd, transferred to level 3: 800 − 400 = 400: (10000 − 400) × 65% = 6240; 大病 year
    #   2800 → 6560: (6560 − 6000) × 60% = 336; assistance (10000 − 6240 − 336) × 50% = 1712.
    assert both([claim("A", 2, "2018-12-10", False), claim("B", 3, "2018-12-20", True)]) == [
        ("7200.00", "0.00", "1400.00", "0.00", "1400.00"),
        ("6240.00", "336.00", "1712.00", "0.00", "1712.00"),
    ]


def test_transfer_across_new_year_pays_the_difference_only():
    # 1st (2017-12-20, level 2): as above 7200 / 0 / 1400 / 0 / 1400.
    # 2nd (2018-01-02, transferred to level 3): deductible 800 − 400 = 400:
    #   (10000 − 400) × 65% = 6240; 大病 a new year: 3760 < 6000 → 0;
    #   assistance 3760 × 50% = 1880; self 1880.
    assert both([claim("A", 2, "2017-12-20", False), claim("B", 3, "2018-01-02", True)]) == [
        ("7200.00", "0.00", "1400.00", "0.00", "1400.00"),
        ("6240.00", "0.00", "1880.00", "0.00", "1880.00"),
    ]


def test_a_chain_dec_jan_jan_charges_each_stay_only_the_difference():
    # 1st (2017-12-20, level 1, 200): (10000 − 200) × 85% = 8330; 大病 1670 < 6000;
    #   assistance 1670 × 50% = 835; self 835.
    # 2nd (2018-01-02, transferred to level 2): 400 − 200 = 200: (10000 − 200) × 75% = 7350;
    #   大病 a new year: 2650 < 6000; assistance 2650 × 50% = 1325; self 1325.
    # 3rd (2018-01-10, transferred on to level 3): 800 − 400 = 400: (10000 − 400) × 65% = 6240;
    #   大病 year 2650 → 6410: (6410 − 6000) × 60% = 246; assistance (10000 − 6240 − 246) × 50%
    #   = 1757 (year 1325 + 1757 under the 20000 cap); self 1757.
    chain = [
        claim("A", 1, "2017-12-20", False),
        claim("B", 2, "2018-01-02", True),
        claim("C", 3, "2018-01-10", True),
    ]
    assert both(chain) == [
        ("8330.00", "0.00", "835.00", "0.00", "835.00"),
        ("7350.00", "0.00", "1325.00", "0.00", "1325.00"),
        ("6240.00", "246.00", "1757.00", "0.00", "1757.00"),
    ]
    # The order of the input does not matter: the chain follows the admission dates.
    assert both(chain[::-1]) == both(chain)[::-1]


def test_a_january_stay_that_is_no_transfer_pays_its_whole_deductible():
    # 2nd (2018-01-02, level 3, not a transfer): (10000 − 800) × 65% = 5980; 大病 4020 < 6000;
    #   assistance 4020 × 50% = 2010; self 2010.
    assert both([claim("A", 2, "2017-12-20", False), claim("B", 3, "2018-01-02", False)]) == [
        ("7200.00", "0.00", "1400.00", "0.00", "1400.00"),
        ("5980.00", "0.00", "2010.00", "0.00", "2010.00"),
    ]


def test_another_persons_december_stay_is_not_part_of_the_chain():
    # Q's transfer on 2 January has no stay of Q's before it: the whole 800.
    assert both(
        [claim("A", 2, "2017-12-20", False), claim("B", 3, "2018-01-02", True, person="Q")]
    )[1] == ("5980.00", "0.00", "2010.00", "0.00", "2010.00")


def test_a_chronic_claim_never_joins_nor_breaks_a_chain():
    # A chronic outpatient claim between the two stays (2017-12-28, 1000 in policy) is settled
    # in the chronic scheme: (1000 − 300) × 60% = 420; 大病 year 2800 + 580 = 3380 < 6000;
    # assistance 580 × 50% = 290; self 290. The transfer on 2 January still continues the stay of
    # 20 December: 800 − 400 = 400 as without the chronic claim.
    chronic = claim("K", 3, "2017-12-28", False, cost="1000")
    chronic = replace(chronic, visit_type="chronic_outpatient", chronic_class="M")
    assert both(
        [claim("A", 2, "2017-12-20", False), chronic, claim("B", 3, "2018-01-02", True)]
    ) == [
        ("7200.00", "0.00", "1400.00", "0.00", "1400.00"),
        ("420.00", "0.00", "290.00", "0.00", "290.00"),
        ("6240.00", "0.00", "1880.00", "0.00", "1880.00"),
    ]
    # A chronic claim alone before a transfer starts no chain: the transfer pays the whole 800.
    assert both([chronic, claim("B", 3, "2018-01-02", True)])[1] == (
        "5980.00",
        "0.00",
        "2010.00",
        "0.00",
        "2010.00",
    )


def test_the_trail_says_what_was_charged_before_the_new_year():
    (_, second) = settle_claims(
        "jilin-2017", [claim("A", 2, "2017-12-20", False), claim("B", 3, "2018-01-02", True)]
    )
    text = second.explain()
    assert "转院接续：此前已收 400.00 元，本次补足 400.00 元" in text
    assert "(10000.00 元 − 起付 400.00 元) × 65% = 6240.00 元" in text


def test_the_property_strategy_draws_transfer_chains_across_the_new_year():
    """The scalar = column property tests (test_properties, test_dated: every region) draw from
    `claim_lists`; it must reach a person's transfer in January after a December stay."""

    def crosses(claims: list[Claim]) -> bool:
        december = {c.person_id for c in claims if c.admission_date.month == 12}
        return any(
            c.transfer and c.admission_date.month == 1 and c.person_id in december for c in claims
        )

    found = find(claim_lists(load_policy("jilin"), first_day=date(2017, 12, 30)), crosses)
    assert crosses(found)
