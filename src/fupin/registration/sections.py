"""The person page section (工伤与参保): the person's work-injury cases, job insurances and price
subsidies, read through scope."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from fupin.access.scope import scoped
from fupin.registry.models import Person
from fupin.unemployment.models import PriceSubsidy
from fupin.workinjury.models import InjuryCase

from .models import JobEnrolment


def person_section(request: HttpRequest, person: Person) -> str:
    user = request.user
    cases = scoped(InjuryCase.objects.filter(person=person), user)[:50]
    jobs = scoped(JobEnrolment.objects.filter(person=person), user)
    subsidies = scoped(PriceSubsidy.objects.filter(person=person), user)[:24]
    if not (cases or jobs or subsidies):
        return ""
    return render_to_string(
        "registration/_person_section.html",
        {"cases": cases, "jobs": jobs, "subsidies": subsidies},
        request=request,
    )
