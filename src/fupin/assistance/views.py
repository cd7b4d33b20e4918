"""帮扶计划与台账 pages."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from fupin import bounds
from fupin.access.scope import get_scoped, require_writer
from fupin.registry.idnumber import mask
from fupin.registry.models import Person
from fupin.web.forms import styled
from fupin.web.xlsx import xlsx_response

from . import selectors, services
from .models import MeasureKind, MeasureStatus, PlannedMeasure


class MeasureForm(forms.ModelForm):
    class Meta:
        model = PlannedMeasure
        formfield_callback = bounds.formfield
        fields = ["kind", "description", "cadre", "due_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)


def _area(request: HttpRequest) -> str:
    code = (request.GET.get("area") or "").strip()
    return code if code.isdigit() else ""


def _filtered_ledger(request: HttpRequest):
    """The ledger as filtered on the page, and that filter as a query string: the export takes the same."""
    qs = selectors.ledger(request.user)
    code, kind = _area(request), request.GET.get("kind") or ""
    if code:
        qs = qs.filter(village_code__startswith=code)
    if kind:
        qs = qs.filter(kind=kind)
    return qs, kind, urlencode({k: v for k, v in (("area", code), ("kind", kind)) if v})


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    qs, kind, query = _filtered_ledger(request)
    qs = qs.order_by("-day", "-id")
    day = timezone.localdate()
    return render(
        request,
        "assistance/ledger.html",
        {
            "page": Paginator(qs, 50).get_page(request.GET.get("page")),
            "kinds": MeasureKind.choices,
            "kind": kind,
            "query": query,
            "overdue": selectors.overdue_measures(request.user, day)[:200],
            "day": day,
        },
    )


@login_required
def ledger_export(request: HttpRequest) -> HttpResponseBase:
    qs, _, query = _filtered_ledger(request)
    qs = qs.order_by("village_code", "person_id", "day", "id")
    rows = [
        [
            mask(e.person.id_number),
            e.person.name,
            e.village_code,
            e.day,
            e.get_kind_display(),
            e.summary,
            e.recorded_by.username if e.recorded_by else "",
        ]
        for e in qs[:200_000]
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename="帮扶台账.xlsx",
        unmasked=False,
        summary=f"导出帮扶台账 {query}".strip(),
        sheets=[
            ("帮扶台账", ["身份证号", "姓名", "村代码", "日期", "类别", "摘要", "记录人"], rows)
        ],
    )


@login_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_scoped(Person.objects.select_related("household"), request.user, pk=pk)
    form = MeasureForm(
        request.POST or None,
        initial={
            "cadre": person.household.cadre_name,
            "due_on": timezone.localdate() + dt.timedelta(days=30),
        },
    )
    if request.method == "POST":
        require_writer(request.user)
        if form.is_valid():
            services.plan_measure(
                user=request.user, person=person, request=request, **form.cleaned_data
            )
            messages.success(request, "已加入帮扶计划")
            return redirect("assistance:plan", pk=pk)
    return render(
        request,
        "assistance/plan.html",
        {
            "p": person,
            "form": form,
            "statuses": MeasureStatus.choices,
            "measures": selectors.measures(request.user).filter(person=person),
            "ledger": selectors.ledger(request.user).filter(person=person).order_by("day", "id"),
        },
    )


@login_required
@require_POST
def measure_status(request: HttpRequest, pk: int) -> HttpResponse:
    m = get_scoped(PlannedMeasure.objects.select_related("person"), request.user, pk=pk)
    try:
        services.set_measure_status(
            user=request.user, measure=m, status=request.POST.get("status", ""), request=request
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect("assistance:plan", pk=m.person_id)
