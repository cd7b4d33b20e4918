"""选档缴费: the pension tiers a resident may choose for next year, and what the government keeps paying.

The tiers are the pack's `portal.pension_tiers`; the government-paid minimum is the insurance section's
`pension.min_tier` of that year (the latest year the pack has when it has none yet for next year, said so
on the page). A resident the government paid for (代缴) keeps that minimum paid; choosing a higher tier
means paying the difference themself. A tier below the minimum is not offered."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from fupin.insurance.models import PensionRecord, SubsidyEntry
from fupin.insurance.rules import rules as subsidy_rules
from fupin.policy.params import fen_to_yuan
from fupin.registry.models import Person

from . import rules


@dataclass
class TierChoice:
    year: int
    tiers: list[int]  # fen, each ≥ the minimum
    min_fen: int
    min_year: int
    government_fen: int  # what the government pays of any tier (0 if not a 代缴 person)
    government_basis: str
    drawing: bool
    source: str

    def rows(self) -> list[dict[str, object]]:
        return [
            {
                "fen": t,
                "yuan": fen_to_yuan(t),
                "self": fen_to_yuan(max(0, t - self.government_fen)),
            }
            for t in self.tiers
        ]


def minimum_for(year: int) -> tuple[int, int]:
    """(the government-paid minimum tier in fen, the pack year it is taken from) for a year."""
    pension = subsidy_rules().pension
    table = pension.min_tier.value if pension else {}
    years = sorted(y for y in table if y <= year) or sorted(table)
    min_year = years[-1] if years else year
    return table.get(min_year, 0), min_year


def choice_for(person: Person) -> TierChoice:
    year = timezone.localdate().year + 1
    portal = rules.rules()
    min_fen, min_year = minimum_for(year)
    entry = (
        SubsidyEntry.objects.filter(
            person=person, insurance="pension", scheme="premium", outcome="entitled"
        )
        .order_by("-year")
        .first()
    )
    government = min(entry.amount_fen, min_fen) if entry else 0
    record = PensionRecord.objects.filter(person=person).first()
    return TierChoice(
        year=year,
        tiers=sorted(t for t in portal.pension_tiers.value if t >= min_fen),
        min_fen=min_fen,
        min_year=min_year,
        government_fen=government,
        government_basis=(f"{entry.year} 年度您是政府代缴对象" if entry else "您不是政府代缴对象"),
        drawing=bool(record and record.status == "drawing"),
        source=portal.pension_tiers.source.text(),
    )
