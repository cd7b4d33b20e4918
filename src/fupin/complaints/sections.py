"""The person page section: the person's complaints and requests (诉求与投诉) with their state."""

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from fupin.registry.models import Person

from . import selectors


def person_section(request: HttpRequest, person: Person) -> str:
    rows = list(selectors.complaints(request.user, timezone.now()).filter(person=person)[:20])
    if not rows:
        return ""
    return render_to_string("complaints/_person_section.html", {"rows": rows}, request=request)
