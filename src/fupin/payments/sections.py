"""The person page section: what was paid for the person (资金发放记录) — kind, period, amount,
batch, when and under which rule."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from fupin.registry.models import Person

from . import providers, selectors


def person_section(request: HttpRequest, person: Person) -> str:
    rows = [
        {
            "x": x,
            "kind": providers.kind_name(x.kind),
            "period": providers.period_label(x.period),
            "rule": selectors.rule_text(x.rule),
        }
        for x in selectors.person_lines(request.user, person)[:200]
    ]
    return render_to_string("payments/_person_section.html", {"rows": rows}, request=request)
