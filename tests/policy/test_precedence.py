"""身份优先顺序: which category a person holding several is settled as, per pack.

The order each pack states must be the more supportive one on real-looking claims: on a sample
drawn here (not from the engine's own tables), the first category of the order pays in total no
more self-pay than any later one, and pays less more often than it pays more."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from fupin.policy import load_pack, load_policy, settle_frame
from fupin.policy.claims import Claim, to_frame
from fupin.policy.precedence import DEFAULT_PRECEDENCE, category_precedence, precedence_of
from fupin.policy.schema import MedicalRules

from .conftest import BUILTIN


def _sample(pack, n: int = 6000, seed: int = 20261130) -> list[dict]:
    rnd = random.Random(seed)
    classes = sorted(pack.medical.chronic.classes) if pack.medical.chronic else []
    start = max(pack.effective.start, date(2016, 1, 1))
    rows = []
    for i in range(n):
        visit = rnd.choice(["inpatient"] * 3 + (["chronic_outpatient"] if classes else []))
        total = rnd.choice(
            [rnd.randint(0, 20_000), rnd.randint(0, 500_000), rnd.randint(0, 10_000_000)]
        )
        rows.append(
            dict(
                claim_id=f"C{i:05d}",
                person_id=f"P{i // 3}",
                visit_type=visit,
                hospital_level=rnd.randint(1, 3),
                chronic_class=rnd.choice(classes) if visit == "chronic_outpatient" else None,
                disease_code=rnd.choice([None, None, "C16", "I63", "J18", "A15", "N18"]),
                admission_date=start + timedelta(days=rnd.randint(0, 150)),
                total_cost=total,
                in_policy_cost=total * rnd.randint(60, 100) // 100,
            )
        )
    return rows


def _self_pay(pack, rows: list[dict], category: str) -> list[int]:
    frame = settle_frame(pack, to_frame([Claim(category=category, **r) for r in rows]))
    return frame.sort("claim_id")["self_pay"].to_list()


@pytest.mark.parametrize("pack_id", BUILTIN)
def test_the_first_category_of_the_order_is_the_more_supportive(pack_id):
    pack = load_pack(pack_id)
    first, *rest = category_precedence(load_policy(pack_id))
    rows = _sample(pack)
    mine = _self_pay(pack, rows, first)
    for other in rest:
        theirs = _self_pay(pack, rows, other)
        assert sum(mine) <= sum(theirs), (pack_id, first, other)
        less = sum(a < b for a, b in zip(mine, theirs, strict=True))
        more = sum(a > b for a, b in zip(mine, theirs, strict=True))
        assert less >= more, (pack_id, first, other, less, more)


def test_each_pack_states_its_reading():
    # Jilin gives 特困 and 低保 more than the poor; the other regions give the poor more.
    assert category_precedence(load_policy("jilin-2017"))[0] == "tekun"
    for region in ("fuliang-2018", "jining", "jining@2020-06-01", "qingcheng-2018"):
        assert category_precedence(load_policy(region))[0] == "poor"


def test_an_unknown_policy_keeps_the_default_order():
    assert precedence_of("no-such-region") == DEFAULT_PRECEDENCE


def test_an_order_must_name_each_category_once():
    medical = load_pack("qingcheng-2018").medical.model_dump()
    medical["category_precedence"]["value"] = ["poor", "poor", "dibao"]
    with pytest.raises(ValueError, match="各列一次"):
        MedicalRules.model_validate(medical)
