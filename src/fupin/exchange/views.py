"""数据导入与信息比对 pages: thin views over selectors (reads), imports/services (writes)."""

from collections.abc import Iterable
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import require_writer
from fupin.areas.models import Area, Level
from fupin.areas.names import known_names
from fupin.registry.idnumber import mask
from fupin.sheets.reader import FileFault
from fupin.web.xlsx import xlsx_response

from . import demo, selectors, services
from . import imports as import_service
from .blank_forms import template_xlsx
from .comparison import CATEGORIES, LABELS
from .models import ComparisonJob, ComparisonResult, ImportJob, JobState, Kind, Review
from .review import id_diff
from .sources import TITLES

EXPORT_LIMIT = 200_000
INSURANCE = {"pension": "养老保险", "medical": "医疗保险"}


area_names = known_names  # {code: "鹅湖镇 某村"}; a code outside the county is shown as it is


def _townships(user: User, codes: Iterable[str]) -> list[tuple[str, str]]:
    names = dict(
        Area.objects.filter(level=Level.TOWNSHIP, code__in=list(codes)).values_list("code", "name")
    )
    return sorted(((c, names.get(c, c)) for c in codes), key=lambda t: t[0])


@login_required
def imports(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        upload = request.FILES.get("file")
        if kind not in Kind.values:
            messages.error(request, "请选择数据来源")
        elif upload is None:
            messages.error(request, "请选择要上传的文件")
        else:
            try:
                import_service.check_upload_size(upload.size)
                job = services.start_import(
                    user=request.user, kind=kind, filename=upload.name, content=upload.read()
                )
            except FileFault as exc:
                messages.error(request, str(exc))
            else:
                return redirect("exchange:import", pk=job.pk)
    jobs = list(selectors.import_jobs(request.user)[:50])
    for job in jobs:
        import_service.recover_interrupted(job)  # a job whose worker died says so
    return render(
        request,
        "exchange/imports.html",
        {
            "jobs": jobs,
            "kinds": Kind.choices,
            "samples": _samples(request.user),
            "may_write": not request.user.read_only,
        },
    )


def _samples(user: User) -> dict[str, str]:
    """{kind: file name} of the demo's sample files this user may import (demo mode only)."""
    if not settings.DEMO_MODE:
        return {}
    return {
        kind: name
        for kind, name in demo.SAMPLE_FILES.items()
        if import_service.may_import(user, kind) and (demo.sample_dir() / name).is_file()
    }


@login_required
def sample(request: HttpRequest) -> HttpResponseBase:
    """One of the demo's sample files (示例文件), named only by its import kind: no path from the request."""
    name = _samples(request.user).get(request.GET.get("kind", ""))
    if name is None:
        raise Http404("没有这个示例文件")
    return FileResponse((demo.sample_dir() / name).open("rb"), as_attachment=True, filename=name)


def _job_context(request: HttpRequest, job: ImportJob) -> dict[str, object]:
    rejected = selectors.rejected_rows(job)
    return {
        "job": job,
        "rejected": rejected[:200],
        "rejected_total": job.counts.get("rejected", 0),
        "may_confirm": job.state == JobState.READY
        and import_service.may_import(request.user, job.kind),
    }


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job(request.user, pk)
    import_service.recover_interrupted(job)
    return render(request, "exchange/import.html", _job_context(request, job))


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job(request.user, pk)
    import_service.recover_interrupted(job)
    response = render(request, "exchange/_import_progress.html", _job_context(request, job))
    if job.finished and request.htmx:
        response["HX-Refresh"] = "true"  # show the preview once the job stops
    return response


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job(request.user, pk)
    require_writer(request.user)
    if not import_service.may_import(request.user, job.kind):
        raise PermissionDenied("无权导入该类数据")
    if not services.confirm_import(user=request.user, job=job):
        job.refresh_from_db()
        messages.error(request, f"导入任务当前状态为“{job.get_state_display()}”，不能确认")
    else:
        messages.success(request, "已确认，正在合并")
    return redirect("exchange:import", pk=job.pk)


@login_required
def import_rejected(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = selectors.import_job(request.user, pk)
    rows = []
    for r in selectors.rejected_rows(job).iterator(chunk_size=2000):
        for column, reason in r.errors:
            rows.append([r.row_no, column, reason, mask(r.id_number or ""), r.name or ""])
    return xlsx_response(
        user=request.user,
        request=request,
        filename=f"导入问题行-{job.pk}.xlsx",
        unmasked=False,
        summary=f"导出导入任务 {job.pk} 的问题行",
        sheets=[("问题行", ["行号", "列", "问题", "身份证号", "姓名"], rows)],
    )


@login_required
def template(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", Kind.ROSTER)
    if kind not in Kind.values:
        raise Http404("没有这种数据来源")
    response = HttpResponse(
        template_xlsx(kind),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = quote(f"{TITLES[kind]}导入模板.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@login_required
def comparisons(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        job = services.start_comparison(user=request.user, request=request)
        return redirect("exchange:comparison", pk=job.pk)
    jobs = list(selectors.comparison_jobs(request.user)[:50])
    for job in jobs:
        services.recover_abandoned(job)
    return render(
        request,
        "exchange/comparisons.html",
        {"jobs": jobs, "may_write": not request.user.read_only},
    )


def _summary(request: HttpRequest, job: ComparisonJob):
    """Counts per category and township, cut to what the user may see."""
    qs = selectors.results(request.user, job).order_by()
    per_town: dict[str, dict[str, int]] = {}
    totals = {c: 0 for c in CATEGORIES}
    from django.db.models import Count
    from django.db.models.functions import Substr

    for row in (
        qs.annotate(town=Substr("village_code", 1, 9))
        .values("town", "category")
        .annotate(n=Count("id"))
    ):
        per_town.setdefault(row["town"], {})[row["category"]] = row["n"]
        totals[row["category"]] = totals.get(row["category"], 0) + row["n"]
    towns = _townships(request.user, per_town)
    return totals, [
        (code, name, [per_town[code].get(c, 0) for c in CATEGORIES]) for code, name in towns
    ]


@login_required
def comparison_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.comparison_job(request.user, pk)
    services.recover_abandoned(job)
    totals, towns = _summary(request, job) if job.state == JobState.DONE else ({}, [])
    return render(
        request,
        "exchange/comparison.html",
        {
            "job": job,
            "categories": [(c, LABELS[c], totals.get(c, 0)) for c in CATEGORIES],
            "towns": towns,
            "pending": selectors.results(request.user, job, "id_mismatch_candidate")
            .filter(review=Review.PENDING)
            .count(),
            "pending_tags": selectors.results(request.user, job, "tag_stale_review")
            .filter(review=Review.PENDING)
            .count(),
            "scope_name": area_names([job.area_code]).get(job.area_code)
            if len(job.area_code) == 12
            else (
                Area.objects.filter(code=job.area_code).values_list("name", flat=True).first()
                if job.area_code
                else "全部"
            ),
        },
    )


@login_required
def comparison_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.comparison_job(request.user, pk)
    services.recover_abandoned(job)
    response = render(request, "exchange/_comparison_progress.html", {"job": job})
    if job.finished and request.htmx:
        response["HX-Refresh"] = "true"
    return response


def _category(category: str) -> str:
    if category not in CATEGORIES:
        raise Http404("没有这个比对类别")
    return category


def _score_filter(request: HttpRequest) -> float | None:
    try:
        value = float(request.GET.get("min_score", "") or "nan")
    except ValueError:
        return None
    return value if 0 <= value <= 1 else None


@login_required
def comparison_results(request: HttpRequest, pk: int, category: str) -> HttpResponse:
    job = selectors.comparison_job(request.user, pk)
    category = _category(category)
    area = (request.GET.get("area") or "").strip()
    min_score = _score_filter(request)
    review = category in services.REVIEWED
    pending_only = review and request.GET.get("pending") == "1"
    unmasked = request.GET.get("unmasked") == "1"
    if unmasked and not request.user.may_unmask:
        raise PermissionDenied("无权查看完整身份证号")
    qs = selectors.results(request.user, job, category, area).order_by("village_code", "id")
    if min_score is not None:
        qs = qs.filter(score__gte=min_score)
    if pending_only:
        qs = qs.filter(review=Review.PENDING)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    names = area_names({r.village_code for r in page} | {r.enrol_area_code for r in page})
    rows = [
        {
            "r": r,
            "village": names.get(r.village_code, r.village_code),
            "enrol_area": names.get(r.enrol_area_code, r.enrol_area_code),
            "insurance": INSURANCE.get(r.insurance, r.insurance),
            "diff": id_diff(r.id_number, r.enrol_id_number, unmasked=unmasked),
            "decision": services.decision_label(r.category, r.review) if r.review else "",
        }
        for r in page
    ]
    if unmasked:
        record(
            AuditAction.UNMASK,
            user=request.user,
            request=request,
            obj=job,
            summary=f"查看信息比对 {job.pk}“{LABELS[category]}”第{page.number}页的完整身份证号（{len(rows)} 条）",
        )
    pending = qs.filter(review=Review.PENDING).count() if review else 0
    query = {
        k: v
        for k, v in (
            ("area", area),
            ("min_score", request.GET.get("min_score", "") if min_score is not None else ""),
            ("pending", "1" if pending_only else ""),
        )
        if v
    }
    from urllib.parse import urlencode

    return render(
        request,
        "exchange/results.html",
        {
            "job": job,
            "category": category,
            "label": LABELS[category],
            "page": page,
            "rows": rows,
            "area": area,
            "area_name": names.get(area) or area_names([area]).get(area, "") if area else "",
            "min_score": query.get("min_score", ""),
            "pending_only": pending_only,
            "review": review,
            "may_write": not request.user.read_only,
            "pending": pending,
            "unmasked": unmasked,
            "query": urlencode(query),
            "may_unmask": request.user.may_unmask,
            "confirm_label": services.decision_label(category, Review.CONFIRMED),
            "reject_label": services.decision_label(category, Review.REJECTED),
        },
    )


@login_required
@require_POST
def bulk_review(request: HttpRequest, pk: int, category: str) -> HttpResponse:
    """批量审核 of the filtered set shown on the results page (only its pending findings)."""
    job = selectors.comparison_job(request.user, pk)
    category = _category(category)
    area = (request.POST.get("area") or "").strip()
    try:
        min_score = float(request.POST["min_score"]) if request.POST.get("min_score") else None
        expected = int(request.POST.get("expected", ""))
    except ValueError:
        messages.error(request, "批量审核的参数无效，请刷新页面后重试")
        return redirect("exchange:comparison_results", pk=job.pk, category=category)
    try:
        n = services.decide_many(
            user=request.user,
            job=job,
            category=category,
            decision=request.POST.get("decision", ""),
            expected=expected,
            area=area,
            min_score=min_score,
            request=request,
        )
        messages.success(
            request,
            f"已批量审核 {n} 条：{services.decision_label(category, request.POST.get('decision', ''))}",
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    from urllib.parse import urlencode

    from django.urls import reverse

    query = urlencode(
        {k: v for k, v in (("area", area), ("min_score", request.POST.get("min_score", ""))) if v}
    )
    return redirect(
        reverse("exchange:comparison_results", args=[job.pk, category])
        + (f"?{query}" if query else "")
    )


def _unmasked(request: HttpRequest) -> bool:
    unmasked = request.GET.get("unmasked") == "1"
    if unmasked and not request.user.may_unmask:
        raise PermissionDenied("无权导出完整身份证号")
    return unmasked


@login_required
def comparison_export(request: HttpRequest, pk: int, category: str) -> HttpResponseBase:
    job = selectors.comparison_job(request.user, pk)
    category = _category(category)
    unmasked = _unmasked(request)
    show = (lambda v: v) if unmasked else mask
    qs = selectors.results(request.user, job, category, request.GET.get("area", "")).order_by(
        "village_code", "id"
    )[:EXPORT_LIMIT]
    results = list(qs.iterator(chunk_size=5000))
    names = area_names({r.village_code for r in results} | {r.enrol_area_code for r in results})
    rows = [
        [
            names.get(r.village_code, r.village_code),
            show(r.id_number) if r.id_number else "",
            r.name,
            INSURANCE.get(r.insurance, r.insurance),
            show(r.enrol_id_number) if r.enrol_id_number else "",
            r.enrol_name,
            names.get(r.enrol_area_code, r.enrol_area_code),
            r.score,
            r.detail,
            services.decision_label(r.category, r.review) if r.review else "",
        ]
        for r in results
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename=f"比对-{job.pk}-{category}.xlsx",
        unmasked=unmasked,
        summary=f"导出信息比对 {job.pk} 类别 {LABELS[category]}",
        sheets=[
            (
                LABELS[category][:30],
                [
                    "区划",
                    "身份证号",
                    "姓名",
                    "险种",
                    "参保身份证号",
                    "参保姓名",
                    "参保地",
                    "相似度",
                    "说明",
                    "审核",
                ],
                rows,
            )
        ],
    )


@login_required
def comparison_tagfile(request: HttpRequest, pk: int) -> HttpResponseBase:
    """标识文件: who the insurance agency tags and untags (000: 新增对象标示, 脱贫对象注销标示)."""
    job = selectors.comparison_job(request.user, pk)
    unmasked = _unmasked(request)
    show = (lambda v: v) if unmasked else mask
    header = ["身份证号", "姓名", "险种", "区划", "原因"]

    def rows(qs: QuerySet[ComparisonResult], use_enrol: bool = False) -> list[list[str]]:
        found = list(qs.order_by("village_code", "id").iterator(chunk_size=5000))
        names = area_names({r.village_code for r in found})
        return [
            [
                show(r.enrol_id_number if use_enrol else r.id_number),
                r.enrol_name if use_enrol else r.name,
                INSURANCE.get(r.insurance, r.insurance),
                names.get(r.village_code, r.village_code),
                r.detail,
            ]
            for r in found
        ]

    base = selectors.results(request.user, job)
    confirmed = list(
        base.filter(category="id_mismatch_candidate", review=Review.CONFIRMED).order_by(
            "village_code", "id"
        )
    )
    names = area_names({r.village_code for r in confirmed})
    fixes = [
        [
            show(r.enrol_id_number),
            show(r.id_number),
            r.name,
            INSURANCE.get(r.insurance, r.insurance),
            names.get(r.village_code, r.village_code),
            r.detail,
        ]
        for r in confirmed
    ]
    # The untag sheet holds only certain cases: tag_stale, and tag_stale_review a person confirmed.
    untag = base.filter(category="tag_stale") | base.filter(
        category="tag_stale_review", review=Review.CONFIRMED
    )
    return xlsx_response(
        user=request.user,
        request=request,
        filename=f"贫困人员标识-{job.pk}.xlsx",
        unmasked=unmasked,
        summary=f"导出信息比对 {job.pk} 的标识文件",
        sheets=[
            ("新增标识", header, rows(base.filter(category="tag_missing"))),
            ("取消标识", header, rows(untag, use_enrol=True)),
            (
                "更正身份证号",
                ["参保系统身份证号", "建档立卡身份证号", "姓名", "险种", "区划", "说明"],
                fixes,
            ),
        ],
    )


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    decision = request.POST.get("decision", "")
    try:
        result = services.decide(
            user=request.user, result_id=pk, decision=decision, request=request
        )
    except ValueError as exc:
        messages.error(request, str(exc))
        result = selectors.results(request.user).filter(pk=pk).first()
        if result is None:
            raise Http404("记录不存在或不在本辖区") from None
    if request.htmx:
        return render(
            request,
            "exchange/_review.html",
            {
                "r": result,
                "may_write": True,
                "review": True,
                "decision": services.decision_label(result.category, result.review),
                "confirm_label": services.decision_label(result.category, Review.CONFIRMED),
                "reject_label": services.decision_label(result.category, Review.REJECTED),
            },
        )
    return redirect("exchange:comparison_results", pk=result.job_id, category=result.category)
