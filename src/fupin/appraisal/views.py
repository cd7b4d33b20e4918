"""慢性病鉴定 pages: the township/county list of applications, the village assistant's list, a person's
appraisal, an application with its steps, rounds, the public-notice list, certificates (printable)
and the daily report. Thin: every write is a service call; refusals come back as messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Container, Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from fupin import bounds
from fupin.access.models import User
from fupin.access.scope import area_code_in_scope, area_code_of, get_scoped, require_writer
from fupin.areas.models import Area, Level
from fupin.registry.idnumber import mask
from fupin.registry.models import Person
from fupin.web import list_export
from fupin.web.list_export import Column
from fupin.web.xlsx import xlsx_response

from . import selectors, services
from .models import (
    Applicant,
    Application,
    AppraisalRound,
    Certificate,
    CertificateStatus,
    Hospital,
    NoticeWay,
    Objection,
    Stage,
)
from .rules import rules
from .selectors import Progress
from .services import AppraisalError

MAX_EXPORT = 200_000


def _today() -> dt.date:
    return timezone.localdate()


def _area(request: HttpRequest) -> str:
    code = (request.GET.get("area") or "").strip()
    return code if code.isdigit() and len(code) <= 12 else ""


def _search(request: HttpRequest) -> str:
    """The name searched for; a NUL byte (which PostgreSQL refuses in text) is dropped."""
    return (request.GET.get("q") or "").replace("\x00", "").strip()[:50]


def _choice(request: HttpRequest, key: str, allowed: Container[str]) -> str:
    value = request.GET.get(key) or ""
    return value if value in allowed else ""


def _day(request: HttpRequest, key: str = "date") -> dt.date:
    raw = (request.GET.get(key) or "").strip()
    if not raw:
        return _today()
    try:
        return bounds.parse_date(raw, "日期")
    except bounds.BoundsError as exc:
        messages.warning(request, f"{exc}；已按今天显示")
        return _today()


def _post_bool(request: HttpRequest, key: str, label: str) -> bool:
    value = request.POST.get(key, "")
    if value not in ("1", "0"):
        raise AppraisalError(f"请选择{label}")
    return value == "1"


def _hospital(request: HttpRequest) -> Hospital | None:
    raw = request.POST.get("hospital") or ""
    if not raw:
        return None
    pk = bounds.query_id(raw)
    if pk is None:
        raise AppraisalError("定点医院无效")
    return get_scoped(Hospital.objects.all(), request.user, shared=True, pk=pk)


def _act(request: HttpRequest, fn: Callable[..., object], ok: str, **kwargs) -> bool:
    """Run a service for a POST; its Chinese refusal becomes a message."""
    require_writer(request.user)
    try:
        fn(user=request.user, request=request, **kwargs)
    except AppraisalError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, ok)
    return True


def _villages(user: User) -> QuerySet[Area]:
    code = area_code_of(user)
    qs = Area.objects.filter(level=Level.VILLAGE)
    return qs.filter(code__startswith=code) if code else qs


def _named(items: Iterable[Model]) -> list[Model]:
    """Give each row its village's name (areas by name on every page), one query for the page."""
    items = list(items)
    names = dict(
        Area.objects.filter(code__in={i.village_code for i in items}).values_list("code", "name")
    )
    for i in items:
        i.village_name = names.get(i.village_code, "")
    return items


def _area_choices(user: User) -> list[tuple[str, str]]:
    """The townships and villages of the user's area, by name, for the area filter of each list."""
    code = area_code_of(user)
    qs = Area.objects.filter(level__in=[Level.TOWNSHIP, Level.VILLAGE]).order_by("code")
    if code:
        qs = qs.filter(code__startswith=code)
    return [(a.code, a.name if a.level == Level.TOWNSHIP else f"　{a.name}") for a in qs[:3000]]


