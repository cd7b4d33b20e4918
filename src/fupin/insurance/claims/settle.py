"""The official settlement of stored claims (正式结算): each person-year settled whole, so the
year-to-date deductibles, thresholds and caps run over every stored claim of the year.

Each claim meets the county region's values of its admission date (`fupin.policy` by date), the
person's category on that day (`fupin.insurance.categories`) and the chronic class of the
person's 慢性病医疗证 on that day (`fupin.appraisal.selectors.chronic_classes_for`). The split
comes from the column path (`settle_frame`); the trail from the scalar path, which must agree
with it to the fen — a disagreement stops the write. The split goes to the official table
(`ClaimSplit`, replacing those claims' rows) — the only copy; the claim keeps policy, category and trail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.utils import timezone

from fupin.appraisal.selectors import chronic_classes_for
from fupin.insurance.categories import timelines
from fupin.policy import Claim, ClaimsError, load_pack, load_policy, settle_claims, settle_frame
from fupin.policy.claims import Fault, to_frame
from fupin.policy.regions import Policy
from fupin.registry.models import Person

from .models import ClaimSplit, MedicalClaim, VisitType

PARTS = {"basic_pay": "basic_fen", "critical_pay": "critical_fen", "assistance_pay": "assistance_fen",
         "fallback_pay": "fallback_fen", "self_pay": "self_fen"}  # fmt: skip
CHUNK = 2000


class SettlementMismatch(RuntimeError):
    """The scalar and column paths disagree on a stored claim: nothing is written."""


def county_region() -> str:
    """The region (policy line by date) of the county's pack: what official settlements use."""
    pack = load_pack(settings.COUNTY_POLICY_PACK)
    return pack.region_id or pack.id


def county_policy() -> Policy:
    return load_policy(county_region())


def identity_of(person_ids: Iterable[int], days: Iterable[tuple[int, date, str]]):
    """({(person, day): CategoryOnDay}, {(person, day): chronic class}) for the claims given as
    (person_id, admission_date, visit_type) — three queries for the categories, one for classes."""
    days = list(days)
    lines = timelines(Person.objects.filter(pk__in=set(person_ids)))
    categories = {(pid, day): lines[pid].on(day) for pid, day, _ in days}
    classes = chronic_classes_for(
        [(pid, day) for pid, day, visit in days if visit == VisitType.CHRONIC]
    )
    return categories, classes


def settle_person_years(
    pairs: Iterable[tuple[int, int]], policy: Policy | None = None, *, write_split: bool = True
) -> int:
    """Settle every stored claim of each (person_id, year) and write split, trail and identity
    (`write_split=False`: trail and identity only — the caller has written the split set-based,
    `store.write_back`). Runs in the caller's transaction; returns the number of claims written."""
    by_person: dict[int, set[int]] = defaultdict(set)
    for pid, year in pairs:
        by_person[pid].add(year)
    policy = policy or county_policy()
    written = 0
    persons = sorted(by_person)
    for i in range(0, len(persons), CHUNK):
        chunk = persons[i : i + CHUNK]
        years = {y for p in chunk for y in by_person[p]}
        rows = [c for c in MedicalClaim.objects.filter(person_id__in=chunk, year__in=years).order_by("pk")
                if c.year in by_person[c.person_id]]  # fmt: skip
        written += _settle(rows, policy, write_split)
    return written


def _settle(rows: list[MedicalClaim], policy: Policy, write_split: bool = True) -> int:
    if not rows:
        return 0
    categories, classes = identity_of(
        {c.person_id for c in rows}, [(c.person_id, c.admission_date, c.visit_type) for c in rows]
    )
    faults = [
        Fault(
            None,
            "chronic_class",
            f"结算单 {c.claim_no}：入院当日（{c.admission_date}）无有效慢性病医疗证，不能按门诊慢性病结算",
        )
        for c in rows
        if c.visit_type == VisitType.CHRONIC and (c.person_id, c.admission_date) not in classes
    ]
    if faults:
        raise ClaimsError(faults)
    claims = [
        Claim(
            claim_id=c.claim_no,
            person_id=str(c.person_id),
            category=categories[(c.person_id, c.admission_date)].category,
            visit_type=c.visit_type,
            hospital_level=c.hospital_level,
            chronic_class=classes.get((c.person_id, c.admission_date)),
            disease_code=c.disease_code or None,
            admission_date=c.admission_date,
            total_cost=c.total_fen,
            in_policy_cost=c.in_policy_fen,
            rehab_cost=c.rehab_fen,
            transfer=c.transfer,
        )
        for c in rows
    ]
    split = settle_frame(policy, to_frame(claims))
    trails = {s.claim.claim_id: s for s in settle_claims(policy, claims)}
    now = timezone.now()
    splits = []
    for c, claim, parts in zip(rows, claims, split.iter_rows(named=True), strict=True):
        s = trails[claim.claim_id]
        if s.parts() != {k: parts[k] for k in PARTS}:
            raise SettlementMismatch(f"结算单 {c.claim_no}：逐笔计算与批量计算结果不一致，未写入")
        splits.append(ClaimSplit(claim_id=c.pk, person_id=c.person_id, year=c.year, village_code=c.village_code,
                                 **{column: parts[key] for key, column in PARTS.items()}))  # fmt: skip
        day = categories[(c.person_id, c.admission_date)]
        c.policy, c.period, c.category, c.category_basis = (
            policy.id,
            s.period[:40],
            day.category,
            day.basis[:200],
        )
        c.chronic_class = claim.chronic_class or ""
        c.steps = [
            {
                "layer": st.layer,
                "rule": st.rule,
                "detail": st.detail,
                "amount": st.amount,
                "source": st.source,
            }
            for st in s.steps
        ]
        c.settled_at = now
    MedicalClaim.objects.bulk_update(rows, ["policy", "period", "category", "category_basis", "chronic_class", "steps",
                                            "settled_at"], batch_size=500)  # fmt: skip
    if not write_split:
        return len(rows)
    ClaimSplit.objects.filter(pk__in=[c.pk for c in rows]).delete()
    ClaimSplit.objects.bulk_create(splits, batch_size=1000)
    return len(rows)
