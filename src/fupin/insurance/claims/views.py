"""Pages of stored claims: township totals and the claim list (filtered, exported), the import
(upload → preview → confirm), re-settlements (政策测算) with progress and the side-by-side
comparison, and the high self-pay list. Thin over selectors (reads, scoped) and services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from fupin.access.models import User
from fupin.appraisal.templatetags.appraisal import class_name
from fupin.areas.names import known_names as area_names
from fupin.bounds import query_year
from fupin.insurance.selectors import townships
from fupin.policy import list_regions
from fupin.policy.params import CATEGORY_NAMES, fen_to_yuan
from fupin.registry.idnumber import mask
from fupin.sheets import reader
from fupin.web.xlsx import xlsx_response

from . import exports, imports, official, resettle, selectors, trails
from .exports import EXPORT_LIMIT, PART_NAMES
from .imports import FIELDS
from .models import IdentityImport, MedicalClaim, Resettlement, TrailFill, VisitType

PART_HEADERS = [f"{n}(元)" for n in PART_NAMES.values()]


def _year(request: HttpRequest) -> int:
    return query_year(request.GET.get("year"), 2018)


def _filters(request: HttpRequest) -> dict:
    town = request.GET.get("town", "")
    category = request.GET.get("category", "")
    visit = request.GET.get("visit_type", "")
    return {
        "town": town if town.isdigit() and len(town) == 9 else "",
        "category": category if category in CATEGORY_NAMES else "",
        "visit_type": visit if visit in VisitType.values else "",
        "cost_control": request.GET.get("cost_control") == "1",
    }


def _unmasked(request: HttpRequest) -> bool:
    unmasked = request.GET.get("unmasked") == "1"
    if unmasked and not request.user.may_unmask:
        raise PermissionDenied("无权导出完整身份证号")
    return unmasked


def _totals(rows: list[dict], names: dict[str, str]) -> list[dict]:
    out = []
    for r in rows:
        out.append(
            {
                "town": names.get(r["town"], r["town"]),
                "n": r["n"],
                "persons": r["persons"],
                "total": fen_to_yuan(r["total"] or 0),
                **{k: fen_to_yuan(r[k] or 0) for k in PART_NAMES},
                "controlled": r.get("controlled"),
            }
        )
    return out


def _town_names(user: User) -> dict[str, str]:
    return dict(townships(user))


@login_required
def claims_home(request: HttpRequest) -> HttpResponse:
    year, f = _year(request), _filters(request)
    qs = selectors.claim_list(request.user, year=year, **f)
    control = selectors.cost_control_for(year)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    names = area_names({c.village_code for c in page})
    rows = [
        {
            "c": c,
            "controlled": control.disease_of(c) if control is not None else "",
            "area": names.get(c.village_code, ""),
            "id": mask(c.person.id_number),
            "category": CATEGORY_NAMES.get(c.category, ""),
            "total": fen_to_yuan(c.total_fen),
            "parts": [fen_to_yuan(getattr(c, f"split_{k}")) for k in PART_NAMES],
        }
        for c in page
    ]
    return render(
        request,
        "insurance/claims/home.html",
        {
            "year": year,
            "filters": f,
            "page": page,
            "rows": rows,
            "totals": _totals(selectors.township_totals(qs, control), _town_names(request.user)),
            "control": control,
            "part_names": PART_NAMES.values(),
            "towns": townships(request.user),
            "categories": CATEGORY_NAMES.items(),
            "visits": VisitType.choices,
            "query": request.GET.urlencode(),
            "may_write": not request.user.read_only,
            "flagged": len(selectors.high_self_pay(request.user, year)),
        },
    )


@login_required
def claims_export(request: HttpRequest) -> HttpResponseBase:
    year, f = _year(request), _filters(request)
    unmasked = _unmasked(request)
    show = (lambda v: v) if unmasked else mask
    qs = selectors.claim_list(request.user, year=year, **f)
    control = selectors.cost_control_for(year)
    found = list(qs[:EXPORT_LIMIT].iterator(chunk_size=5000))
    names = area_names({c.village_code for c in found})
    rows = [
        [
            names.get(c.village_code, ""),
            show(c.person.id_number),
            c.person.name,
            c.claim_no,
            c.hospital,
            c.get_visit_type_display(),
            c.hospital_level,
            c.disease_code,
            c.admission_date.isoformat(),
            CATEGORY_NAMES.get(c.category, ""),
            class_name(c.chronic_class),
            c.total_fen / 100,
            c.in_policy_fen / 100,
            *(getattr(c, f"split_{k}") / 100 for k in PART_NAMES),
            c.period,
        ]
        for c in found
    ]
    town_names = _town_names(request.user)
    totals = [
        [
            town_names.get(r["town"], r["town"]),
            r["n"],
            r["persons"],
            (r["total"] or 0) / 100,
            *((r[k] or 0) / 100 for k in PART_NAMES),
        ]
        for r in selectors.township_totals(qs)
    ]
    header = [
        "区划",
        "身份证号",
        "姓名",
        "结算单号",
        "医院",
        "就诊类型",
        "医院级别",
        "疾病编码",
        "入院日期",
        "人员类别",
        "慢性病类别",
        "总费用(元)",
        "政策范围内(元)",
        *(f"{n}(元)" for n in PART_NAMES.values()),
        "政策期间",
    ]
    title = f"{year}年度医疗费用结算单"
    return xlsx_response(
        user=request.user,
        request=request,
        filename=f"{title}.xlsx",
        unmasked=unmasked,
        summary=f"导出{title} {len(rows)} 笔",
        sheets=[
            (
                "乡镇汇总",
                ["乡镇", "笔数", "人数", "总费用(元)", *PART_HEADERS],
                totals,
            ),
            ("结算单", header, rows),
            *_cost_control_sheet(found, control, names, show),
        ],
    )


def _cost_control_sheet(
    found: list[MedicalClaim],
    control: selectors.CostControl | None,
    names: dict[str, str],
    show: Callable[[str], str],
) -> list[tuple[str, list[str], list[list[object]]]]:
    """The 单病种控费 stays among the exported claims, for the report (a sheet of its own, after the
    claims, so the other sheets keep their columns)."""
    if control is None:
        return []
    rows = [
        [
            names.get(c.village_code, ""),
            c.person.name,
            show(c.person.id_number),
            c.claim_no,
            c.admission_date.isoformat(),
            CATEGORY_NAMES.get(c.category, ""),
            c.disease_code,
            disease,
            c.total_fen / 100,
        ]
        for c in found
        if (disease := control.disease_of(c))
    ]
    header = [
        "区划",
        "姓名",
        "身份证号",
        "结算单号",
        "入院日期",
        "人员类别",
        "疾病编码",
        "病种",
        "总费用(元)",
    ]
    return [(control.name, header, rows)]


@login_required
def claims_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要上传的结算数据文件")
        else:
            try:
                imports.check_upload_size(upload.size)
                job = imports.start_import(
                    user=request.user, filename=upload.name, content=upload.read()
                )
            except reader.FileFault as exc:
                messages.error(request, str(exc))
            except PermissionDenied as exc:
                messages.error(request, str(exc) or "无权导入")
            else:
                return redirect("insurance:claims_import", pk=job.pk)
    jobs = list(selectors.imports(request.user).defer("content")[:30])
    return render(
        request,
        "insurance/claims/upload.html",
        {"jobs": jobs, "fields": FIELDS, "may_write": not request.user.read_only},
    )


def _claim_import(request: HttpRequest, pk: int):
    job = selectors.claim_import(request.user, pk)
    imports.recover_abandoned(job)
    return job


@login_required
def claims_import(request: HttpRequest, pk: int) -> HttpResponse:
    job = _claim_import(request, pk)
    page = Paginator(selectors.import_faults(request.user, job), 100).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "insurance/claims/import.html",
        {"job": job, "page": page, "query": "", "may_write": not request.user.read_only,
         "progress_url": reverse("insurance:claims_import_progress", args=[job.pk]),
         "fill": _trail_fill(request, claim_import=job)},
    )  # fmt: skip


@login_required
def claims_import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The upload's check while it runs in the background (htmx poll); reloads the page when done."""
    job = _claim_import(request, pk)
    response = render(request, "insurance/claims/_import_progress.html", {
        "job": job, "progress_url": reverse("insurance:claims_import_progress", args=[job.pk]),
    })  # fmt: skip
    if job.state != "reading" and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@login_required
