"""Claim validation: one pass over the table, every fault with row, column and reason."""

import pytest

from fupin.policy import ClaimsError, load_pack, parse_claims
from fupin.policy.claims import raw_frame

GOOD = {
    "claim_id": "C1",
    "person_id": "P1",
    "category": "poor",
    "visit_type": "inpatient",
    "hospital_level": "2",
    "admission_date": "2016-03-01",
    "total_cost": "1000.50",
    "in_policy_cost": "800",
}


def parse(*records, pack="jining-2016"):
    return parse_claims(raw_frame(records), load_pack(pack))


def faults(*records, pack="jining-2016"):
    with pytest.raises(ClaimsError) as err:
        parse(*records, pack=pack)
    return [f.text() for f in err.value.faults]


def test_amounts_become_exact_fen_and_cells_are_trimmed():
    row = parse(
        {
            **GOOD,
            "person_id": " P1 ",
            "category": " poor",
            "total_cost": " 0.1 ",
            "in_policy_cost": "0.07",
            "visit_type": "chronic_outpatient",
            "chronic_class": "a",
        }
    ).row(0, named=True)
    assert row["person_id"] == "P1" and row["category"] == "poor"
    assert (row["total_cost"], row["in_policy_cost"]) == (10, 7)
    assert row["chronic_class"] == "A"


def test_large_amounts_are_exact():
    row = parse({**GOOD, "total_cost": "999999999.99", "in_policy_cost": "123456789.01"}).row(
        0, named=True
    )
    assert (row["total_cost"], row["in_policy_cost"]) == (99_999_999_999, 12_345_678_901)


@pytest.mark.parametrize("amount", ["12.345", "1,000", "abc", "inf", "nan", "1000000000", "0.001"])
def test_not_an_amount(amount):
    assert any(
        "列 total_cost（总费用）：不是金额" in f for f in faults({**GOOD, "total_cost": amount})
    )


def test_every_fault_is_listed_with_its_row():
    found = faults(
        GOOD,
        {**GOOD, "claim_id": "C2", "category": "rich", "hospital_level": "0"},
        {**GOOD, "claim_id": "C2", "visit_type": "chronic_outpatient"},
    )
    assert found == [
        "第 3 行，列 claim_id（结算单号）：结算单号重复",
        "第 3 行，列 category（人员类别）：未知人员类别 rich，应为 general（普通参保居民）、"
        "poor（建档立卡贫困人口）、dibao（低保对象）、tekun（特困供养人员）",
        "第 3 行，列 hospital_level（医院级别）：医院级别应为 1、2 或 3，而不是 0",
        "第 4 行，列 claim_id（结算单号）：结算单号重复",
        "第 4 行，列 chronic_class（慢性病类别）：门诊慢性病须填写慢性病类别：A、B",
    ]


def test_chronic_class_must_belong_to_the_pack():
    record = {**GOOD, "visit_type": "chronic_outpatient", "chronic_class": "A"}
    assert parse(record).height == 1
    assert faults(record, pack="fuliang-2018") == [
        "第 2 行，列 chronic_class（慢性病类别）：未知慢性病类别 A，本政策包为 I、II"
    ]


def test_dates_and_empty_tables():
    assert "日期须在 1970 至 2149 年之间" in faults({**GOOD, "admission_date": "1969-12-31"})[0]
    with pytest.raises(ClaimsError, match="文件中没有结算单"):
        parse()


def test_text_round_trip_is_exact_for_any_amount():
    """Every amount from 0.00 to 999,999,999.99 written as text parses back to the same fen."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from fupin.policy.claims import to_claims
    from fupin.policy.params import fen_to_yuan

    from .strategies import claim_lists

    pack = load_pack("fuliang-2018")
    huge = st.integers(0, 10**11 - 1)

    @settings(max_examples=60, deadline=None)
    @given(claims=claim_lists(pack), totals=st.lists(huge, min_size=14, max_size=14))
    def check(claims, totals):
        claims = [
            c.__class__(
                **{
                    **c.__dict__,
                    "total_cost": t,
                    "in_policy_cost": min(c.in_policy_cost, t),
                    "rehab_cost": 0,
                }
            )
            if i % 2
            else c
            for i, (c, t) in enumerate(zip(claims, totals, strict=False))
        ]
        records = [
            {
                **c.__dict__,
                "admission_date": c.admission_date.isoformat(),
                "total_cost": fen_to_yuan(c.total_cost),
                "in_policy_cost": fen_to_yuan(c.in_policy_cost),
                "rehab_cost": fen_to_yuan(c.rehab_cost),
                "transfer": "1" if c.transfer else "0",
            }
            for c in claims
        ]
        assert to_claims(parse_claims(raw_frame(records), pack)) == claims

    check()


def test_spaces_around_any_cell_are_trimmed_on_both_reading_paths():
    from fupin.policy.claims import to_claims

    pack = load_pack("fuliang-2018")
    padded = {
        "claim_id": " C1 ",
        "person_id": "P1 ",
        "category": " poor",
        "visit_type": "inpatient ",
        "hospital_level": " 2",
        "chronic_class": " ",
        "disease_code": " c34.1",
        "admission_date": " 2018-03-01 ",
        "total_cost": " 50000 ",
        "in_policy_cost": "40000\t",
    }
    clean = {k: v.strip() or None for k, v in padded.items()}
    assert to_claims(parse_claims(raw_frame([padded]), pack)) == to_claims(
        parse_claims(raw_frame([clean]), pack)
    )
    # only an identity padded: the fast path trims it too (one person, not two)
    ids = [
        {**clean, "claim_id": "C1", "person_id": "P1"},
        {**clean, "claim_id": "C2", "person_id": " P1"},
    ]
    assert {c.person_id for c in to_claims(parse_claims(raw_frame(ids), pack))} == {"P1"}