def _ctx(request: HttpRequest, **extra) -> dict:
    r = rules()
    return {
        "classes": r.choices(),
        "class_names": dict(r.choices()),
        "today": _today(),
        "stages": Stage.choices,
        "area_choices": _area_choices(request.user),
        **extra,
    }


def _filter_words(chosen: dict[str, str]) -> str:
    """A list's filter in words for the audit log (“浮梁镇 · 公示中 · 姓名含 张”), never codes."""
    r = rules()
    words = {
        "area": lambda v: Area.objects.filter(code=v).values_list("name", flat=True).first() or v,
        "stage": lambda v: Stage(v).label,
        "class": r.class_name,
        "status": lambda v: CertificateStatus(v).label,
        "progress": lambda v: Progress.LABELS.get(v, v),
        "q": lambda v: f"姓名含“{v}”",
    }
    return " · ".join(str(words[k](v)) for k, v in chosen.items() if v and k in words)


# -- 鉴定申请 (township / county) -------------------------------------------------------------------
def _filtered_applications(request: HttpRequest):
    qs = selectors.applications(request.user)
    code = _area(request)
    stage = _choice(request, "stage", Stage.values)
    cls = _choice(request, "class", dict(rules().choices()))
    q = _search(request)
    if code:
        qs = qs.filter(village_code__startswith=code)
    if stage:
        qs = qs.filter(stage=stage)
    if cls:
        qs = qs.filter(chronic_class=cls)
    if q:
        qs = qs.filter(person__name__contains=q)
    query = urlencode(
        {k: v for k, v in (("area", code), ("stage", stage), ("class", cls), ("q", q)) if v}
    )
    return qs, {"area": code, "stage": stage, "class": cls, "q": q}, query


@login_required
def home(request: HttpRequest) -> HttpResponse:
    qs, chosen, query = _filtered_applications(request)
    page = Paginator(qs.order_by("-applied_on", "-id"), 50).get_page(request.GET.get("page"))
    page.object_list = _named(page.object_list)
    counts = dict(
        selectors.applications(request.user)
        .order_by()
        .values("stage")
        .annotate(n=Count("id"))
        .values_list("stage", "n")
    )
    return render(
        request,
        "appraisal/home.html",
        _ctx(
            request,
            page=page,
            chosen=chosen,
            query=query,
            counts=[(v, label, counts.get(v, 0)) for v, label in Stage.choices],
            objections=selectors.pending_objections(request.user).order_by("raised_on")[:50],
        ),
    )


def _class_name(code: str) -> str:
    return rules().class_name(code) if code else ""


@login_required
def applications_export(request: HttpRequest) -> HttpResponseBase:
    qs, chosen, _ = _filtered_applications(request)
    names = dict(_villages(request.user).values_list("code", "name"))
    rows = [
        [
            mask(a.person.id_number),
            a.person.name,
            names.get(a.village_code, ""),
            _class_name(a.chronic_class),
            a.diseases,
            a.applied_on,
            a.get_applicant_display(),
            "是" if a.home_appraisal else "否",
            a.home_reason,
            a.get_stage_display(),
            a.round.held_on if a.round else None,
            a.appraised_on,
            _class_name(a.concluded_class),
            a.concluded_diseases,
            a.refusal_reason,
            a.notice_start,
            a.notice_end,
        ]
        for a in qs.order_by("village_code", "applied_on", "id")[:MAX_EXPORT]
    ]
    header = [
        "身份证号",
        "姓名",
        "村",
        "申请类别",
        "申报病种",
        "申请日期",
        "申请方式",
        "上门鉴定",
        "上门原因",
        "状态",
        "季度鉴定日期",
        "鉴定日期",
        "鉴定类别",
        "鉴定病种",
        "不符合原因",
        "公示开始",
        "公示结束",
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename="慢性病鉴定申请.xlsx",
        unmasked=False,
        summary=f"导出慢性病鉴定申请 {_filter_words(chosen)}".strip(),
        sheets=[("鉴定申请", header, rows)],
    )


