"""待遇领取资格认证 pages: who must certify this year and who is late, per village; recording a
certification at the station or at home."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone

from fupin import bounds
from fupin.access.scope import get_scoped, require_writer
from fupin.insurance.models import PensionRecord
from fupin.policy.params import fen_to_yuan
from fupin.registry.idnumber import mask
from fupin.registry.models import Person
from fupin.web.forms import styled
from fupin.web.list_export import Column, export, wants_xlsx
from fupin.web.paging import page_of
from fupin.web.picker import area_filter, area_picker

from . import selectors, services
from .models import Method
from .rules import rules

SHOWN = {"missing": "未认证", "done": "已认证", "all": "全部"}
STAFF_METHODS = [(v, label) for v, label in Method.choices if v != Method.PORTAL]


def _year(request: HttpRequest, today: dt.date) -> int:
    return bounds.query_year(request.GET.get("year"), today.year)


@login_required
def pensioners(request: HttpRequest) -> HttpResponseBase:
    today = timezone.localdate()
    year = _year(request, today)
    win = selectors.window(year)
    code, area_error = area_filter(request)
    shown = request.GET.get("shown") if request.GET.get("shown") in SHOWN else "missing"
    qs = selectors.pensioners(request.user, year)
    if code:
        qs = qs.filter(village_code__startswith=code)
    if shown == "missing":
        qs = qs.filter(certified=False)
    elif shown == "done":
        qs = qs.filter(certified=True)
    qs = qs.order_by("village_code", "person__name", "id")
    stage = win.stage(today)

    def stage_of(rec: PensionRecord) -> str:
        return selectors.STAGE_NAMES["certified" if rec.certified else stage]

    if wants_xlsx(request):
        return export(
            request,
            qs,
            title=f"{year}年度待遇领取资格认证（{SHOWN[shown]}）",
            columns=[
                Column("村", lambda r: r.village_code, area=True),
                Column("姓名", lambda r: r.person.name),
                Column("身份证号", lambda r: mask(r.person.id_number)),
                Column("领取起始", lambda r: r.drawing_since or ""),
                Column(
                    "月领取金额(元)",
                    lambda r: fen_to_yuan(r.monthly_amount_fen) if r.monthly_amount_fen else "",
                ),
                Column("认证日期", lambda r: r.certified_on or ""),
                Column(
                    "认证方式",
                    lambda r: Method(r.certified_method).label if r.certified_method else "",
                ),
                Column("状态", stage_of),
            ],
        )
    page = page_of(request, qs)
    for rec in page:
        rec.stage_name = stage_of(rec)
        rec.masked_id = mask(rec.person.id_number)
    if area_error:
        messages.error(request, area_error)
    return render(
        request,
        "certification/pensioners.html",
        {
            "page": page,
            "year": year,
            "win": win,
            "today": today,
            "stage": stage,
            "stage_name": selectors.STAGE_NAMES[stage],
            "shown": shown,
            "shown_choices": SHOWN.items(),
            "area_picker": area_picker(request, code),
            "r": rules(),
        },
    )


@login_required
def villages(request: HttpRequest) -> HttpResponseBase:
    today = timezone.localdate()
    year = _year(request, today)
    win = selectors.window(year)
    code, area_error = area_filter(request)
    rows = selectors.by_village(request.user, year)
    if code:
        rows = [r for r in rows if r["village_code"].startswith(code)]
    if request.GET.get("late") == "1":
        rows = [r for r in rows if r["missing"]]
    stage = win.stage(today)
    if wants_xlsx(request):
        return export(
            request,
            rows,
            title=f"{year}年度资格认证按村统计",
            columns=[
                Column("村", lambda r: r["village_code"], area=True),
                Column("应认证人数", lambda r: r["total"]),
                Column("已认证", lambda r: r["done"]),
                Column("未认证", lambda r: r["missing"]),
                Column("截止日", lambda r: win.deadline),
            ],
        )
    if area_error:
        messages.error(request, area_error)
    return render(
        request,
        "certification/villages.html",
        {
            "page": page_of(request, rows),
            "year": year,
            "win": win,
            "today": today,
            "stage": stage,
            "stage_name": selectors.STAGE_NAMES[stage],
            "area_picker": area_picker(request, code),
            "totals": {
                "total": sum(r["total"] for r in rows),
                "done": sum(r["done"] for r in rows),
                "missing": sum(r["missing"] for r in rows),
            },
        },
    )


class CertifyForm(forms.Form):
    certified_on = bounds.DateField(label="认证日期")
    method = forms.ChoiceField(label="认证方式", choices=STAFF_METHODS)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)


@login_required
def certify(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_scoped(Person.objects.all(), request.user, pk=pk)
    today = timezone.localdate()
    form = CertifyForm(
        request.POST or None, initial={"certified_on": today, "method": Method.IN_PERSON}
    )
    if request.method == "POST":
        require_writer(request.user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.certify(
                    user=request.user,
                    person=person,
                    year=d["certified_on"].year,
                    certified_on=d["certified_on"],
                    method=d["method"],
                    note=d["note"],
                    request=request,
                    today=today,
                )
                messages.success(request, f"已登记 {person.name} 的资格认证")
                return redirect("certification:certify", pk=pk)
            except services.CertificationError as exc:
                form.add_error(None, str(exc))
    return render(
        request,
        "certification/certify.html",
        {
            "p": person,
            "masked_id": mask(person.id_number),
            "form": form,
            "history": selectors.certifications(request.user).filter(person=person),
            "must": selectors.must_certify(person, today.year),
            "year": today.year,
            "win": selectors.window(today.year),
            "r": rules(),
        },
    )
