"""The trail's Chinese (计算过程) as staff and residents read it: arithmetic in words and plain
operators, never a function name, and each source sentence cited once."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fupin.policy import load_pack, settle_claims
from fupin.policy.claims import Claim
from fupin.policy.params import yuan_to_fen

from .conftest import BUILTIN
from .strategies import claim_lists

COST_CONTROL_SENTENCE = "对建档立卡贫困人口患儿童急性淋巴细胞白血病"


def stay(pack: str, level: int, disease: str | None, total: str, in_policy: str) -> str:
    claim = Claim(
        claim_id="A",
        person_id="P",
        category="poor",
        visit_type="inpatient",
        hospital_level=level,
        chronic_class=None,
        disease_code=disease,
        admission_date=date(2018, 3, 1),
        total_cost=yuan_to_fen(total),
        in_policy_cost=yuan_to_fen(in_policy),
        rehab_cost=0,
        transfer=False,
    )
    (s,) = settle_claims(pack, [claim])
    return s.explain()


def test_critical_illness_self_pay_is_a_plain_subtraction():
    # Fuliang, poor, level 2, no deductible: basic 25000 × 75% = 18750; self-pay 6250.
    text = stay("fuliang-2018", 2, None, "30000", "25000")
    assert "本次政策范围内自付 25000.00 元 − 18750.00 元 = 6250.00 元；" in text
    assert "max(" not in text


def test_a_quota_above_the_in_policy_cost_leaves_nothing_for_critical_illness_in_words():
    # Lung cancer at level 2 is paid 80% of the total 50000 = 40000, more than the 30000 in
    # policy: 30000 − 40000 is below 0 and counts as 0.
    text = stay("fuliang-2018", 2, "C34.1", "50000", "30000")
    assert "本次政策范围内自付 30000.00 元 − 40000.00 元 不足 0，按 0.00 元计；" in text


def test_a_stay_below_its_deductible_says_so():
    # Jilin, poor, level 3: deductible 800 > 500 in policy.
    text = stay("jilin-2017", 3, None, "500", "500")
    assert "500.00 元 未超过起付 800.00 元，不低于 0：0.00 元" in text
    assert "(500.00 元 − 起付 800.00 元)" not in text


def test_cost_control_cites_its_sentence_once_with_its_note():
    text = stay("fuliang-2018", 3, "C91.0", "30000", "25000")
    step = text[text.index("【单病种控费】") :]
    source = step.split("依据：", 1)[1].split("\n", 1)[0]
    assert source.count(COST_CONTROL_SENTENCE) == 1
    assert source.count("《浮梁县人社系统2018年脱贫攻坚") == 1
    assert "ICD-10 编码前缀为本地假设" in source


PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("pack_id", BUILTIN)
@PROPERTY
@given(data=st.data())
def test_no_trail_shows_a_function_name_or_cites_a_sentence_twice(pack_id, data):
    pack = load_pack(pack_id)
    for s in settle_claims(pack, data.draw(claim_lists(pack))):
        for step in s.steps:
            assert not re.search(r"[A-Za-z_]+\(", step.detail + step.rule), step
            cited = re.findall(r"《[^》]*》（[^）]*）：“[^”]*”", step.source)
            assert len(cited) == len(set(cited)), step.source