# -- 村协理员名单 -----------------------------------------------------------------------------------
def _filtered_progress(request: HttpRequest):
    qs = selectors.progress(request.user)
    code = _area(request)
    stage = _choice(request, "progress", Progress.LABELS)
    if code:
        qs = qs.filter(village_code__startswith=code)
    if stage:
        qs = qs.filter(progress=stage)
    return (
        qs,
        {"area": code, "progress": stage},
        urlencode({k: v for k, v in (("area", code), ("progress", stage)) if v}),
    )


@login_required
def persons(request: HttpRequest) -> HttpResponse:
    qs, chosen, query = _filtered_progress(request)
    base = selectors.progress(request.user)
    if chosen["area"]:
        base = base.filter(village_code__startswith=chosen["area"])
    counts = dict(
        base.order_by().values("progress").annotate(n=Count("id")).values_list("progress", "n")
    )
    page = Paginator(qs.select_related("household"), 50).get_page(request.GET.get("page"))
    page.object_list = _named(page.object_list)
    for p in page.object_list:
        p.progress_label = Progress.LABELS[p.progress]
    return render(
        request,
        "appraisal/persons.html",
        _ctx(
            request,
            page=page,
            chosen=chosen,
            query=query,
            progress_choices=Progress.CHOICES,
            counts=[(v, label, counts.get(v, 0)) for v, label in Progress.CHOICES],
            villages=_villages(request.user).order_by("code")[:1000],
            ways=NoticeWay.choices,
        ),
    )


@login_required
def persons_export(request: HttpRequest) -> HttpResponseBase:
    qs, chosen, _ = _filtered_progress(request)
    names = dict(_villages(request.user).values_list("code", "name"))
    rows = [
        [
            mask(p.id_number),
            p.name,
            names.get(p.village_code, ""),
            p.village_code,
            p.get_health_display(),
            Progress.LABELS[p.progress],
            p.notified_on,
            p.notified_by_name or "",
        ]
        for p in qs[:MAX_EXPORT]
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename="慢性病鉴定村名单.xlsx",
        unmasked=False,
        summary=f"导出慢性病鉴定村名单 {_filter_words(chosen)}".strip(),
        sheets=[
            (
                "村名单",
                ["身份证号", "姓名", "村", "村代码", "健康状况", "鉴定进度", "通知日期", "通知人"],
                rows,
            )
        ],
    )


@login_required
@require_POST
def notify_village(request: HttpRequest) -> HttpResponse:
    code = request.POST.get("village") or ""
    day = request.POST.get("day") or _today()
    require_writer(request.user)
    try:
        n = services.notify_village(
            user=request.user,
            village_code=code,
            day=day,
            way=request.POST.get("way") or NoticeWay.MEETING,
            request=request,
        )
    except AppraisalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已通知 {n} 人" if n else "该村在册扶贫对象均已通知")
    return redirect(
        reverse("appraisal:persons")
        + (f"?area={code}" if code.isdigit() and len(code) == 12 else "")
    )


# -- 个人 ------------------------------------------------------------------------------------------
@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    p = get_scoped(Person.objects.select_related("household"), request.user, pk=pk)
    return render(
        request,
        "appraisal/person.html",
        _ctx(
            request,
            p=p,
            notice=selectors.notices(request.user).filter(person=p).first(),
            applications=selectors.applications(request.user)
            .filter(person=p)
            .order_by("-applied_on", "-id"),
            certificates=selectors.certificates(request.user)
            .filter(person=p)
            .order_by("-issued_on"),
            ways=NoticeWay.choices,
            applicants=Applicant.choices,
            home_allowed=rules().home_appraisal.value,
        ),
    )


