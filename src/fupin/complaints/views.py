"""诉求与投诉 staff pages: the list (with overdue and level filters), filing from a phone call,
a visit or for a resident, acknowledging, answering, the rating on a return call, monthly counts."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin import bounds
from fupin.access.scope import get_scoped, require_writer
from fupin.registry.idnumber import mask
from fupin.web.list_export import Column, export, wants_xlsx
from fupin.web.paging import page_of
from fupin.web.picker import area_filter, area_picker

from . import selectors, services
from .forms import AnswerForm, RateForm, StaffComplaintForm
from .models import Complaint, Level
from .rules import rules

LEVEL_FILTERS = {str(v): label for v, label in Level.choices}


def _filtered(
    request: HttpRequest, now: dt.datetime
) -> tuple[QuerySet[Complaint], str, str, str, str, str]:
    qs = selectors.complaints(request.user, now)
    code, area_error = area_filter(request)
    if code:
        qs = qs.filter(village_code__startswith=code)
    state = request.GET.get("state") if request.GET.get("state") in selectors.STATES else "open"
    qs = selectors.filtered(qs, state=state, now=now)
    level = request.GET.get("level") or ""
    if level in LEVEL_FILTERS:
        qs = qs.filter(current_level=int(level))
    category = request.GET.get("category") or ""
    if category in rules().categories.value:
        qs = qs.filter(category=category)
    return qs.order_by("answer_due", "id"), state, level, category, code, area_error


@login_required
def complaints(request: HttpRequest) -> HttpResponseBase:
    now = timezone.now()
    qs, state, level, category, code, area_error = _filtered(request, now)
    r = rules()
    if wants_xlsx(request):
        return export(
            request,
            qs,
            title=f"诉求与投诉（{selectors.STATES[state]}）",
            columns=[
                Column("村", lambda c: c.village_code, area=True),
                Column("类型", lambda c: c.get_kind_display()),
                Column("类别", lambda c: r.category_name(c.category)),
                Column("渠道", lambda c: c.get_channel_display()),
                Column("标题", lambda c: c.subject),
                Column("内容", lambda c: c.content),
                Column("联系人", lambda c: c.contact_name),
                Column(
                    "登记时间", lambda c: timezone.localtime(c.filed_at).strftime("%Y-%m-%d %H:%M")
                ),
                Column(
                    "答复时限",
                    lambda c: timezone.localtime(c.answer_due).strftime("%Y-%m-%d %H:%M"),
                ),
                Column("办理层级", lambda c: Level(c.current_level).label),
                Column("答复", lambda c: c.answer),
                Column("满意度", lambda c: c.get_satisfaction_display()),
            ],
        )
    if area_error:
        messages.error(request, area_error)
    page = page_of(request, qs)
    for c in page:
        c.level_name = Level(c.current_level).label
        c.category_name = r.category_name(c.category)
        c.late = (c.acknowledged_at is None and c.acknowledge_due < now) or (
            c.answered_at is None and c.answer_due < now
        )
    return render(
        request,
        "complaints/list.html",
        {
            "page": page,
            "state": state,
            "states": selectors.STATES.items(),
            "level": level,
            "levels": LEVEL_FILTERS.items(),
            "category": category,
            "categories": r.choices(),
            "area_picker": area_picker(request, code),
            "r": r,
        },
    )


@login_required
def new(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    form = StaffComplaintForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            c = services.file_by_staff(
                user=request.user,
                person=d["person"],
                village_code=d.get("village") or "",
                kind=d["kind"],
                category=d["category"],
                channel=d["channel"],
                subject=d["subject"],
                content=d["content"],
                contact_name=d["contact_name"],
                phone=d["phone"],
                request=request,
            )
            messages.success(request, "已登记")
            return redirect("complaints:detail", pk=c.pk)
        except services.ComplaintError as exc:
            form.add_error(None, str(exc))
    return render(request, "web/form.html", {"form": form, "title": "登记诉求或投诉"})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    now = timezone.now()
    c = get_scoped(selectors.complaints(request.user, now), request.user, pk=pk)
    return render(
        request,
        "complaints/detail.html",
        {
            "c": c,
            "level_name": Level(c.current_level).label,
            "category_name": rules().category_name(c.category),
            "masked_id": mask(c.person.id_number) if c.person else "",
            "escalations": c.escalations.all(),
            "answer_form": AnswerForm(),
            "rate_form": RateForm(),
            "now": now,
        },
    )


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    c = get_scoped(Complaint.objects.all(), request.user, pk=pk)
    try:
        if action == "acknowledge":
            services.acknowledge(user=request.user, complaint=c, request=request)
            messages.success(request, "已受理")
        elif action == "answer":
            form = AnswerForm(request.POST)
            if not form.is_valid():
                raise services.ComplaintError("答复：" + "；".join(form.errors.get("answer", [])))
            services.answer(
                user=request.user, complaint=c, text=form.cleaned_data["answer"], request=request
            )
            messages.success(request, "已答复，居民可在门户中看到")
        elif action == "rate":
            form = RateForm(request.POST)
            if not form.is_valid():
                raise services.ComplaintError("请选择满意度（意见最多 200 字）")
            services.rate(
                user=request.user,
                complaint=c,
                satisfaction=form.cleaned_data["satisfaction"],
                note=form.cleaned_data["note"],
                request=request,
            )
            messages.success(request, "已记录回访评价")
        else:
            raise services.ComplaintError("无法识别的操作")
    except services.ComplaintError as exc:
        messages.error(request, str(exc))
    return redirect("complaints:detail", pk=c.pk)


@login_required
def monthly(request: HttpRequest) -> HttpResponseBase:
    now = timezone.now()
    year = bounds.query_year(request.GET.get("year"), timezone.localdate().year)
    rows = selectors.monthly(request.user, year, now)
    columns = [
        ("month", "月份"),
        ("filed", "登记"),
        ("complaints", "其中投诉"),
        ("answered", "已答复"),
        ("on_time", "按时答复"),
        ("overdue", "逾期未办结"),
        ("escalated", "升级"),
        ("rated", "已评价"),
        ("satisfied", "满意和基本满意"),
    ]
    if wants_xlsx(request):
        return export(
            request,
            rows,
            title=f"{year}年诉求与投诉月度统计",
            columns=[Column(label, lambda r, k=key: r[k]) for key, label in columns],
        )
    totals = {k: sum(r[k] for r in rows) for k, _ in columns[1:]}
    return render(
        request,
        "complaints/monthly.html",
        {"rows": rows, "columns": columns, "totals": totals, "year": year},
    )
