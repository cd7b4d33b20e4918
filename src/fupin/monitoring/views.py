"""防止返贫监测 pages: the dashboard per township, the lists (filtered, exported), one household
with every step of its workflow, hand-entered alerts and households, the nightly run."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from fupin.access.scope import area_code_in_scope, get_scoped, home_area_code, require_writer
from fupin.areas.models import Area, Level
from fupin.policy.params import fen_to_yuan
from fupin.registry.idnumber import mask
from fupin.registry.models import Household, Person
from fupin.web.xlsx import xlsx_response

from . import forms, selectors, services
from .models import Category, MonitoredHousehold, MonitoringRun, Signal, Stage
from .rules import rules

MAX_EXPORT = 200_000


def _area(request: HttpRequest) -> str:
    code = (request.GET.get("area") or "").strip()
    return (
        code
        if code.isdigit() and len(code) <= 12 and area_code_in_scope(request.user, code)
        else ""
    )


def _choice(request: HttpRequest, name: str, values: Collection[str]) -> str:
    value = request.GET.get(name) or ""
    return value if value in values else ""


def _filtered_households(request: HttpRequest):
    """The monitored households as filtered on the page, and the filter as a query string (the
    export takes the same)."""
    day = timezone.localdate()
    qs = selectors.households(request.user)
    f = {
        "area": _area(request),
        "stage": _choice(request, "stage", Stage.values),
        "category": _choice(request, "category", Category.values),
        "signal": _choice(request, "signal", Signal.values),
        "overdue": _choice(request, "overdue", ("alert", "check", "review")),
        "q": (request.GET.get("q") or "").strip()[:50],
    }
    if f["area"]:
        qs = qs.filter(village_code__startswith=f["area"])
    if f["stage"]:
        qs = qs.filter(stage=f["stage"])
    if f["category"]:
        qs = qs.filter(category=f["category"])
    if f["signal"]:
        qs = qs.filter(
            pk__in=selectors.alerts(request.user).filter(signal=f["signal"]).values("monitored_id")
        )
    if f["overdue"] == "alert":
        qs = selectors.overdue_alerts(qs, day)
    elif f["overdue"] == "check":
        qs = selectors.overdue_checks(qs, day)
    elif f["overdue"] == "review":
        qs = selectors.overdue_reviews(qs, day, services.quarter_of(day))
    if f["q"]:
        qs = qs.filter(head_name__contains=f["q"])
    return qs, f, urlencode({k: v for k, v in f.items() if v})


def _filtered_alerts(request: HttpRequest):
    qs = selectors.alerts(request.user)
    f = {
        "area": _area(request),
        "signal": _choice(request, "signal", Signal.values),
        "decided": _choice(request, "decided", ("yes", "no")),
    }
    if f["area"]:
        qs = qs.filter(village_code__startswith=f["area"])
    if f["signal"]:
        qs = qs.filter(signal=f["signal"])
    if f["decided"]:
        qs = qs.filter(decision__isnull=f["decided"] == "no")
    return qs, f, urlencode({k: v for k, v in f.items() if v})


def _filter_context(request: HttpRequest) -> dict:
    own = home_area_code(request.user)
    towns = (
        Area.objects.filter(level=Level.TOWNSHIP, code__startswith=own[:9]).order_by("code")
        if len(own) <= 9
        else Area.objects.none()
    )
    return {
        "towns": towns,
        "stages": Stage.choices,
        "categories": Category.choices,
        "signals": Signal.choices,
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    day = timezone.localdate()
    runs = list(selectors.runs(request.user)[:5])
    for run in runs:
        services.recover_abandoned(run)
    r = rules()
    return render(
        request,
        "monitoring/home.html",
        {
            "rows": selectors.by_township(request.user, day),
            "stages": Stage.choices,
            "day": day,
            "runs": runs,
            "quarter": services.quarter_of(day),
            "r": r,
            "line": fen_to_yuan(r.income_line.value),
        },
    )


@login_required
def households(request: HttpRequest) -> HttpResponse:
    qs, f, query = _filtered_households(request)
    page = Paginator(qs.order_by("check_due", "id"), 50).get_page(request.GET.get("page"))
    names = selectors.place_names(m.village_code for m in page)
    for m in page:
        m.place = names.get(m.village_code, "")
    return render(
        request,
        "monitoring/households.html",
        {"page": page, "f": f, "query": query, **_filter_context(request)},
    )


@login_required
def households_export(request: HttpRequest) -> HttpResponseBase:
    qs, _, query = _filtered_households(request)
    rows_qs = list(qs.order_by("village_code", "id")[:MAX_EXPORT])
    names = selectors.place_names(m.village_code for m in rows_qs)
    rows = [
        [
            m.head_name,
            mask(m.head_id_number) if m.head_id_number else "",
            names.get(m.village_code, ""),
            m.get_category_display(),
            m.get_stage_display(),
            m.get_origin_display(),
            "、".join(m.risk_type_labels),
            m.member_count,
            fen_to_yuan(m.income_per_capita_fen) if m.income_per_capita_fen is not None else "",
            m.alerted_on,
            m.check_due,
            m.decision_due or "",
            m.identified_on or "",
            m.removed_on or "",
        ]
        for m in rows_qs
    ]
    header = [
        "户主",
        "户主身份证号",
        "所在村",
        "监测类别",
        "阶段",
        "来源",
        "风险类型",
        "家庭人口",
        "人均纯收入(元)",
        "预警日期",
        "核查期限",
        "认定期限",
        "纳入监测日期",
        "风险消除日期",
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename="防止返贫监测对象.xlsx",
        unmasked=False,
        summary=f"导出防止返贫监测对象 {query}".strip(),
        sheets=[("监测对象", header, rows)],
    )


@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    qs, f, query = _filtered_alerts(request)
    page = Paginator(qs.order_by("-raised_on", "-id"), 50).get_page(request.GET.get("page"))
    names = selectors.place_names(a.village_code for a in page)
    for a in page:
        a.place = names.get(a.village_code, "")
    return render(
        request,
        "monitoring/alerts.html",
        {"page": page, "f": f, "query": query, **_filter_context(request)},
    )


@login_required
def alerts_export(request: HttpRequest) -> HttpResponseBase:
    qs, _, query = _filtered_alerts(request)
    items = list(qs.order_by("village_code", "raised_on", "id")[:MAX_EXPORT])
    names = selectors.place_names(a.village_code for a in items)
    rows = [
        [
            a.monitored.head_name,
            names.get(a.village_code, ""),
            a.get_signal_display(),
            a.person.name if a.person else "",
            a.data_text,
            a.rule_text,
            a.source,
            a.raised_on,
            "已认定" if a.decision_id else "待认定",
        ]
        for a in items
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename="防止返贫预警.xlsx",
        unmasked=False,
        summary=f"导出防止返贫预警 {query}".strip(),
        sheets=[
            (
                "预警",
                ["户主", "所在村", "信号", "涉及人员", "数据", "规则", "出处", "预警日期", "认定"],
                rows,
            )
        ],
    )


def _monitored(request: HttpRequest, pk: int) -> MonitoredHousehold:
    return get_scoped(MonitoredHousehold.objects.select_related("household"), request.user, pk=pk)


@login_required
def household(request: HttpRequest, pk: int, forms_in: dict | None = None) -> HttpResponse:
    m = _monitored(request, pk)
    day = timezone.localdate()
    open_signals = sorted(
        set(m.alerts.filter(decision__isnull=True).values_list("signal", flat=True))
    )
    ctx = {
        "m": m,
        "place": selectors.place_names([m.village_code]).get(m.village_code, ""),
        "alerts": m.alerts.select_related("person", "decision").order_by("-raised_on", "-id"),
        "checks": m.checks.select_related("checked_by"),
        "decisions": m.decisions.select_related("decided_by"),
        "measures": m.measures.select_related("person", "recorded_by"),
        "reviews": m.reviews.select_related("reviewed_by"),
        "history": m.history.select_related("changed_by").order_by("day", "id"),
        "check_form": forms.CheckForm(),
        "measure_form": forms.MeasureForm(),
        "review_form": forms.ReviewForm(),
        "decision_form": forms.DecisionForm(
            initial={"category": m.category, "risk_types": open_signals}
        ),
        "remove_form": forms.RemoveForm(),
        "refusal": services.removal_refusal(m, day)
        if m.stage in (Stage.MONITORED, Stage.ASSISTING)
        else "",
        "checkers": {c.checked_by_id for c in m.checks.all()},
        "writer": not request.user.read_only,
        "quarter": services.quarter_of(day),
    }
    ctx.update(forms_in or {})
    return render(request, "monitoring/household.html", ctx)


STEPS = {
    "check": (forms.CheckForm, "check_form", services.record_check, "已记录入户核查"),
    "decide": (forms.DecisionForm, "decision_form", services.decide, "已记录认定结论"),
    "measure": (
        forms.MeasureForm,
        "measure_form",
        services.add_measure,
        "已登记帮扶措施，并写入帮扶台账",
    ),
    "review": (forms.ReviewForm, "review_form", services.add_review, "已记录季度回访"),
    "remove": (forms.RemoveForm, "remove_form", services.remove_risk, "已标注风险消除"),
}


@login_required
@require_POST
def step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in STEPS:
        return redirect("monitoring:household", pk=pk)
    form_class, name, service, done = STEPS[action]
    m = _monitored(request, pk)
    require_writer(request.user)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(user=request.user, monitored=m, request=request, **form.cleaned_data)
        except (services.WorkflowError, PermissionDenied) as exc:
            messages.error(request, str(exc))
            return household(request, pk, {name: form})
        messages.success(request, done)
        return redirect("monitoring:household", pk=pk)
    messages.error(request, "请按提示更正后再提交")
    return household(request, pk, {name: form})


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a disaster or a township's finding for a registry household (pk: the household)."""
    hh = get_scoped(Household.objects.all(), request.user, pk=pk)
    form = forms.EventForm(request.POST or None)
    if request.method == "POST":
        require_writer(request.user)
        if form.is_valid():
            try:
                alert = services.report_event(
                    user=request.user, household=hh, request=request, **form.cleaned_data
                )
            except (services.WorkflowError, PermissionDenied) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "已登记预警，待入户核查")
                return redirect("monitoring:household", pk=alert.monitored_id)
    return render(request, "monitoring/report.html", {"hh": hh, "form": form})


