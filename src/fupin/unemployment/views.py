"""价格临时补贴 pages: the monthly price index, the benefit-drawing import, the runs and lists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fupin.access.scope import get_scoped, require_writer, scoped
from fupin.management.selectors import is_county
from fupin.policy.params import fen_to_yuan
from fupin.registry.idnumber import mask
from fupin.web.list_export import Column, export, wants_xlsx
from fupin.web.paging import page_of

from . import services
from .models import BenefitDrawing, DrawingImport, PriceIndex, PriceSubsidy, SubsidyRun
from .rules import default_pack_id, rules

MONTH_OK = services.month_text


def _month_filter(request: HttpRequest) -> str:
    try:
        return MONTH_OK(request.GET.get("month", "")) if request.GET.get("month") else ""
    except services.UnemploymentError:
        return ""


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "unemployment/home.html",
        {
            "indices": PriceIndex.objects.all()[:24],
            "runs": scoped(SubsidyRun.objects.all(), request.user)[:20],
            "imports": scoped(DrawingImport.objects.all(), request.user)[:20],
            "r": rules(),
            "pack_id": default_pack_id(),
            "county": is_county(request.user),
        },
    )


@login_required
@require_POST
def index_set(request: HttpRequest) -> HttpResponse:
    try:
        obj = services.set_price_index(
            user=request.user,
            month=request.POST.get("month", ""),
            index=request.POST.get("index", ""),
            note=request.POST.get("note", ""),
            request=request,
        )
        messages.success(request, f"已录入 {obj.month} 价格指数 {obj.index_text}")
    except services.UnemploymentError as exc:
        messages.error(request, f"未保存：{exc}")
    return redirect("unemployment:home")


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    f = request.FILES.get("file")
    if f is None:
        messages.error(request, "请选择要上传的文件")
        return redirect("unemployment:home")
    try:
        job = services.stage_import(
            user=request.user, data=f.read(), filename=f.name, request=request
        )
    except services.UnemploymentError as exc:
        messages.error(request, f"未导入：{exc}")
        return redirect("unemployment:home")
    return redirect("unemployment:import", pk=job.pk)


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_scoped(DrawingImport.objects, request.user, pk=pk)
    rows = job.staged.annotate(
        bad=Case(When(error="", then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by("bad", "row_no")
    return render(request, "unemployment/import.html", {"job": job, "rows": page_of(request, rows)})


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_scoped(DrawingImport.objects, request.user, pk=pk)
    try:
        job = services.merge_import(user=request.user, job=job, request=request)
        messages.success(request, f"已导入：{job.message}")
    except services.UnemploymentError as exc:
        messages.error(request, str(exc))
    return redirect("unemployment:import", pk=pk)


@login_required
@require_POST
def run(request: HttpRequest) -> HttpResponse:
    try:
        r = services.run_month(
            user=request.user, month=request.POST.get("month", ""), request=request
        )
        messages.success(request, r.message)
    except services.UnemploymentError as exc:
        messages.error(request, f"未核算：{exc}")
    return redirect("unemployment:home")


@login_required
def drawings(request: HttpRequest) -> HttpResponseBase:
    month = _month_filter(request)
    qs = scoped(BenefitDrawing.objects.select_related("person"), request.user)
    if month:
        qs = qs.filter(month=month)
    if wants_xlsx(request):
        return export(
            request,
            qs,
            title="失业保险金领取记录",
            columns=[
                Column("月份", lambda d: d.month),
                Column("姓名", lambda d: d.person.name),
                Column("身份证号", lambda d: mask(d.person.id_number)),
                Column("区划", lambda d: d.village_code, area=True),
                Column(
                    "失业保险金(元)", lambda d: fen_to_yuan(d.benefit_fen) if d.benefit_fen else ""
                ),
                Column("来源", lambda d: d.source),
            ],
        )
    return render(
        request,
        "unemployment/drawings.html",
        {"rows": page_of(request, qs), "month": month},
    )


@login_required
def subsidies(request: HttpRequest) -> HttpResponseBase:
    month = _month_filter(request)
    qs = scoped(PriceSubsidy.objects.select_related("person"), request.user)
    if month:
        qs = qs.filter(month=month)
    if wants_xlsx(request):
        return export(
            request,
            qs,
            title="价格临时补贴",
            columns=[
                Column("月份", lambda s: s.month),
                Column("姓名", lambda s: s.person.name),
                Column("身份证号", lambda s: mask(s.person.id_number)),
                Column("区划", lambda s: s.village_code, area=True),
                Column("补贴(元)", lambda s: fen_to_yuan(s.amount_fen)),
                Column(
                    "价格指数",
                    lambda s: f"{s.index_hundredths // 100}.{s.index_hundredths % 100:02d}",
                ),
                Column("适用规则", lambda s: s.rule),
            ],
        )
    return render(
        request,
        "unemployment/subsidies.html",
        {"rows": page_of(request, qs), "month": month},
    )