@login_required
@require_POST
def person_notify(request: HttpRequest, pk: int) -> HttpResponse:
    p = get_scoped(Person.objects.all(), request.user, pk=pk)
    _act(
        request,
        services.notify,
        "已登记鉴定通知",
        person=p,
        day=request.POST.get("day") or _today(),
        way=request.POST.get("way") or NoticeWay.VISIT,
        note=request.POST.get("note", ""),
    )
    return redirect("appraisal:person", pk=pk)


@login_required
@require_POST
def person_apply(request: HttpRequest, pk: int) -> HttpResponse:
    p = get_scoped(Person.objects.all(), request.user, pk=pk)
    require_writer(request.user)
    try:
        app = services.apply(
            user=request.user,
            person=p,
            chronic_class=request.POST.get("chronic_class", ""),
            diseases=request.POST.get("diseases", ""),
            day=request.POST.get("day") or _today(),
            applicant=request.POST.get("applicant") or Applicant.SELF,
            home_appraisal=request.POST.get("home_appraisal", "") in ("on", "1", "true"),
            home_reason=request.POST.get("home_reason", ""),
            note=request.POST.get("note", ""),
            request=request,
        )
    except AppraisalError as exc:
        messages.error(request, str(exc))
        return redirect("appraisal:person", pk=pk)
    messages.success(
        request, "已登记鉴定申请" + ("，等待季度鉴定" if app.stage == Stage.WAITING else "")
    )
    return redirect("appraisal:application", pk=app.pk)


# -- 申请：鉴定、公示、异议、发证 ----------------------------------------------------------------------
def _application(request: HttpRequest, pk: int) -> Application:
    return get_scoped(
        Application.objects.select_related("person", "round", "amends"), request.user, pk=pk
    )


