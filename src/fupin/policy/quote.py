"""A quote (结算测算) for one person's claims, as the API and the web page ask for it.

The claims come as plain records (amounts in yuan as text or numbers); they are checked by
the same validator as files, settled on the scalar path, and returned with their trails.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fupin.policy.claims import parse_claims, raw_frame, to_claims
from fupin.policy.params import CATEGORY_NAMES
from fupin.policy.regions import Policy, load_policy
from fupin.policy.scalar import Settlement, settle_claims
from fupin.policy.schema import Pack

QUOTE_PERSON = "本人"


@dataclass(frozen=True)
class Quote:
    policy: Policy
    category: str
    settlements: list[Settlement]

    @property
    def pack(self) -> Pack:
        """The pack in force last (a region by date may use several)."""
        return self.policy.packs[-1]

    @property
    def category_name(self) -> str:
        return CATEGORY_NAMES[self.category]

    def totals(self) -> dict[str, int]:
        keys = ("basic_pay", "critical_pay", "assistance_pay", "fallback_pay", "self_pay")
        totals = {k: sum(s.parts()[k] for s in self.settlements) for k in keys}
        totals["total_cost"] = sum(s.claim.total_cost for s in self.settlements)
        return totals


def quote(
    pack_id: str, category: str, records: Iterable[Mapping[str, Any]], first_row: int = 1
) -> Quote:
    """Settle one person's claims under `pack_id` (a pack, a region, or region@date) as
    `category` — or, claim by claim, the category a record carries (the person's category on
    that admission date).

    Records need visit_type, hospital_level, admission_date, total_cost, in_policy_cost and,
    where they apply, chronic_class and disease_code. Faults are numbered from `first_row`.
    Raises PackError or ClaimsError.
    """
    policy = load_policy(pack_id)
    rows = [
        {
            **record,
            "claim_id": record.get("claim_id") or f"第{i + 1}笔",
            "person_id": QUOTE_PERSON,
            "category": record.get("category") or category,
        }
        for i, record in enumerate(records)
    ]
    claims = parse_claims(raw_frame(rows), policy, first_row=first_row)
    return Quote(policy, category, settle_claims(policy, to_claims(claims), first_row=first_row))
