"""全民参保登记 pages: the four-insurance table of a township with the unregistered and their
reasons, the poverty marks out of step with the registry, and the job-insurance form."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin import bounds
from fupin.access.models import User
from fupin.access.scope import get_scoped, home_area_code, require_writer, scoped
from fupin.areas.lookup import AreaNotFound, find_area
from fupin.areas.models import Area, Level
from fupin.management.selectors import townships
from fupin.registry.idnumber import mask
from fupin.registry.models import Person
from fupin.registry.selectors import find_person
from fupin.web.forms import styled
from fupin.web.list_export import Column, export, wants_xlsx
from fupin.web.paging import page_of
from fupin.web.picker import parse_area

from . import selectors, services
from .models import (
    JobEnrolment,
    JobEnrolmentStatus,
    JobInsurance,
    MarkBatch,
    MarkBatchState,
    MarkOutcome,
)


def _township(request: HttpRequest) -> tuple[str, list[Area]]:
    """The area asked for (a township, or the county for a county account; by name or code,
    inside the user's area), else the user's own area. Returns its code and the choices."""
    towns = townships(request.user)
    own = home_area_code(request.user)
    county = Area.objects.filter(code=own, level=Level.COUNTY).first()
    choices = ([county] if county else []) + towns
    asked = request.GET.get("area", "").strip()
    if asked:
        try:
            return area_code(request.user, asked), choices
        except AreaNotFound as exc:
            messages.error(request, str(exc))
    return own, choices


def area_code(user: User, text: str) -> str:
    """The code (as stored, not padded) of a township or county typed, inside the user's area."""
    parse_area(user, text, levels=(Level.COUNTY, Level.TOWNSHIP))
    return find_area(text).code


@login_required
def table(request: HttpRequest) -> HttpResponseBase:
    code, towns = _township(request)
    only = request.GET.get("only") == "unregistered"
    years = selectors.medical_years(request.user)
    year = bounds.query_year(
        request.GET.get("year"), years[0] if years else timezone.localdate().year
    )
    rows = selectors.table(
        request.user, code, year=year, day=timezone.localdate(), only_unregistered=only
    )
    if wants_xlsx(request):
        return export(
            request,
            rows,
            title="全民参保登记表",
            columns=[
                Column("姓名", lambda r: r.person.name),
                Column("身份证号", lambda r: mask(r.person.id_number)),
                Column("区划", lambda r: r.person.village_code, area=True),
                *[
                    Column(label, lambda r, k=k: r.name_of(k))
                    for k, label in selectors.INSURANCES.items()
                ],
                Column("未登记原因", lambda r: "；".join(r.reasons)),
            ],
        )
    all_rows = rows if not only else None
    return render(
        request,
        "registration/table.html",
        {
            "rows": page_of(request, rows),
            "code": code,
            "towns": towns,
            "only": only,
            "year": year,
            "years": years,
            "insurances": selectors.INSURANCES,
            "counts": selectors.count_lines(all_rows) if all_rows is not None else None,
            "unregistered": sum(1 for r in rows if r.unregistered),
        },
    )


@login_required
def marks(request: HttpRequest) -> HttpResponseBase:
    code, towns = _township(request)
    action = request.GET.get("action", "")
    action = action if action in selectors.MARK_ACTIONS else ""
    every = selectors.marks(request.user, code)
    rows = [m for m in every if not action or m.action == action]
    if wants_xlsx(request):
        return export(
            request,
            rows,
            title="贫困人员身份标注调整",
            columns=[
                Column("调整", lambda m: m.action_name),
                Column("姓名", lambda m: m.record.name),
                Column("身份证号", lambda m: mask(m.record.id_number)),
                Column("区划", lambda m: m.record.village_code, area=True),
                Column("险种", lambda m: m.record.get_insurance_display()),
                Column("原因", lambda m: m.reason),
            ],
        )
    return render(
        request,
        "registration/marks.html",
        {
            "rows": page_of(request, rows),
            "code": code,
            "towns": towns,
            "action": action,
            "actions": selectors.MARK_ACTIONS,
            "total": len(every),
            "may_write": not getattr(request.user, "read_only", False),
        },
    )


@login_required
@require_POST
def marks_prepare(request: HttpRequest) -> HttpResponse:
    """编制标识调整单 from the list as shown (its area and count)."""
    try:
        code = area_code(request.user, request.POST.get("area", ""))
        expected = bounds.query_int(request.POST.get("expected"), None, 0, 10**7)
        if expected is None:
            raise services.RegistrationError("页面显示的条数无效，请刷新页面后重试")
        batch = services.prepare_marks(
            user=request.user,
            area_code=code,
            expected=expected,
            note=request.POST.get("note", ""),
            request=request,
        )
    except (AreaNotFound, services.RegistrationError) as exc:
        messages.error(request, str(exc))
        return redirect(
            f"{reverse('registration:marks')}?{urlencode({'area': request.POST.get('area', '')[:100]})}"
        )
    messages.success(request, f"已编制标识调整单 {batch.pk}，请由另一位工作人员复核后回写")
    return redirect("registration:mark_batch", pk=batch.pk)


BATCH_STATES = dict(MarkBatchState.choices)


@login_required
def mark_batches(request: HttpRequest) -> HttpResponseBase:
    state = request.GET.get("state", "")
    state = state if state in BATCH_STATES else ""
    batches = (
        scoped(MarkBatch.objects.all(), request.user)
        .select_related("prepared_by", "checked_by")
        .annotate(lines=Count("changes"))
    )
    if state:
        batches = batches.filter(state=state)
    if wants_xlsx(request):
        return export(
            request,
            batches,
            title="贫困人员标识调整单",
            columns=[
                Column("编号", lambda b: b.pk),
                Column("范围", lambda b: b.area_code, area=True),
                Column("状态", lambda b: b.get_state_display()),
                Column("条数", lambda b: b.lines),
                Column("编制人", lambda b: _who(b.prepared_by)),
                Column("编制时间", lambda b: _when(b.prepared_at)),
                Column("复核人", lambda b: _who(b.checked_by)),
                Column("复核时间", lambda b: _when(b.checked_at)),
                Column("说明", lambda b: b.note),
                Column("复核意见", lambda b: b.check_note),
            ],
        )
    return render(
        request,
        "registration/mark_batches.html",
        {"batches": page_of(request, batches), "state": state, "states": BATCH_STATES},
    )


def _who(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _when(at: dt.datetime | None) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}" if at else ""


@login_required
def mark_batch(request: HttpRequest, pk: int) -> HttpResponseBase:
    batch = get_scoped(
        MarkBatch.objects.select_related("prepared_by", "checked_by"), request.user, pk=pk
    )
    changes = batch.changes.all()
    outcome = request.GET.get("outcome")
    if outcome in MarkOutcome.values:
        changes = changes.filter(outcome=outcome)
    if wants_xlsx(request):
        return export(
            request,
            changes,
            title=f"贫困人员标识调整单{batch.pk}",
            columns=[
                Column("调整", lambda c: c.get_action_display()),
                Column("姓名", lambda c: c.name),
                Column("身份证号", lambda c: mask(c.id_number)),
                Column("区划", lambda c: c.village_code, area=True),
                Column("险种", lambda c: c.get_insurance_display()),
                Column("原因", lambda c: c.reason),
                Column("结果", lambda c: c.get_outcome_display()),
                Column("复核人", lambda c: _who(batch.checked_by)),
                Column(
                    "回写时间",
                    lambda c: _when(batch.checked_at) if c.outcome == MarkOutcome.APPLIED else "",
                ),
            ],
        )
    return render(
        request,
        "registration/mark_batch.html",
        {
            "batch": batch,
            "changes": page_of(request, changes),
            "open": batch.state == MarkBatchState.PREPARED,
            "may_check": batch.prepared_by_id != request.user.pk,
        },
    )


@login_required
@require_POST
def mark_batch_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    steps = {"confirm": services.confirm_marks, "cancel": services.cancel_marks}
    if action not in steps:
        raise Http404
    try:
        steps[action](
            user=request.user, batch_id=pk, note=request.POST.get("note", ""), request=request
        )
    except services.RegistrationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, "已复核并回写参保记录的贫困人员标识" if action == "confirm" else "已作废"
        )
    return redirect("registration:mark_batch", pk=pk)


class JobEnrolmentForm(forms.Form):
    person = forms.CharField(label="人员（编号或身份证号）")
    insurance = forms.ChoiceField(label="险种", choices=JobInsurance.choices)
    status = forms.ChoiceField(label="参保状态", choices=JobEnrolmentStatus.choices)
    employer = JobEnrolment._meta.get_field("employer").formfield()
    project = JobEnrolment._meta.get_field("project").formfield()
    since = bounds.DateField(label="起始日期", required=False)
    note = JobEnrolment._meta.get_field("note").formfield()

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        styled(self)

    def clean_person(self) -> Person:
        p = find_person(self.user, self.cleaned_data["person"])
        if p is None:
            raise forms.ValidationError("本辖区内没有这个人员")
        return p


@login_required
def job_enrolment_new(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    form = JobEnrolmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            obj = services.record_job_enrolment(
                user=request.user, request=request, **form.cleaned_data
            )
            messages.success(request, f"已登记 {obj.person.name} 的{obj.get_insurance_display()}")
            return redirect("registration:table")
        except services.RegistrationError as exc:
            form.add_error(None, str(exc))
    return render(request, "web/form.html", {"form": form, "title": "登记工伤/失业保险参保情况"})
