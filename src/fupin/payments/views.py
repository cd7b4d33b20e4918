"""资金发放 pages: thin views over selectors (reads) and services (writes)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from fupin import bounds
from fupin.access.models import User
from fupin.access.scope import get_scoped, home_area_code
from fupin.areas.models import Area, Level
from fupin.registry.idnumber import mask
from fupin.web.xlsx import xlsx_response

from . import exports, jobs, providers, selectors, services
from .models import (
    RESOLUTIONS,
    Batch,
    BatchJob,
    BatchState,
    Difference,
    JobState,
    LineStatus,
    Resolution,
)
from .services import PaymentError


def _fail(request: HttpRequest, exc: Exception | str) -> None:
    messages.error(request, str(exc))


def _batch(request: HttpRequest, pk: int) -> Batch:
    return get_scoped(
        Batch.objects.select_related("preparer", "reviewer", "approver"), request.user, pk=pk
    )


def _areas_for(user: User) -> list[Area]:
    """The township(s) — and for county staff the county — a user may prepare a batch for."""
    code = home_area_code(user)
    if len(code) <= 6:
        return list(
            Area.objects.filter(
                code__startswith=code, level__in=[Level.COUNTY, Level.TOWNSHIP]
            ).order_by("level", "code")
        )
    return list(Area.objects.filter(code=code[:9], level=Level.TOWNSHIP))


def _rows(qs: QuerySet[Batch], names: dict[str, str]) -> Iterator[list]:
    for b in qs.iterator(chunk_size=2000):
        yield [
            b.pk,
            providers.kind_name(b.kind),
            providers.period_label(b.period),
            selectors.batch_area_name(b, names),
            b.get_state_display(),
            b.line_count,
            b.total_fen / 100,
            b.preparer.get_full_name() or b.preparer.username,
            (b.reviewer.get_full_name() or b.reviewer.username) if b.reviewer else "",
            (b.approver.get_full_name() or b.approver.username) if b.approver else "",
            b.paid_reference,
            b.note,
        ]


@login_required
def batches(request: HttpRequest) -> HttpResponse:
    qs, f = selectors.filtered_batches(request.user, request.GET)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    names = selectors.area_names(selectors.area_key(b.area_code) for b in page)
    rows = [
        {
            "b": b,
            "kind": providers.kind_name(b.kind),
            "period": providers.period_label(b.period),
            "area": selectors.batch_area_name(b, names),
        }
        for b in page
    ]
    return render(
        request,
        "payments/batches.html",
        {
            "page": page,
            "rows": rows,
            "f": f,
            "query": urlencode(f.query()),
            "kinds": selectors.kind_choices(),
            "states": BatchState.choices,
            "areas": _areas_for(request.user),
        },
    )


@login_required
def batches_export(request: HttpRequest) -> HttpResponseBase:
    qs, f = selectors.filtered_batches(request.user, request.GET)
    names = selectors.area_names(
        selectors.area_key(c) for c in qs.values_list("area_code", flat=True).distinct()
    )
    header = [
        "批次号",
        "发放项目",
        "期间",
        "区划",
        "状态",
        "人次",
        "金额(元)",
        "编制人",
        "复核人",
        "审批人",
        "支付凭证号",
        "说明",
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename="发放批次.xlsx",
        unmasked=False,
        summary=f"导出发放批次列表 {urlencode(f.query())}".strip(),
        sheets=[("发放批次", header, _rows(qs, names))],
    )


@login_required
def prepare(request: HttpRequest) -> HttpResponse:
    form = {"kind": "", "period": "", "area": "", "note": ""}
    if request.method == "POST":
        form = {k: str(request.POST.get(k, "")).strip() for k in form}
        try:
            job = jobs.start_prepare(
                user=request.user,
                kind=form["kind"],
                period=form["period"],
                area_code=form["area"],
                note=form["note"],
                request=request,
            )
        except PaymentError as exc:
            _fail(request, exc)
        else:
            return redirect("payments:job", pk=job.pk)
    kinds = [
        {
            "code": k.code,
            "name": k.name,
            "unit": providers.UNITS[k.unit],
            "description": k.description,
        }
        for k in providers.kinds().values()
    ]
    return render(
        request,
        "payments/prepare.html",
        {"form": form, "kinds": kinds, "areas": _areas_for(request.user)},
    )


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    status = str(request.GET.get("status", ""))[:10]
    lines = Paginator(selectors.lines(request.user, batch, status), 100).get_page(
        request.GET.get("page")
    )
    names = selectors.area_names(
        {selectors.area_key(batch.area_code), *batch.town_totals, *(x.village_code for x in lines)}
    )
    towns = [
        {"name": names.get(code, code), "count": n, "fen": fen}
        for code, (n, fen) in sorted(batch.town_totals.items())
    ]
    diffs = list(selectors.differences(request.user, batch))
    for d in diffs:
        d.choices = [(r, Resolution(r).label) for r in RESOLUTIONS[d.kind]]
        d.masked_id = mask(d.id_number) if d.id_number else ""
    kind = providers.kinds().get(batch.kind)
    user = request.user
    return render(
        request,
        "payments/batch.html",
        {
            "b": batch,
            "kind": kind,
            "kind_name": providers.kind_name(batch.kind),
            "period": providers.period_label(batch.period),
            "channel": providers.CHANNELS.get(kind.channel, "") if kind else "",
            "area": selectors.batch_area_name(batch, names),
            "towns": towns,
            "diffs": diffs,
            "open_diffs": sum(1 for d in diffs if not d.resolution),
            "lines": lines,
            "line_rows": [
                {
                    "x": x,
                    "id": mask(x.person.id_number),
                    "village": names.get(x.village_code, x.village_code),
                    "rule": selectors.rule_text(x.rule),
                }
                for x in lines
            ],
            "status": status,
            "statuses": LineStatus.choices,
            "query": urlencode({"status": status} if status else {}),
            "return_file": getattr(batch, "return_file", None)
            if batch.state in (BatchState.PAID, BatchState.RECONCILED)
            else None,
            "may_prepare_edit": batch.state == BatchState.PREPARED,
            "is_preparer": batch.preparer_id == user.pk,
            "today": timezone.localdate(),
        },
    )


@login_required
def batch_lines_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    batch = _batch(request, pk)
    status = str(request.GET.get("status", ""))[:10]
    qs = selectors.lines(request.user, batch, status)
    names = selectors.area_names(set(qs.values_list("village_code", flat=True)))

    def rows():
        for x in qs.iterator(chunk_size=5000):
            yield [
                x.pk,
                x.person.name,
                mask(x.person.id_number),
                names.get(x.village_code, x.village_code),
                providers.period_label(x.period),
                x.amount_fen / 100,
                x.payee_name,
                x.get_status_display(),
                "" if x.returned_fen is None else x.returned_fen / 100,
                selectors.rule_text(x.rule),
                x.source,
                x.note,
                x.status_reason,
            ]

    header = [
        "明细号",
        "姓名",
        "身份证号",
        "村",
        "期间",
        "应发金额(元)",
        "收款单位",
        "状态",
        "回盘金额(元)",
        "政策包",
        "政策原文",
        "备注",
        "说明",
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename=f"发放批次{batch.pk}明细.xlsx",
        unmasked=False,
        summary=f"导出发放批次 {batch.pk} 明细 {status}".strip(),
        sheets=[("发放明细", header, rows())],
    )


def _version(request: HttpRequest) -> int | None:
    return bounds.query_int(request.POST.get("version"), None, 1, 2**31 - 1)


def _step(
    request: HttpRequest, pk: int, action: Callable[..., object], done: str, **kwargs
) -> HttpResponse:
    _batch(request, pk)
    try:
        action(user=request.user, batch_id=pk, request=request, **kwargs)
        messages.success(request, done)
    except (PaymentError, bounds.BoundsError) as exc:
        _fail(request, exc)
    return redirect("payments:batch", pk=pk)


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.review, "已复核，待县级审批", version=_version(request))


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        services.approve,
        "已审批，批次不能再修改；可导出发放文件",
        version=_version(request),
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        services.cancel,
        "批次已作废，其中的明细可重新编制",
        reason=str(request.POST.get("reason", ""))[:500],
        version=_version(request),
    )


@login_required
@require_POST
def remove_line(request: HttpRequest, pk: int) -> HttpResponse:
    _batch(request, pk)
    line_id = bounds.query_id(request.POST.get("line"))
    if line_id is None:
        _fail(request, "请指明要剔除的明细号")
        return redirect("payments:batch", pk=pk)
    return _step(
        request,
        pk,
        services.remove_line,
        f"已剔除明细 {line_id}",
        line_id=line_id,
        reason=str(request.POST.get("reason", ""))[:500],
        version=_version(request),
    )


@login_required
@require_POST
def pay(request: HttpRequest, pk: int) -> HttpResponse:
    _batch(request, pk)
    try:
        day = bounds.parse_date(request.POST.get("paid_on", ""), "支付日期")
    except bounds.BoundsError as exc:
        _fail(request, exc)
        return redirect("payments:batch", pk=pk)
    return _step(
        request,
        pk,
        services.mark_paid,
        "已登记支付，请导入回盘文件对账",
        reference=str(request.POST.get("reference", ""))[:200],
        paid_on=day,
        version=_version(request),
    )


@login_required
@require_POST
def bank_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    _batch(request, pk)
    try:
        return exports.bank_csv_response(user=request.user, request=request, batch_id=pk)
    except PaymentError as exc:
        _fail(request, exc)
        return redirect("payments:batch", pk=pk)


@login_required
@require_POST
def agency_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    _batch(request, pk)
    try:
        return exports.agency_xlsx_response(user=request.user, request=request, batch_id=pk)
    except PaymentError as exc:
        _fail(request, exc)
        return redirect("payments:batch", pk=pk)


@login_required
@require_POST
def import_return(request: HttpRequest, pk: int) -> HttpResponse:
    _batch(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        _fail(request, "请选择回盘文件（xlsx 或 csv）")
        return redirect("payments:batch", pk=pk)
    try:
        job = jobs.start_reconcile(
            user=request.user,
            batch_id=pk,
            data=upload.read(),
            filename=upload.name,
            request=request,
        )
    except PaymentError as exc:
        _fail(request, exc)
        return redirect("payments:batch", pk=pk)
    return redirect("payments:job", pk=job.pk)


def _job(request: HttpRequest, pk: int) -> BatchJob:
    return get_scoped(BatchJob.objects.select_related("batch"), request.user, pk=pk)


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A background job's page: its progress while it runs; once done, the batch (with the outcome
    as a message) or, if it failed, the Chinese message and the faulty rows."""
    job = _job(request, pk)
    jobs.recover_abandoned(job)
    if job.state == JobState.DONE and job.batch_id:
        messages.success(request, job.message)
        return redirect("payments:batch", pk=job.batch_id)
    return render(request, "payments/job.html", {"job": job})


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    jobs.recover_abandoned(job)
    response = render(request, "payments/_job_progress.html", {"job": job})
    if job.finished and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    diff = get_scoped(Difference.objects.all(), request.user, pk=pk)
    try:
        services.resolve(
            user=request.user,
            difference_id=pk,
            resolution=str(request.POST.get("resolution", ""))[:20],
            reason=str(request.POST.get("reason", ""))[:500],
            request=request,
        )
        messages.success(request, "差异已处理")
    except PaymentError as exc:
        _fail(request, exc)
    return redirect("payments:batch", pk=diff.batch_id)
