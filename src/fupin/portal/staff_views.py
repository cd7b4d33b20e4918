"""Staff pages of the portal (乡镇/村): residents' requests per township — list, filter, export, handle."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from fupin.access.models import User
from fupin.access.scope import area_code_in_scope, get_scoped, scoped
from fupin.areas.names import own_code
from fupin.registry.idnumber import mask
from fupin.web.list_export import Column, export, wants_xlsx
from fupin.web.paging import page_of
from fupin.web.picker import AreaPickerField

from . import services
from .models import OPEN_STATUSES, RequestKind, RequestStatus, ResidentRequest

STATUS_FILTERS = [("unfinished", "未办结"), *RequestStatus.choices, ("all", "全部")]


class RequestFilter(forms.Form):
    status = forms.ChoiceField(label="状态", choices=STATUS_FILTERS, required=False)
    kind = forms.ChoiceField(
        label="事项", choices=[("", "全部"), *RequestKind.choices], required=False
    )
    overdue = forms.BooleanField(label="仅超期", required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = AreaPickerField(user=user, label="区划", required=False)
        for f in self.fields.values():
            css = "form-check-input" if isinstance(f, forms.BooleanField) else "form-control"
            f.widget.attrs["class"] = f"{css} form-control-sm"


def detail_text(r: ResidentRequest) -> str:
    d = r.detail or {}
    parts = []
    if "tier_fen" in d:
        parts.append(
            f"{d.get('year')} 年度档次 {int(d['tier_fen']) / 100:.2f} 元"
            f"（政府代缴 {int(d.get('government_fen') or 0) / 100:.2f} 元，"
            f"自缴 {int(d.get('self_fen') or 0) / 100:.2f} 元）"
        )
    for key, label in (
        ("wished_trade", "工种"),
        ("wished_work", "意向"),
        ("disease", "疾病"),
        ("phone", "新号码"),
    ):
        if d.get(key):
            parts.append(f"{label}：{d[key]}")
    return "；".join(parts)


def filtered(request: HttpRequest) -> tuple[RequestFilter, QuerySet[ResidentRequest]]:
    form = RequestFilter(request.GET or None, user=request.user)
    qs = scoped(ResidentRequest.objects.select_related("person", "assistance"), request.user)
    status = "unfinished"
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        status = d["status"] or "unfinished"
        if d["kind"]:
            qs = qs.filter(kind=d["kind"])
        if d["area"]:
            qs = qs.filter(village_code__startswith=own_code(d["area"]))
        if d["overdue"]:
            qs = qs.filter(status__in=OPEN_STATUSES, due_on__lt=services.today())
    if status == "unfinished":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status != "all":
        qs = qs.filter(status=status)
    return form, qs.order_by("due_on", "id")


@login_required
def requests_list(request: HttpRequest) -> HttpResponseBase:
    form, qs = filtered(request)
    if wants_xlsx(request):
        return export(
            request,
            qs,
            title="居民申请",
            columns=[
                Column("编号", lambda r: r.pk),
                Column("身份证号", lambda r: mask(r.person.id_number)),
                Column("姓名", lambda r: r.person.name),
                Column("村", lambda r: r.village_code, area=True),
                Column("事项", lambda r: r.get_kind_display()),
                Column("申请内容", detail_text),
                Column("居民留言", lambda r: r.note),
                Column("代办", lambda r: "代办" if r.assistance_id else ""),
                Column("提交时间", lambda r: r.created_at.strftime("%Y-%m-%d %H:%M")),
                Column("办理时限", lambda r: r.due_on),
                Column("状态", lambda r: r.get_status_display()),
                Column("办理结果", lambda r: r.answer),
            ],
        )
    page = page_of(request, qs)
    today = services.today()
    for r in page.object_list:
        r.detail_text = detail_text(r)
        r.overdue = r.status in OPEN_STATUSES and r.due_on < today
    return render(request, "portal/staff/requests.html", {"form": form, "page": page})


class HandleForm(forms.Form):
    status = forms.ChoiceField(
        label="办理状态",
        choices=[c for c in RequestStatus.choices if c[0] != RequestStatus.OPEN],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    answer = forms.CharField(
        label="办理结果（居民可见）",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


@login_required
def request_handle(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped(
        ResidentRequest.objects.select_related("person", "assistance", "handled_by"),
        request.user,
        pk=pk,
    )
    form = HandleForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.handle_request(
                    user=request.user,
                    row=row,
                    status=form.cleaned_data["status"],
                    answer=form.cleaned_data["answer"],
                    request=request,
                )
            except services.RequestRefused as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, "已保存办理结果")
                return redirect("portal:staff_request", pk=row.pk)
    return render(
        request,
        "portal/staff/request.html",
        {
            "r": row,
            "detail": detail_text(row),
            "form": form,
            "can_handle": area_code_in_scope(request.user, row.village_code)
            and row.status in OPEN_STATUSES,
            "masked": mask(row.person.id_number),
        },
    )
