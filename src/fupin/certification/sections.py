"""The person page section: this year's certification (待遇领取资格认证) (or why none is due) and past years."""

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from fupin.registry.models import Person

from . import selectors


def person_section(request: HttpRequest, person: Person) -> str:
    today = timezone.localdate()
    history = selectors.certifications(request.user).filter(person=person).order_by("-year")[:5]
    must = selectors.must_certify(person, today.year)
    if not must and not history:
        return ""
    done = next((c for c in history if c.year == today.year), None)
    win = selectors.window(today.year)
    return render_to_string(
        "certification/_person_section.html",
        {
            "p": person,
            "must": must,
            "done": done,
            "history": history,
            "win": win,
            "stage_name": selectors.STAGE_NAMES[win.stage(today)],
            "year": today.year,
        },
        request=request,
    )
