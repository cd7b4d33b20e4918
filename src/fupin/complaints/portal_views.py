"""The resident's complaint pages (我要反映问题) in the portal (/portal/complaints/): file one, read the answer,
say whether he is satisfied. Only his household's complaints, looked up inside the household."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fupin.portal.audit import changed, viewed
from fupin.portal.auth import household_get, resident_required

from . import services
from .forms import RateForm, ResidentComplaintForm
from .models import Complaint, Level, Satisfaction
from .rules import rules


def _mine(request: HttpRequest):
    return Complaint.objects.filter(person__household_id=request.resident_household.pk)


@resident_required
def home(request: HttpRequest) -> HttpResponse:
    viewed(request, "我的诉求")
    r = rules()
    rows = list(_mine(request).order_by("-filed_at", "-id")[:50])
    for c in rows:
        c.category_name = r.category_name(c.category)
    return render(request, "complaints/portal_home.html", {"rows": rows, "r": r})


@resident_required
def new(request: HttpRequest) -> HttpResponse:
    form = ResidentComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            c = services.file_by_resident(
                person=request.resident,
                kind=d["kind"],
                category=d["category"],
                subject=d["subject"],
                content=d["content"],
                phone=d["phone"],
                assisted_by=request.assisted_by,
                assistance_id=request.assistance,
            )
        except services.ComplaintError as exc:
            form.add_error(None, str(exc))
        else:
            changed(request, f"提交{c}", obj=c, created=True)
            messages.success(request, "已提交，工作人员会按时限受理和答复")
            return redirect("portal:complaints:detail", pk=c.pk)
    viewed(request, "提交诉求页面")
    return render(request, "complaints/portal_new.html", {"form": form, "r": rules()})


@resident_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    c = household_get(request, Complaint.objects.all(), pk=pk)
    viewed(request, f"诉求“{c.subject}”", obj=c)
    return render(
        request,
        "complaints/portal_detail.html",
        {
            "c": c,
            "category_name": rules().category_name(c.category),
            "level_name": Level(c.level).label,
            "choices": Satisfaction.choices,
        },
    )


@resident_required
@require_POST
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    c = household_get(request, Complaint.objects.all(), pk=pk)
    form = RateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择满意、基本满意或不满意（意见最多 200 字）")
        return redirect("portal:complaints:detail", pk=c.pk)
    try:
        services.rate(
            complaint=c,
            satisfaction=form.cleaned_data["satisfaction"],
            note=form.cleaned_data["note"],
        )
    except services.ComplaintError as exc:
        messages.error(request, str(exc))
    else:
        c.refresh_from_db()
        changed(request, f"评价{c}：{c.get_satisfaction_display()}", obj=c)
        messages.success(request, "谢谢您的评价")
    return redirect("portal:complaints:detail", pk=c.pk)