@login_required
def application(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    return render(
        request,
        "appraisal/application.html",
        _ctx(
            request,
            a=app,
            objections=selectors.objections(request.user).filter(application=app),
            hospitals=selectors.hospitals(request.user),
            certificate=selectors.certificates(request.user).filter(application=app).first(),
            rounds=selectors.rounds(request.user)
            .filter(held_on__gte=app.applied_on)
            .order_by("held_on")[:20],
            open_stages=(Stage.APPLIED, Stage.WAITING),
        ),
    )


@login_required
@require_POST
def application_appraise(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    require_writer(request.user)
    try:
        approved = _post_bool(request, "approved", "鉴定结论（符合或不符合）")
        services.appraise(
            user=request.user,
            application=app,
            approved=approved,
            day=request.POST.get("day") or _today(),
            chronic_class=request.POST.get("chronic_class", ""),
            diseases=request.POST.get("diseases") or None,
            appraiser=request.POST.get("appraiser", ""),
            refusal_reason=request.POST.get("refusal_reason", ""),
            notice_start=request.POST.get("notice_start") or None,
            request=request,
        )
    except AppraisalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已登记鉴定结论")
    return redirect("appraisal:application", pk=pk)


@login_required
@require_POST
def application_round(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    require_writer(request.user)
    pk_round = bounds.query_id(request.POST.get("round") or "")
    if pk_round is None:
        messages.error(request, "请选择季度鉴定批次")
        return redirect("appraisal:application", pk=pk)
    rnd = get_scoped(AppraisalRound.objects.all(), request.user, shared=True, pk=pk_round)
    _act(request, services.assign_round, f"已编入{rnd}", application=app, appraisal_round=rnd)
    return redirect("appraisal:application", pk=pk)


@login_required
@require_POST
def application_object(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    _act(
        request,
        services.raise_objection,
        "已登记公示异议",
        application=app,
        objector=request.POST.get("objector", ""),
        content=request.POST.get("content", ""),
        day=request.POST.get("day") or _today(),
    )
    return redirect("appraisal:application", pk=pk)


@login_required
@require_POST
def application_certify(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    require_writer(request.user)
    try:
        cert = services.certify(
            user=request.user,
            application=app,
            day=request.POST.get("day") or _today(),
            hospital=_hospital(request),
            request=request,
        )
    except AppraisalError as exc:
        messages.error(request, str(exc))
        return redirect("appraisal:application", pk=pk)
    messages.success(
        request,
        f"已发证：{cert.number}"
        if cert.application_id == app.pk
        else f"已在医疗证 {cert.number} 上新增病种",
    )
    return redirect("appraisal:certificate", pk=cert.pk)


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    _act(
        request,
        services.withdraw,
        "已撤回",
        application=app,
        day=request.POST.get("day") or _today(),
        reason=request.POST.get("reason", ""),
    )
    return redirect("appraisal:application", pk=pk)


@login_required
@require_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    o = get_scoped(Objection.objects.select_related("application"), request.user, pk=pk)
    require_writer(request.user)
    try:
        services.resolve_objection(
            user=request.user,
            objection=o,
            upheld=_post_bool(request, "upheld", "异议是否成立"),
            resolution=request.POST.get("resolution", ""),
            day=request.POST.get("day") or _today(),
            request=request,
        )
    except AppraisalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已登记异议处理结果")
    return redirect("appraisal:application", pk=o.application_id)


# -- 季度鉴定批次 -----------------------------------------------------------------------------------
ROUND_COLUMNS = [
    Column("季度", lambda r: f"{r.year}年{r.get_quarter_display()}"),
    Column("鉴定日期", lambda r: r.held_on.isoformat()),
    Column("地点", lambda r: r.place),
    Column("专家/机构", lambda r: r.experts),
    Column("待鉴定", lambda r: r.waiting),
    Column("已鉴定/办结", lambda r: r.done),
]


@login_required
def rounds(request: HttpRequest) -> HttpResponse:
    qs = selectors.rounds(request.user).annotate(
        waiting=Count("applications", filter=Q(applications__stage=Stage.WAITING)),
        done=Count("applications", filter=~Q(applications__stage=Stage.WAITING)),
    )
    if list_export.wants_xlsx(request):
        return list_export.export(request, qs, title="季度鉴定批次", columns=ROUND_COLUMNS)
    code = area_code_of(request.user)
    r = rules()
    unplanned = (
        selectors.applications(request.user).filter(stage=Stage.WAITING, round__isnull=True).count()
    )
    return render(
        request,
        "appraisal/rounds.html",
        _ctx(
            request,
            rounds=qs[:200],
            may_plan=not request.user.read_only
            and code is not None
            and len(code) == services.COUNTY_DIGITS,
            unplanned=unplanned,
            quarterly=[n for c, n in r.choices() if r.quarterly(c)],
            schedule_source=r.classes.source.text(),
        ),
    )


@login_required
@require_POST
def round_new(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    try:
        rnd, joined = services.plan_round(
            user=request.user,
            held_on=request.POST.get("held_on", ""),
            place=request.POST.get("place", ""),
            experts=request.POST.get("experts", ""),
            request=request,
        )
    except AppraisalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已安排{rnd}，编入待鉴定申请 {joined} 件")
    return redirect("appraisal:rounds")


# -- 公示名单 --------------------------------------------------------------------------------------
def _notice_list(request: HttpRequest):
    day = _day(request)
    qs = selectors.in_notice(request.user, day)
    code = _area(request)
    if code:
        qs = qs.filter(village_code__startswith=code)
    return qs.order_by("village_code", "notice_start", "id"), day, code


@login_required
def notice(request: HttpRequest) -> HttpResponse:
    qs, day, code = _notice_list(request)
    rows = _named(qs[:2000])
    area_name = (
        Area.objects.filter(code=code).values_list("name", flat=True).first() if code else ""
    )
    return render(
        request,
        "appraisal/notice.html",
        _ctx(
            request,
            rows=rows,
            day=day,
            area=code,
            area_name=area_name,
            days=rules().public_notice_days,
        ),
    )


@login_required
def notice_export(request: HttpRequest) -> HttpResponseBase:
    qs, day, code = _notice_list(request)
    names = dict(_villages(request.user).values_list("code", "name"))
    rows = [
        [
            a.person.name,
            names.get(a.village_code, ""),
            _class_name(a.concluded_class),
            a.concluded_diseases,
            a.appraised_on,
            a.notice_start,
            a.notice_end,
        ]
        for a in qs[:MAX_EXPORT]
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename=f"慢性病鉴定公示名单{day:%Y%m%d}.xlsx",
        unmasked=False,
        summary=f"导出慢性病鉴定公示名单 {day:%Y-%m-%d} {_filter_words({'area': code})}".strip(),
        sheets=[
            (
                "公示名单",
                ["姓名", "村", "鉴定类别", "鉴定病种", "鉴定日期", "公示开始", "公示结束"],
                rows,
            )
        ],
    )


# -- 医疗证 ----------------------------------------------------------------------------------------
def _filtered_certificates(request: HttpRequest):
    qs = selectors.certificates(request.user)
    code = _area(request)
    cls = _choice(request, "class", dict(rules().choices()))
    status = _choice(request, "status", CertificateStatus.values)
    q = _search(request)
    if code:
        qs = qs.filter(village_code__startswith=code)
    if cls:
        qs = qs.filter(chronic_class=cls)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(person__name__contains=q) | Q(number=q))
    query = urlencode(
        {k: v for k, v in (("area", code), ("class", cls), ("status", status), ("q", q)) if v}
    )
    return qs, {"area": code, "class": cls, "status": status, "q": q}, query


@login_required
def certificates(request: HttpRequest) -> HttpResponse:
    qs, chosen, query = _filtered_certificates(request)
    page = Paginator(qs.order_by("-issued_on", "-id"), 50).get_page(request.GET.get("page"))
    page.object_list = _named(page.object_list)
    return render(
        request,
        "appraisal/certificates.html",
        _ctx(request, page=page, chosen=chosen, query=query, statuses=CertificateStatus.choices),
    )


@login_required
def certificates_export(request: HttpRequest) -> HttpResponseBase:
    qs, chosen, _ = _filtered_certificates(request)
    names = dict(_villages(request.user).values_list("code", "name"))
    rows = [
        [
            c.number,
            mask(c.person.id_number),
            c.person.name,
            names.get(c.village_code, ""),
            _class_name(c.chronic_class),
            c.diseases,
            c.valid_from,
            c.issued_on,
            c.hospital.name if c.hospital else "",
            c.get_status_display(),
            c.revoked_on,
            c.revoke_reason,
        ]
        for c in qs.order_by("village_code", "number")[:MAX_EXPORT]
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename="慢性病医疗证.xlsx",
        unmasked=False,
        summary=f"导出慢性病医疗证 {_filter_words(chosen)}".strip(),
        sheets=[
            (
                "慢性病医疗证",
                [
                    "证号",
                    "身份证号",
                    "姓名",
                    "村",
                    "类别",
                    "病种",
                    "有效期起",
                    "发证日期",
                    "定点医院",
                    "状态",
                    "注销日期",
                    "注销原因",
                ],
                rows,
            )
        ],
    )


def _certificate(request: HttpRequest, pk: int) -> Certificate:
    return get_scoped(
        Certificate.objects.select_related("person", "person__household", "hospital"),
        request.user,
        pk=pk,
    )


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    cert = _certificate(request, pk)
    return render(
        request,
        "appraisal/certificate.html",
        _ctx(
            request,
            c=cert,
            history=selectors.changes(request.user).filter(certificate=cert),
            amendments=selectors.applications(request.user)
            .filter(amends=cert)
            .order_by("-applied_on"),
            hospitals=selectors.hospitals(request.user),
        ),
    )


@login_required
def certificate_print(request: HttpRequest, pk: int) -> HttpResponse:
    cert = _certificate(request, pk)
    village = Area.objects.filter(code=cert.village_code).select_related("parent").first()
    return render(
        request,
        "appraisal/certificate_print.html",
        _ctx(
            request,
            c=cert,
            village=village,
            history=selectors.changes(request.user).filter(certificate=cert),
        ),
    )


@login_required
@require_POST
def certificate_hospital(request: HttpRequest, pk: int) -> HttpResponse:
    cert = _certificate(request, pk)
    require_writer(request.user)
    try:
        hospital = _hospital(request)
        if hospital is None:
            raise AppraisalError("请选择定点医院")
        services.choose_hospital(
            user=request.user,
            certificate=cert,
            hospital=hospital,
            day=request.POST.get("day") or _today(),
            request=request,
        )
    except AppraisalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已选定定点医院")
    return redirect("appraisal:certificate", pk=pk)


@login_required
@require_POST
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    cert = _certificate(request, pk)
    _act(
        request,
        services.revoke,
        "已注销",
        certificate=cert,
        reason=request.POST.get("reason", ""),
        day=request.POST.get("day") or _today(),
    )
    return redirect("appraisal:certificate", pk=pk)


# -- 鉴定日报 --------------------------------------------------------------------------------------
def _report(request: HttpRequest):
    day = _day(request)
    own = area_code_of(request.user) or ""
    code = _area(request) or own
    if (
        not code
        or not area_code_in_scope(request.user, code)
        or not Area.objects.filter(code=code).exists()
    ):
        if code and code != own:
            messages.warning(request, "所选区划不在本辖区，已显示本辖区")
        code = (
            own
            or Area.objects.filter(level=Level.COUNTY).values_list("code", flat=True).first()
            or ""
        )
    if not code:
        raise PermissionDenied("没有可显示的辖区")
    rows, total = selectors.daily_report(request.user, day, code)
    return day, code, rows, total


@login_required
def report(request: HttpRequest) -> HttpResponse:
    day, code, rows, total = _report(request)
    area = Area.objects.get(code=code)
    towns = (
        Area.objects.filter(parent__code=code, level=Level.TOWNSHIP)
        if area.level == Level.COUNTY
        else []
    )
    own = area_code_of(request.user)
    return render(
        request,
        "appraisal/report.html",
        _ctx(
            request,
            day=day,
            area=area,
            rows=rows,
            total=total,
            columns=selectors.REPORT_COLUMNS,
            towns=towns,
            query=urlencode({"date": day.isoformat(), "area": code}),
            submissions=selectors.submissions(request.user, day),
            may_submit=not request.user.read_only
            and own is not None
            and Area.objects.filter(code=own, level=Level.TOWNSHIP).exists(),
        ),
    )


@login_required
@require_POST
def report_submit(request: HttpRequest) -> HttpResponse:
    day = request.POST.get("day") or _today()
    _act(
        request,
        services.submit_report,
        "已报送鉴定日报",
        day=day,
        note=request.POST.get("note", ""),
    )
    return redirect(
        reverse("appraisal:report")
        + (f"?date={day}" if isinstance(day, str) and len(day) <= 10 else "")
    )


@login_required
def report_export(request: HttpRequest) -> HttpResponseBase:
    day, code, rows, total = _report(request)
    name = Area.objects.get(code=code).name
    header = ["区划", *[label for _, label in selectors.REPORT_COLUMNS]]
    body = [[r["name"], *[r[k] for k, _ in selectors.REPORT_COLUMNS]] for r in [*rows, total]]
    return xlsx_response(
        user=request.user,
        request=request,
        filename=f"慢性病鉴定日报{day:%Y%m%d}.xlsx",
        unmasked=False,
        summary=f"导出慢性病鉴定日报 {name} {day:%Y-%m-%d}",
        sheets=[(f"{name}{day:%m月%d日}", header, body)],
    )
