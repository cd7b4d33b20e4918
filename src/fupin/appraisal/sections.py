"""The person page section: the person's 慢性病医疗证 and appraisal in progress."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from fupin.registry.models import Person

from . import selectors
from .models import OPEN_STAGES


def person_section(request: HttpRequest, person: Person) -> str:
    user = request.user
    return render_to_string(
        "appraisal/_person_section.html",
        {
            "p": person,
            "notice": selectors.notices(user).filter(person=person).first(),
            "open": selectors.applications(user)
            .filter(person=person, stage__in=OPEN_STAGES)
            .first(),
            "certificates": selectors.certificates(user)
            .filter(person=person)
            .order_by("-issued_on"),
        },
        request=request,
    )