@login_required
def enter(request: HttpRequest) -> HttpResponse:
    """A household not on the poverty list (边缘易致贫户、突发严重困难户), entered by a township."""
    own = home_area_code(request.user)
    villages = Area.objects.filter(level=Level.VILLAGE, code__startswith=own).order_by("code")
    form = forms.EnterForm(request.POST or None)
    if request.method == "POST":
        require_writer(request.user)
        if form.is_valid():
            try:
                m = services.enter_household(
                    user=request.user, request=request, **form.cleaned_data
                )
            except (services.WorkflowError, PermissionDenied) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "已录入监测对象，待入户核查")
                return redirect("monitoring:household", pk=m.pk)
    return _enter_page(request, form, villages)


def _enter_page(
    request: HttpRequest,
    form: forms.EnterForm,
    villages: Iterable[Area],
    faults: list[str] | None = None,
) -> HttpResponse:
    names = selectors.area_names({v.code[:9] for v in villages})
    return render(
        request,
        "monitoring/enter.html",
        {
            "form": form,
            "faults": faults or [],
            "villages": [(v.code, f"{names.get(v.code[:9], '')} {v.name}") for v in villages],
        },
    )


@login_required
@require_POST
def import_civil(request: HttpRequest) -> HttpResponse:
    """民政部门导入: an xlsx or CSV of households off the list, all or nothing."""
    from . import civil

    require_writer(request.user)
    upload = request.FILES.get("file")
    own = home_area_code(request.user)
    villages = Area.objects.filter(level=Level.VILLAGE, code__startswith=own).order_by("code")
    if upload is None:
        return _enter_page(
            request, forms.EnterForm(), villages, ["请选择要导入的文件（xlsx 或 csv）"]
        )
    if upload.size > 20 * 1024 * 1024:
        return _enter_page(
            request, forms.EnterForm(), villages, ["文件超过 20 MB，请分成几个文件导入"]
        )
    try:
        n = civil.import_file(
            user=request.user,
            data=upload.read(),
            filename=upload.name[:100],
            day=timezone.localdate(),
            request=request,
        )
    except civil.ImportRefused as exc:
        return _enter_page(request, forms.EnterForm(), villages, exc.faults)
    messages.success(request, f"已从民政部门名单导入 {n} 户监测对象，均待入户核查")
    return redirect(f"{reverse('monitoring:households')}?stage=alert")


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    try:
        run = services.start_run(user=request.user, request=request)
    except (services.WorkflowError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return redirect("monitoring:home")
    return redirect("monitoring:run", pk=run.pk)


def _run(request: HttpRequest, pk: int) -> MonitoringRun:
    run = get_scoped(MonitoringRun.objects.all(), request.user, pk=pk)
    services.recover_abandoned(run)
    return run


@login_required
def run(request: HttpRequest, pk: int) -> HttpResponse:
    r = _run(request, pk)
    towns = selectors.area_names(r.by_township)
    summary = [
        (
            towns.get(code, "（未知乡镇）"),
            [(str(Signal(s).label), n) for s, n in sorted(counts.items()) if s in Signal.values],
        )
        for code, counts in sorted(r.by_township.items())
    ]
    hits = [(label, r.hits.get(name, 0)) for name, label in services.nightly.Signals.STEPS]
    return render(request, "monitoring/run.html", {"run": r, "summary": summary, "hits": hits})


@login_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "monitoring/_run_progress.html", {"run": _run(request, pk)})


def person_section(request: HttpRequest, person: Person) -> str:
    """The person page: the household's monitoring stage, alerts and measures (防止返贫监测)."""
    from django.template.loader import render_to_string

    m = selectors.households(request.user).filter(household_id=person.household_id).first()
    if m is None:
        return ""
    return render_to_string(
        "monitoring/_person_section.html",
        {
            "m": m,
            "alerts": m.alerts.order_by("-raised_on", "-id")[:10],
            "measures": m.measures.all()[:10],
        },
        request=request,
    )
