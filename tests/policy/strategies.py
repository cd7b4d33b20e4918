"""Hypothesis strategies: random claims that are valid under a given pack."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from fupin.policy.claims import Claim
from fupin.policy.params import CATEGORIES
from fupin.policy.regions import Policy
from fupin.policy.schema import Pack

# Amounts near the packs' thresholds, caps and segment bounds, plus tiny and huge ones.
_AMOUNTS = st.one_of(
    st.integers(0, 200),
    st.integers(0, 2_000_000),
    st.integers(0, 60_000_000),
    st.sampled_from(
        [
            1,
            10_000,
            20_000,
            50_000,
            100_000,
            500_000,
            1_200_000,
            1_500_000,
            5_000_000,
            6_000_000,
            10_000_000,
            20_000_000,
            30_000_000,
            50_000_000,
        ]
    ),
)


def _disease_codes(packs: list[Pack]) -> st.SearchStrategy[str | None]:
    """Ordinary codes and every code a pack lists (major diseases, one deductible a year, the
    chronic scheme, cost control), with a suffix too."""
    listed: set[str] = set()
    for pack in packs:
        medical = pack.medical
        if medical.major_diseases:
            listed |= set(medical.major_diseases.diseases.value)
        if medical.inpatient.one_deductible_diseases:
            listed |= set(medical.inpatient.one_deductible_diseases.value)
        if medical.chronic and medical.chronic.diseases:
            listed |= set(medical.chronic.diseases.value)
        if medical.cost_control:
            listed |= set(medical.cost_control.diseases.value)
    listed_sorted = sorted(listed)
    suffixed = [f"{p}9" for p in listed_sorted]
    return st.one_of(st.none(), st.sampled_from(["J18", "K35.8", *listed_sorted, *suffixed]))


@st.composite
def claim_lists(
    draw,
    pack: Pack | Policy,
    max_persons: int = 4,
    max_claims: int = 14,
    category: str | None = None,
    first_day: date = date(2018, 12, 30),
    days: int = 4,
):
    """Claims of a few persons over a few days around `first_day` (a change of year, or of
    policy period); a person's category is one per day and may change between days, as the
    registry's history says (category by date)."""
    packs = getattr(pack, "packs", None) or [pack]
    classes = sorted({c for p in packs if p.medical.chronic for c in p.medical.chronic.classes})
    pack = packs[0]
    persons = [f"P{i}" for i in range(draw(st.integers(1, max_persons)))]
    person_category = {
        (p, d): category or draw(st.sampled_from(CATEGORIES)) for p in persons for d in range(days)
    }
    n = draw(st.integers(1, max_claims))
    claims = []
    for i in range(n):
        person = draw(st.sampled_from(persons))
        # Few distinct days: many same-day ties (settled by claim id) and a change of year.
        offset = draw(st.integers(0, days - 1))
        day = first_day + timedelta(days=offset)
        visits = ["inpatient", *(["chronic_outpatient"] if classes else [])]
        if any(p.medical.inpatient.maternity for p in packs):
            visits.append("maternity")
        visit = draw(st.sampled_from(visits))
        total = draw(_AMOUNTS)
        in_policy = draw(st.integers(0, total)) if draw(st.booleans()) else total
        rehab = draw(st.integers(0, total - in_policy)) if draw(st.booleans()) else 0
        claims.append(
            Claim(
                claim_id=draw(st.sampled_from(["A", "B", "C", "Z"])) + f"{i:03d}",
                person_id=person,
                category=person_category[(person, offset)],
                visit_type=visit,
                hospital_level=draw(st.sampled_from([1, 2, 3])),
                chronic_class=draw(st.sampled_from(classes))
                if visit == "chronic_outpatient"
                else None,
                disease_code=draw(_disease_codes(packs)),
                admission_date=day,
                total_cost=total,
                in_policy_cost=in_policy,
                rehab_cost=rehab,
                transfer=visit != "chronic_outpatient" and draw(st.booleans()),
            )
        )
    return claims
