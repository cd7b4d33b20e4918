"""全民参保登记 pages: the four-insurance table of a township with the unregistered and their
reasons, the poverty marks out of step with the registry, and the job-insurance form."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from fupin import bounds
from fupin.access.scope import home_area_code, require_writer
from fupin.areas.lookup import AreaNotFound, find_area
from fupin.areas.models import Area, Level
from fupin.areas.picker import parse_area
from fupin.management.selectors import townships
from fupin.registry.idnumber import mask
from fupin.registry.selectors import find_person
from fupin.web.forms import styled
from fupin.web.list_export import Column, export, wants_xlsx
from fupin.web.paging import page_of

from . import selectors, services
from .models import JobEnrolment, JobEnrolmentStatus, JobInsurance


def _township(request) -> tuple[str, list[Area]]:
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


def area_code(user, text: str) -> str:
    """The code (as stored, not padded) of a township or county typed, inside the user's area."""
    parse_area(user, text, levels=(Level.COUNTY, Level.TOWNSHIP))
    return find_area(text).code


@login_required
def table(request):
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
def marks(request):
    code, towns = _township(request)
    action = request.GET.get("action", "")
    action = action if action in selectors.MARK_ACTIONS else ""
    rows = selectors.marks(request.user, code, action=action)
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
        },
    )


class JobEnrolmentForm(forms.Form):
    person = forms.CharField(label="人员（编号或身份证号）")
    insurance = forms.ChoiceField(label="险种", choices=JobInsurance.choices)
    status = forms.ChoiceField(label="参保状态", choices=JobEnrolmentStatus.choices)
    employer = JobEnrolment._meta.get_field("employer").formfield()
    project = JobEnrolment._meta.get_field("project").formfield()
    since = bounds.DateField(label="起始日期", required=False)
    note = JobEnrolment._meta.get_field("note").formfield()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        styled(self)

    def clean_person(self):
        p = find_person(self.user, self.cleaned_data["person"])
        if p is None:
            raise forms.ValidationError("本辖区内没有这个人员")
        return p


@login_required
def job_enrolment_new(request):
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
