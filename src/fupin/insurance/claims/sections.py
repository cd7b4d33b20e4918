"""The person page section (人员页面): the person's stored claims of a year (the latest with claims,
or `?claims_year=`), each with its split and every step of its settlement (计算过程: stored, or
computed now and checked against the split while the background fill has not reached it), the
year's self-pay and whether it passes the pack's line."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from fupin.bounds import query_year
from fupin.policy.params import CATEGORY_NAMES, fen_to_yuan
from fupin.registry.models import Person

from . import selectors, trails

PARTS = ("basic_fen", "critical_fen", "assistance_fen", "fallback_fen", "self_fen")


def person_section(request: HttpRequest, person: Person) -> str:
    qs = selectors.person_claims(request.user, person)
    years = sorted(set(qs.values_list("year", flat=True)), reverse=True)
    if not years:
        return ""
    year = query_year(request.GET.get("claims_year"), years[0])
    claims = list(qs.filter(year=year).order_by("admission_date", "claim_no"))
    shown = trails.shown_trails(claims)
    rows = [{"c": c, "category": CATEGORY_NAMES.get(c.category, ""), "total": fen_to_yuan(c.total_fen),
             "parts": [fen_to_yuan(getattr(c, f"split_{k}")) for k in PARTS], "trail": shown.get(c.pk),
             "steps": trails.yuan_steps(shown[c.pk].steps) if c.pk in shown else []}
            for c in claims]  # fmt: skip
    flag = selectors.self_pay_flags([person.pk], year).get(person.pk)
    sums = [fen_to_yuan(sum(getattr(c, f"split_{k}") for c in claims)) for k in PARTS]
    return render_to_string(
        "insurance/claims/_person_section.html",
        {
            "p": person,
            "year": year,
            "years": years,
            "rows": rows,
            "sums": sums,
            "total": fen_to_yuan(sum(c.total_fen for c in claims)),
            "flag": flag,
            "line": fen_to_yuan(flag.line_fen) if flag else "",
            "self_pay": fen_to_yuan(flag.self_pay_fen) if flag else "",
        },
        request=request,
    )
