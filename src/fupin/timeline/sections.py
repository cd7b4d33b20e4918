"""The person page section (帮扶档案): plan, recommendations, placements, training, loans and
the whole ledger in time order (帮扶台账)."""

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from fupin.access.scope import scoped
from fupin.assistance.models import LedgerEntry, PlannedMeasure
from fupin.employment.models import Recommendation, Referral
from fupin.registry.models import Person
from fupin.startup.models import Loan, StartupSubsidy
from fupin.training.models import Enrolment


def person_section(request: HttpRequest, person: Person) -> str:
    user = request.user
    mine = {"person": person}
    ctx = {
        "p": person,
        "today": timezone.localdate(),
        "measures": scoped(PlannedMeasure.objects.filter(**mine), user),
        "recommendations": scoped(
            Recommendation.objects.filter(current=True, **mine), user
        ).select_related("posting", "posting__employer")[:10],
        "referrals": scoped(Referral.objects.filter(**mine), user).select_related(
            "posting", "posting__employer"
        ),
        "enrolments": scoped(Enrolment.objects.filter(**mine), user).select_related("course"),
        "loans": scoped(Loan.objects.filter(**mine), user),
        "startup": scoped(StartupSubsidy.objects.filter(**mine), user),
        "ledger": scoped(LedgerEntry.objects.filter(**mine), user)
        .select_related("recorded_by")
        .order_by("day", "id"),
    }
    return render_to_string("timeline/_person_section.html", ctx, request=request)