def claims_import_errors(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Every fault of the upload as xlsx: row, column, fault (Chinese), one line per fault."""
    job = _claim_import(request, pk)
    rows = [[r.row_no, r.claim_no or "", column, reason]
            for r in selectors.import_faults(request.user, job).iterator(chunk_size=5000)
            for column, reason in r.errors]  # fmt: skip
    unknown = [[row, number, name] for row, number, name in job.unknown_persons]
    title = f"结算数据导入{job.pk}的错误清单"
    return xlsx_response(
        user=request.user,
        request=request,
        filename=f"{title}.xlsx",
        summary=f"导出{title} {len(rows)} 处",
        unmasked=False,
        sheets=[
            ("错误清单", ["行号", "结算单号", "列", "问题"], rows),
            ("未登记人员", ["行号", "身份证号（脱敏）", "文件中的姓名"], unknown),
        ],
    )


@login_required
@require_POST
def claims_import_merge(request: HttpRequest, pk: int) -> HttpResponse:
    job = _claim_import(request, pk)
    try:
        result = imports.merge(job, user=request.user, request=request)
    except imports.ImportRefused as exc:
        messages.error(request, str(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "无权入库")
    else:
        messages.success(
            request,
            f"已入库 {result['claims']} 笔结算单，并按入院当日身份重新结算相关人员当年的 {result['settled']} 笔",
        )
    return redirect("insurance:claims_import", pk=job.pk)


def _policies() -> list[tuple[str, str]]:
    out = []
    for region in list_regions():
        out.append((region.id, f"{region.name}（按入院日期取当日政策）"))
        for span in region.spans:
            out.append(
                (
                    f"{region.id}@{span.start.isoformat()}",
                    f"{region.name}：{span.start.isoformat()} 起的政策（{span.pack.name}）",
                )
            )
    return out


def _policy_name(spec: str) -> str:
    """A policy spec in words: a listed choice by its label; another `region@date` as
    “浮梁县：2019-06-01 的政策”."""
    names = dict(_policies())
    if spec in names:
        return names[spec]
    region_id, _, day = spec.partition("@")
    region = next((r for r in list_regions() if r.id == region_id), None)
    if region is not None and day:
        return f"{region.name}：{day} 的政策"
    return spec


def _policy_at(policy: str, at: str) -> str:
    """The chosen policy at the date typed in 政策日期 (any date), or the chosen policy as it is."""
    at = at.strip()
    if not at:
        return policy
    try:
        day = dt.date.fromisoformat(at)
    except ValueError as exc:
        raise resettle.ResettleError(f"政策日期无效：{at[:20]}，应为 YYYY-MM-DD") from exc
    return f"{policy.partition('@')[0]}@{day.isoformat()}"


@login_required
def claims_resettle(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            run = resettle.start(
                user=request.user,
                year=request.POST.get("year", ""),
                policy=_policy_at(request.POST.get("policy", ""), request.POST.get("at", "")),
                area_code=request.POST.get("area", ""),
                note=request.POST.get("note", ""),
                request=request,
            )
        except resettle.ResettleError as exc:
            messages.error(request, str(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "无权发起测算")
        else:
            return redirect("insurance:claims_resettlement", pk=run.pk)
    runs = list(selectors.resettlements(request.user)[:50])
    for r in runs:
        resettle.recover_abandoned(r)
    for r in runs:
        r.policy_name = _policy_name(r.policy)
    return render(request, "insurance/claims/resettle.html", {
        "runs": runs, "policies": _policies(), "towns": townships(request.user), "year": _year(request),
        "may_write": not request.user.read_only,
    })  # fmt: skip


@login_required
def claims_resettlement(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.resettlement(request.user, pk)
    resettle.recover_abandoned(run)
    town_names = _town_names(request.user)
    found = selectors.comparison(request.user, run) if run.state == "done" else []
    if request.GET.get("format") == "xlsx":
        return _comparison_xlsx(request, run, found, town_names)
    rows = []
    for r in found:
        rows.append(
            {
                "town": town_names.get(r["town"], r["town"]),
                "n": r["n"],
                "total": fen_to_yuan(r["total"] or 0),
                "parts": [
                    (
                        fen_to_yuan(r[f"official_{k}"] or 0),
                        fen_to_yuan(r[k] or 0),
                        fen_to_yuan((r[k] or 0) - (r[f"official_{k}"] or 0)),
                    )
                    for k in PART_NAMES
                ],
            }
        )
    return render(
        request,
        "insurance/claims/resettlement.html",
        {
            "run": run,
            "rows": rows,
            "part_names": PART_NAMES.values(),
            "policy_name": _policy_name(run.policy),
        },
    )


def _comparison_xlsx(
    request: HttpRequest, run: Resettlement, found: list[dict], town_names: dict[str, str]
) -> HttpResponse:
    """The comparison on screen as a spreadsheet: per township, each part official → simulated →
    difference (元); audited as an export."""
    header = ["乡镇", "笔数", "总费用(元)"] + [
        f"{n}{w}(元)" for n in PART_NAMES.values() for w in ("正式", "测算", "差额")
    ]
    rows = [
        [town_names.get(r["town"], r["town"]), r["n"], (r["total"] or 0) / 100]
        + [
            v / 100
            for k in PART_NAMES
            for v in (
                r[f"official_{k}"] or 0,
                r[k] or 0,
                (r[k] or 0) - (r[f"official_{k}"] or 0),
            )
        ]
        for r in found
    ]
    title = f"{run.year}年度政策测算{run.pk}与正式结算对照"
    return xlsx_response(
        user=request.user,
        request=request,
        filename=f"{title}.xlsx",
        unmasked=False,
        summary=f"导出{title} {len(rows)} 个乡镇",
        sheets=[("对照", header, rows)],
    )


@login_required
def claims_resettlement_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.resettlement(request.user, pk)
    resettle.recover_abandoned(run)
    response = render(request, "insurance/claims/_progress.html", {"run": run})
    if run.state in ("done", "failed") and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@login_required
def claims_flags(request: HttpRequest) -> HttpResponseBase:
    year = _year(request)
    flags = sorted(selectors.high_self_pay(request.user, year), key=lambda f: -f.self_pay_fen)
    from fupin.registry.models import Person

    persons = {p.pk: p for p in Person.objects.filter(pk__in=[f.person_id for f in flags])}
    names = area_names({p.village_code for p in persons.values()})
    export = request.GET.get("export") == "xlsx"
    unmasked = _unmasked(request) if export else False
    show = (lambda v: v) if unmasked else mask
    rows = [
        [
            names.get(persons[f.person_id].village_code, ""),
            show(persons[f.person_id].id_number),
            persons[f.person_id].name,
            fen_to_yuan(f.self_pay_fen),
            fen_to_yuan(f.income_fen),
            fen_to_yuan(f.line_fen),
            f.income_basis,
        ]
        for f in flags
    ]
    title = f"{year}年度医疗自付超收入比例人员"
    if export:
        return xlsx_response(
            user=request.user,
            request=request,
            filename=f"{title}.xlsx",
            unmasked=unmasked,
            summary=f"导出{title} {len(rows)} 人",
            sheets=[
                (
                    "预警",
                    [
                        "区划",
                        "身份证号",
                        "姓名",
                        "年度个人自付(元)",
                        "家庭年收入(元)",
                        "预警线(元)",
                        "收入依据",
                    ],
                    rows,
                )
            ],
        )
    pack = selectors.pack_for_year(year)
    share = pack.catastrophic_share if pack else None
    return render(
        request,
        "insurance/claims/flags.html",
        {
            "year": year,
            "rows": rows,
            "persons": [persons[f.person_id] for f in flags],
            "title": title,
            "share": share.model_dump(mode="json")["value"] if share else None,
            "source": pack.cite(share.source) if share else "",
        },
    )


# -- 按新身份重算某年 ---------------------------------------------------------------------------------
@login_required
def claims_official(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            run = official.start(
                user=request.user,
                year=request.POST.get("year", ""),
                area_code=request.POST.get("area", ""),
                note=request.POST.get("note", ""),
                request=request,
            )
        except official.OfficialResettleError as exc:
            messages.error(request, str(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "无权重算")
        else:
            return redirect("insurance:claims_official_run", pk=run.pk)
    runs = list(selectors.official_runs(request.user)[:50])
    for r in runs:
        official.recover_abandoned(r)
    names = area_names({r.area_code for r in runs})
    for r in runs:
        r.area_name = names.get(r.area_code, r.area_code)
    return render(request, "insurance/claims/official.html", {
        "runs": runs, "towns": townships(request.user), "year": _year(request), "may_write": not request.user.read_only,
    })  # fmt: skip


def _official_run(request: HttpRequest, pk: int):
    run = selectors.official_run(request.user, pk)
    official.recover_abandoned(run)
    return run


@login_required
def claims_official_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = _official_run(request, pk)
    changes = selectors.official_changes(request.user, run)
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    names = area_names({c.village_code for c in page} | {run.area_code})
    rows = [
        {
            "c": c,
            "area": names.get(c.village_code, ""),
            "id": mask(c.claim.person.id_number),
            "old_category": CATEGORY_NAMES.get(c.old_category, c.old_category),
            "category": CATEGORY_NAMES.get(c.new_category, c.new_category),
            "parts": [
                (
                    fen_to_yuan(getattr(c, f"old_{k}")),
                    fen_to_yuan(getattr(c, k)),
                    fen_to_yuan(getattr(c, k) - getattr(c, f"old_{k}")),
                )
                for k in PART_NAMES
            ],
        }
        for c in page
    ]
    sums = selectors.official_change_totals(changes) if run.state == "done" else {}
    totals = [(name, fen_to_yuan(sums[f"old_{k}"]), fen_to_yuan(sums[k]), fen_to_yuan(sums[k] - sums[f"old_{k}"]))
              for k, name in PART_NAMES.items()] if sums else []  # fmt: skip
    return render(request, "insurance/claims/official_run.html", {
        "run": run, "rows": rows, "page": page, "query": "", "totals": totals, "part_names": PART_NAMES.values(),
        "area_name": names.get(run.area_code, run.area_code), "fill": _trail_fill(request, official_run=run),
    })  # fmt: skip


def _trail_fill(request: HttpRequest, **owner: object) -> TrailFill | None:
    fill = selectors.latest_trail_fill(request.user, **owner)
    if fill is not None:
        trails.recover_abandoned(fill)
    return fill


@login_required
def claims_trail_fill(request: HttpRequest, pk: int) -> HttpResponse:
    """计算过程补写 progress (htmx poll while it is queued or running)."""
    fill = selectors.trail_fill(request.user, pk)
    trails.recover_abandoned(fill)
    return render(request, "insurance/claims/_trail_fill.html", {"fill": fill})


@login_required
def claims_official_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = _official_run(request, pk)
    response = render(request, "insurance/claims/_official_progress.html", {"run": run})
    if run.state in ("done", "failed") and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@login_required
def claims_official_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    run = _official_run(request, pk)
    return exports.official_changes_xlsx(request, request.user, run, unmasked=_unmasked(request))


# -- 低保/特困期间导入 ------------------------------------------------------------------------------
@login_required
def identity_upload(request: HttpRequest) -> HttpResponse:
    from . import identity_import

    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要上传的低保特困名单文件")
        else:
            try:
                identity_import.check_upload_size(upload.size)
                job = identity_import.start_import(
                    user=request.user, filename=upload.name, content=upload.read()
                )
            except reader.FileFault as exc:
                messages.error(request, str(exc))
            except PermissionDenied as exc:
                messages.error(request, str(exc) or "无权导入")
            else:
                return redirect("insurance:claims_identity_import", pk=job.pk)
    jobs = list(selectors.identity_imports(request.user).defer("content")[:30])
    return render(
        request,
        "insurance/claims/identity_upload.html",
        {"jobs": jobs, "fields": identity_import.FIELDS, "may_write": not request.user.read_only},
    )


def _identity_import(request: HttpRequest, pk: int) -> IdentityImport:
    from . import identity_import

    job = selectors.identity_import(request.user, pk)
    identity_import.recover_abandoned(job)
    return job


@login_required
def identity_import_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _identity_import(request, pk)
    page = Paginator(job.rows.select_related("person").order_by("row_no"), 100).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "r": r,
            "id": mask(r.id_number) if r.id_number else "",
            "name": r.person.name if r.person else (r.name or ""),
        }
        for r in page
    ]
    return render(
        request,
        "insurance/claims/identity_import.html",
        {
            "job": job,
            "page": page,
            "rows": rows,
            "query": "",
            "may_write": not request.user.read_only,
            "progress_url": reverse("insurance:claims_identity_progress", args=[job.pk]),
        },
    )


@login_required
def identity_import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The list's check while it runs in the background (htmx poll); reloads the page when done."""
    job = _identity_import(request, pk)
    response = render(request, "insurance/claims/_import_progress.html", {
        "job": job, "progress_url": reverse("insurance:claims_identity_progress", args=[job.pk]),
    })  # fmt: skip
    if job.state != "reading" and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@login_required
def identity_import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """Every fault of the list as xlsx: row, masked ID number, column, fault (Chinese)."""
    return exports.identity_import_errors_xlsx(request, request.user, _identity_import(request, pk))


@login_required
@require_POST
def identity_import_merge(request: HttpRequest, pk: int) -> HttpResponse:
    from . import identity_import

    job = _identity_import(request, pk)
    try:
        n = identity_import.merge(job, user=request.user, request=request)
    except identity_import.ImportRefused as exc:
        messages.error(request, str(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "无权入库")
    else:
        messages.success(request, f"已登记 {n} 段低保、特困期间；结算按每笔入院当日的身份")
    return redirect("insurance:claims_identity_import", pk=job.pk)
