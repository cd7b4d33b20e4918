"""The person page section (人员页面): resident pension and medical status, what the government pays
for the person under which rule (from the stored yearly runs), and the record's change history."""

from collections.abc import Iterable

from django.http import HttpRequest
from django.template.loader import render_to_string

from fupin.policy.params import fen_to_yuan
from fupin.registry.models import Person

from . import selectors
from .models import Reason, SubsidyEntry
from .rules import GROUP_NAMES, OUTCOME_LABELS


def entry_rows(entries: Iterable[SubsidyEntry]) -> list[dict]:
    rows = []
    for e in entries:
        info = e.run.rules.get(e.rule, {}) if e.outcome == "entitled" else {}
        rows.append(
            {
                "e": e,
                "outcome": OUTCOME_LABELS[e.scheme][e.outcome],
                "amount": fen_to_yuan(e.amount_fen) if e.amount_fen else "",
                "rule": info.get("name") or GROUP_NAMES.get(e.rule, ""),
                "source": info.get("source", ""),
                "reason": Reason(e.reason).label if e.reason in Reason.values else "",
            }
        )
    return rows


def person_section(request: HttpRequest, person: Person) -> str:
    data = selectors.person_records(request.user, person)
    ctx = {
        "p": person,
        "pension": data["pension"],
        "medical": data["medical"],
        "rows": entry_rows(data["entries"]),
        "history": data["history"],
        "fen_to_yuan": fen_to_yuan,
    }
    if data["pension"] is not None:
        ctx["tier"] = (
            fen_to_yuan(data["pension"].tier_fen) if data["pension"].tier_fen is not None else ""
        )
        ctx["monthly"] = (
            fen_to_yuan(data["pension"].monthly_amount_fen)
            if data["pension"].monthly_amount_fen is not None
            else ""
        )
    return render_to_string("insurance/_person_section.html", ctx, request=request)
