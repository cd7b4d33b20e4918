"""The resident's certification page in the portal (/portal/certification/): whether he must
certify this year, whether he has, and the button to do it (资格认证不出村)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.portal.audit import changed, viewed
from fupin.portal.auth import resident_required

from . import selectors, services
from .models import Certification


@resident_required
def home(request: HttpRequest) -> HttpResponse:
    viewed(request, "资格认证")
    today = timezone.localdate()
    person = request.resident
    return render(
        request,
        "certification/portal_home.html",
        {
            "must": selectors.must_certify(person, today.year),
            "this_year": Certification.objects.filter(person=person, year=today.year).first(),
            "history": Certification.objects.filter(person=person).order_by("-year")[:10],
            "win": selectors.window(today.year),
            "today": today,
        },
    )


@resident_required
@require_POST
def certify(request: HttpRequest) -> HttpResponse:
    try:
        c = services.certify_in_portal(
            person=request.resident,
            assisted_by=request.assisted_by,
            assistance_id=request.assistance,
            assist_mode=request.assist_mode,
            today=timezone.localdate(),
        )
    except services.CertificationError as exc:
        messages.error(request, str(exc))
    else:
        changed(request, f"资格认证 {c.year}年度（{c.get_method_display()}）", obj=c, created=True)
        messages.success(request, f"{c.year} 年度资格认证已完成，养老金照常发放")
    return redirect("portal:certification:home")
