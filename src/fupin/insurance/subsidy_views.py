"""社保扶贫代缴 pages: runs (start, progress, result), the lists (代缴 / 补缴 / 提前领取 / 增减) with
filters and xlsx export of the filtered set, 应保尽保 coverage per township. Thin over selectors
(reads, scoped) and services (writes)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render

from fupin.access.models import User
from fupin.access.scope import scoped
from fupin.areas.names import known_names as area_names
from fupin.bounds import query_year
from fupin.policy.params import fen_to_yuan
from fupin.registry.idnumber import mask
from fupin.web.xlsx import xlsx_response

from . import selectors, services
from .models import (
    Change,
    Outcome,
    PensionRecord,
    Reason,
    Scheme,
    SubsidyChange,
    SubsidyEntry,
    SubsidyRun,
)
from .rules import GROUP_NAMES, INSURANCE_NAMES, OUTCOME_LABELS

EXPORT_LIMIT = 1_100_000


def _which(request: HttpRequest) -> tuple[int, str, str]:
    """年度、险种、名单 from the query; unknown values fall back to the defaults (2018 when no run exists)."""
    latest = (
        selectors.runs(request.user).filter(state="done").values_list("year", flat=True).first()
    )
    year = query_year(request.GET.get("year"), latest or 2018)
    insurance = request.GET.get("insurance", "")
    insurance = insurance if insurance in INSURANCE_NAMES else "medical"
    scheme = request.GET.get("scheme", "")
    scheme = (
        scheme
        if scheme in Scheme.values and (insurance == "pension" or scheme == "premium")
        else "premium"
    )
    return year, insurance, scheme


def _unmasked(request: HttpRequest) -> bool:
    unmasked = request.GET.get("unmasked") == "1"
    if unmasked and not request.user.may_unmask:
        raise PermissionDenied("无权导出完整身份证号")
    return unmasked


def _rule_name(entry: SubsidyEntry, rules_by_run: dict) -> str:
    rules = rules_by_run.get(entry.run_id) or entry.run.rules
    rules_by_run[entry.run_id] = rules
    info = rules.get(entry.rule) or {}
    return info.get("name") or GROUP_NAMES.get(entry.rule, "")


@login_required
def subsidy_home(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("action") == "sync":
        try:
            counts = services.sync_from_extract(
                user=request.user,
                year=services.parse_year(request.POST.get("year")),
                request=request,
            )
        except services.InsuranceError as exc:
            messages.error(request, str(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "无权更新参保记录")
        else:
            messages.success(
                request,
                f"已按参保数据更新参保记录：养老保险 {counts['pension']} 人，医疗保险 {counts['medical']} 人",
            )
        return redirect("insurance:subsidy_home")
    if request.method == "POST":
        try:
            year = services.parse_year(request.POST.get("year"))
            insurance = services.parse_insurance(request.POST.get("insurance"))
            run = services.start_run(
                user=request.user, year=year, insurance=insurance, request=request
            )
        except services.InsuranceError as exc:
            messages.error(request, str(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "无权发起计算")
        else:
            return redirect("insurance:subsidy_run", pk=run.pk)
    runs = list(selectors.runs(request.user)[:50])
    for r in runs:
        services.recover_abandoned(r)
    names = area_names([r.area_code for r in runs if len(r.area_code) == 12])
    from fupin.areas.models import Area

    names.update(
        dict(Area.objects.filter(code__in=[r.area_code for r in runs]).values_list("code", "name"))
    )
    for r in runs:
        r.scope_name = names.get(r.area_code, "全县") if r.area_code else "全部"
        r.pack_name = pack_name(r.pack_id)
    return render(
        request,
        "insurance/subsidy_home.html",
        {
            "runs": runs,
            "insurances": list(INSURANCE_NAMES.items()),
            "may_write": not request.user.read_only,
            "year": query_year(request.GET.get("year"), 2018),
        },
    )


def pack_name(pack_id: str) -> str:
    from fupin.policy.packs import PackError, load_pack

    try:
        return load_pack(pack_id).name
    except PackError:
        return "（政策包已不存在）"


def _summary(run: SubsidyRun) -> list[dict]:
    out = []
    for scheme, s in (run.counts.get("by_scheme") or {}).items():
        out.append(
            {
                "scheme": scheme,
                "name": Scheme(scheme).label,
                "entitled": s["entitled"],
                "excluded": s["excluded"],
                "amount": fen_to_yuan(s["amount_fen"]),
                "rules": [
                    (run.rules.get(k, {}).get("name") or GROUP_NAMES.get(k, "其他"), n)
                    for k, n in sorted(s["rules"].items())
                ],
                "reasons": [
                    (Reason(k).label if k in Reason.values else "其他", k, n)
                    for k, n in sorted(s["reasons"].items(), key=lambda kv: -kv[1])
                ],
            }
        )
    return out


@login_required
def subsidy_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.run(request.user, pk)
    services.recover_abandoned(run)
    rules = [
        {
            "name": v.get("name", ""),
            "amount": fen_to_yuan(v.get("amount_fen", 0)),
            "rule": v.get("rule", ""),
            "source": v.get("source", ""),
        }
        for v in run.rules.values()
    ]
    return render(
        request,
        "insurance/subsidy_run.html",
        {
            "run": run,
            "summary": _summary(run),
            "rules": rules,
            "pack_name": pack_name(run.pack_id),
            "insurance_name": INSURANCE_NAMES[run.insurance],
        },
    )


@login_required
def subsidy_run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.run(request.user, pk)
    services.recover_abandoned(run)
    response = render(request, "insurance/_run_progress.html", {"run": run})
    if run.finished and request.htmx:
        response["HX-Refresh"] = "true"
    return response


def _list_filters(request: HttpRequest) -> dict:
    outcome = request.GET.get("outcome", "")
    reason = request.GET.get("reason", "")
    town = request.GET.get("town", "")
    return {
        "outcome": outcome if outcome in Outcome.values else "",
        "reason": reason if reason in Reason.values else "",
        "town": town if town.isdigit() and len(town) == 9 else "",
    }


@login_required
def subsidy_list(request: HttpRequest) -> HttpResponse:
    year, insurance, scheme = _which(request)
    f = _list_filters(request)
    qs = selectors.entries(
        request.user, year=year, insurance=insurance, scheme=scheme, **f
    ).order_by("village_code", "person_id")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    names = area_names({e.village_code for e in page})
    cache: dict = {}
    labels = OUTCOME_LABELS[scheme]
    chosen = _chosen_tiers(request.user, insurance, scheme, year, [e.person_id for e in page])
    rows = [
        {
            "e": e,
            "area": names.get(e.village_code, ""),
            "id": mask(e.person.id_number),
            "outcome": labels[e.outcome],
            "rule": _rule_name(e, cache) if e.outcome == "entitled" else "",
            "reason": e.get_reason_display(),
            "amount": fen_to_yuan(e.amount_fen),
            "chosen": fen_to_yuan(chosen[e.person_id]) if e.person_id in chosen else "",
        }
        for e in page
    ]
    return render(
        request,
        "insurance/subsidy_list.html",
        {
            "year": year,
            "insurance": insurance,
            "scheme": scheme,
            "insurance_name": INSURANCE_NAMES[insurance],
            "scheme_name": Scheme(scheme).label,
            "page": page,
            "rows": rows,
            "filters": f,
            "reasons": Reason.choices,
            "outcomes": list(labels.items()),
            "towns": selectors.townships(request.user),
            "query": request.GET.urlencode(),
            "shows_chosen": _shows_chosen(insurance, scheme),
        },
    )


def _shows_chosen(insurance: str, scheme: str) -> bool:
    return insurance == "pension" and scheme == Scheme.PREMIUM


def _chosen_tiers(
    user: User, insurance: str, scheme: str, year: int, person_ids: list[int]
) -> dict[int, int]:
    """居民选定缴费档次 of that year (the portal's request, done by the township) for the persons on a
    pension 代缴 list: shown beside the row; the government still pays the amount on the row (the
    minimum tier), the resident pays the difference."""
    if not _shows_chosen(insurance, scheme):
        return {}
    return dict(
        scoped(PensionRecord.objects.all(), user)
        .filter(person_id__in=person_ids, chosen_year=year, chosen_tier_fen__isnull=False)
        .values_list("person_id", "chosen_tier_fen")
    )


@login_required
def subsidy_export(request: HttpRequest) -> HttpResponseBase:
    year, insurance, scheme = _which(request)
    unmasked = _unmasked(request)
    show = (lambda v: v) if unmasked else mask
    f = _list_filters(request)
    qs = selectors.entries(
        request.user, year=year, insurance=insurance, scheme=scheme, **f
    ).order_by("village_code", "person_id")
    found = list(qs[:EXPORT_LIMIT].iterator(chunk_size=5000))
    names = area_names({e.village_code for e in found})
    chosen: dict[int, int] = {}
    ids = [e.person_id for e in found]
    for i in range(0, len(ids), 5000):
        chosen.update(_chosen_tiers(request.user, insurance, scheme, year, ids[i : i + 5000]))
    cache: dict = {}
    labels = OUTCOME_LABELS[scheme]
    rows = []
    for e in found:
        info = (
            (cache.get(e.run_id) or e.run.rules).get(e.rule, {}) if e.outcome == "entitled" else {}
        )
        cache.setdefault(e.run_id, e.run.rules)
        rows.append(
            [
                names.get(e.village_code, ""),
                show(e.person.id_number),
                e.person.name,
                labels[e.outcome],
                info.get("name", ""),
                e.get_reason_display(),
                e.years or "",
                e.amount_fen / 100,
                info.get("rule", ""),
                info.get("source", ""),
            ]
            + (
                [chosen[e.person_id] / 100 if e.person_id in chosen else ""]
                if _shows_chosen(insurance, scheme)
                else []
            )
        )
    title = f"{year}年度{INSURANCE_NAMES[insurance]}{Scheme(scheme).label}"
    return xlsx_response(
        user=request.user,
        request=request,
        filename=f"{title}.xlsx",
        unmasked=unmasked,
        summary=f"导出{title}名单 {len(rows)} 行",
        sheets=[
            (
                Scheme(scheme).label,
                [
                    "区划",
                    "身份证号",
                    "姓名",
                    "结果",
                    "适用规则",
                    "不列入原因",
                    "补缴年数",
                    "金额(元)",
                    "规则编号",
                    "出处",
                ]
                + (["居民选定档次(元)"] if _shows_chosen(insurance, scheme) else []),
                rows,
            )
        ],
    )


@login_required
def subsidy_changes(request: HttpRequest) -> HttpResponseBase:
    year, insurance, _ = _which(request)
    change = request.GET.get("change", "")
    town = request.GET.get("town", "")
    qs = selectors.changes(
        request.user, year=year, insurance=insurance, change=change, town=town
    ).order_by("change", "village_code", "person_id")
    export = request.GET.get("export") == "xlsx"
    if export:
        unmasked = _unmasked(request)
        show = (lambda v: v) if unmasked else mask
        found = list(qs[:EXPORT_LIMIT].iterator(chunk_size=5000))
    else:
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        found, show = list(page), mask
    names = area_names({c.village_code for c in found})
    rows = [
        [
            names.get(c.village_code, ""),
            show(c.person.id_number),
            c.person.name,
            c.get_change_display(),
            _change_reason(c),
        ]
        for c in found
    ]
    title = f"{year}年度{INSURANCE_NAMES[insurance]}代缴名单增减"
    if export:
        return xlsx_response(
            user=request.user,
            request=request,
            filename=f"{title}.xlsx",
            unmasked=unmasked,
            summary=f"导出{title} {len(rows)} 行",
            sheets=[("增减", ["区划", "身份证号", "姓名", "增减", "原因"], rows)],
        )
    return render(
        request,
        "insurance/subsidy_changes.html",
        {
            "title": title,
            "rows": rows,
            "page": page,
            "year": year,
            "insurance": insurance,
            "change": change,
            "town": town,
            "changes": Change.choices,
            "towns": selectors.townships(request.user),
            "query": request.GET.urlencode(),
        },
    )


def _change_reason(c: SubsidyChange) -> str:
    if c.change == "added":
        group = GROUP_NAMES.get(c.detail, "")
        before = (
            f"上年：{Reason(c.reason).label}" if c.reason in Reason.values else "上年未在名单中"
        )
        return f"{group}（{before}）" if group else before
    return Reason(c.reason).label if c.reason in Reason.values else "本年度已不在本辖区名单中"


@login_required
def coverage(request: HttpRequest) -> HttpResponseBase:
    year = query_year(request.GET.get("year"), 2018)
    insurance = request.GET.get("insurance", "medical")
    insurance = insurance if insurance in INSURANCE_NAMES else "medical"
    gap = request.GET.get("gap", "")
    town = request.GET.get("town", "")
    town = town if town.isdigit() and len(town) == 9 else ""
    people = selectors.gaps(
        request.user, year=year, insurance=insurance, gap=gap, town=town
    ).order_by("village_code", "id")
    title = f"{year}年度{INSURANCE_NAMES[insurance]}应保尽保"
    if request.GET.get("export") == "xlsx":
        unmasked = _unmasked(request)
        show = (lambda v: v) if unmasked else mask
        found = list(people[:EXPORT_LIMIT].iterator(chunk_size=5000))
        names = area_names({p.village_code for p in found})
        rows = [
            [
                names.get(p.village_code, ""),
                show(p.id_number),
                p.name,
                p.get_status_display(),
                selectors.gap_of(p),
            ]
            for p in found
        ]
        towns = [
            [
                t["name"],
                t["people"],
                t["enrolled_n"],
                t["entitled_n"],
                t["subsidised_n"],
                *[t[f"gap_{g}"] for g in selectors.GAPS],
            ]
            for t in selectors.coverage(request.user, year=year, insurance=insurance)
        ]
        return xlsx_response(
            user=request.user,
            request=request,
            filename=f"{title}.xlsx",
            unmasked=unmasked,
            summary=f"导出{title}缺口 {len(rows)} 行",
            sheets=[
                (
                    "乡镇汇总",
                    ["乡镇", "人数", "已参保", "应代缴", "已代缴", *selectors.GAPS.values()],
                    towns,
                ),
                ("缺口名单", ["区划", "身份证号", "姓名", "状态", "缺口原因"], rows),
            ],
        )
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    names = area_names({p.village_code for p in page})
    rows = [
        {
            "area": names.get(p.village_code, ""),
            "id": mask(p.id_number),
            "p": p,
            "gap": selectors.gap_of(p),
        }
        for p in page
    ]
    return render(
        request,
        "insurance/coverage.html",
        {
            "title": title,
            "year": year,
            "insurance": insurance,
            "insurances": list(INSURANCE_NAMES.items()),
            "towns_table": selectors.coverage(request.user, year=year, insurance=insurance),
            "gaps": list(selectors.GAPS.items()),
            "gap": gap,
            "town": town,
            "towns": selectors.townships(request.user),
            "rows": rows,
            "page": page,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def person_records(request: HttpRequest, pk: int) -> HttpResponse:
    """修改参保记录: a person's pension record and a year's medical enrolment, each change with its reason."""
    from fupin.access.scope import get_scoped
    from fupin.registry.models import Person

    from .forms import MedicalForm, PensionForm
    from .sections import person_section

    person = get_scoped(Person.objects.select_related("household"), request.user, pk=pk)
    rec = selectors.person_records(request.user, person)["pension"]
    initial = (
        {
            "status": rec.status,
            "tier": fen_to_yuan(rec.tier_fen) if rec.tier_fen is not None else "",
            "paid_year": rec.paid_year,
            "paid_by": rec.paid_by,
            "years_paid": rec.years_paid,
            "drawing_since": rec.drawing_since,
            "monthly": fen_to_yuan(rec.monthly_amount_fen)
            if rec.monthly_amount_fen is not None
            else "",
        }
        if rec
        else {"years_paid": 0}
    )
    pension_form, medical_form = (
        PensionForm(initial=initial, prefix="p"),
        MedicalForm(prefix="m", initial={"year": query_year(None, 2018)}),
    )
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "pension":
                pension_form = PensionForm(request.POST, prefix="p")
                if pension_form.is_valid():
                    d = pension_form.cleaned_data
                    services.update_pension(
                        user=request.user,
                        person=person,
                        reason=d["reason"],
                        request=request,
                        status=d["status"],
                        tier_fen=d["tier"],
                        paid_year=d["paid_year"],
                        paid_by=d["paid_by"] or "",
                        years_paid=d["years_paid"],
                        drawing_since=d["drawing_since"],
                        monthly_amount_fen=d["monthly"],
                    )
                    messages.success(request, "养老保险参保记录已保存")
                    return redirect("insurance:person_records", pk=person.pk)
            elif which == "medical":
                medical_form = MedicalForm(request.POST, prefix="m")
                if medical_form.is_valid():
                    d = medical_form.cleaned_data
                    changes = {"paid_by": d["paid_by"] or ""}
                    if d["enrolled_on"] is not None:
                        changes["enrolled_on"] = d["enrolled_on"]
                    services.update_medical(
                        user=request.user,
                        person=person,
                        year=d["year"],
                        reason=d["reason"],
                        request=request,
                        **changes,
                    )
                    messages.success(request, f"{d['year']} 年度医疗保险参保已保存")
                    return redirect("insurance:person_records", pk=person.pk)
        except services.InsuranceError as exc:
            messages.error(request, str(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "无权修改")
    return render(
        request,
        "insurance/person_records.html",
        {
            "p": person,
            "pension_form": pension_form,
            "medical_form": medical_form,
            "section": person_section(request, person),
            "may_write": not request.user.read_only,
        },
    )
