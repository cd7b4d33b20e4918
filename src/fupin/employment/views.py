"""就业帮扶 pages: thin views over selectors (reads) and services (writes)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from fupin import bounds
from fupin.access.scope import (
    area_code_in_scope,
    get_scoped,
    home_area_code,
    require_writer,
    scoped,
    shared_readable,
)
from fupin.areas.lookup import AreaNotFound
from fupin.areas.models import Area
from fupin.areas.names import own_code
from fupin.policy.employment import default_pack_id, rules
from fupin.policy.params import fen_to_yuan
from fupin.registry.idnumber import mask
from fupin.registry.models import Person
from fupin.registry.selectors import find_person
from fupin.web.list_export import Column, export, wants_xlsx
from fupin.web.picker import AreaPickerWidget, OutOfArea, parse_area
from fupin.web.xlsx import xlsx_response

from . import selectors, services
from .forms import EmployerForm, FairForm, PostingForm, VisitForm
from .models import (
    Employer,
    EmploymentCheck,
    FairOutcome,
    JobFair,
    Occupation,
    Posting,
    RecommendationBatch,
    Referral,
    ReferralStatus,
)
from .recommend import eligible, recover_abandoned


def _today(request: HttpRequest) -> dt.date:
    return timezone.localdate()


def _page(request: HttpRequest, qs: QuerySet | list, per: int = 50) -> Page:
    return Paginator(qs, per).get_page(request.GET.get("page"))


def _area_param(request: HttpRequest) -> str:
    code = (request.GET.get("area") or "").strip()
    if code and not (code.isdigit() and area_code_in_scope(request.user, code)):
        return request.user.area.code if request.user.area_id else ""
    return code


def _fail(request: HttpRequest, exc: Exception | str) -> None:
    messages.error(request, str(exc))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    day = _today(request)
    return render(
        request,
        "employment/home.html",
        {
            "s": selectors.summary(request.user, day),
            "day": day,
            "pack_id": default_pack_id(),
            "r": rules(),
            "batches": _checked(list(selectors.batches(request.user)[:5])),
            "area_picker": AreaPickerWidget(
                user=request.user, attrs={"class": "form-control", "aria-label": "区划"}
            ).render("area", home_area_code(request.user)),
        },
    )


def _checked(batches: list) -> list:
    """Batches whose worker died show as failed, with the reason, not "running" for ever."""
    for b in batches:
        recover_abandoned(b)
    return batches


# -- employers and postings ------------------------------------------------------------------
@login_required
def employers(request: HttpRequest) -> HttpResponseBase:
    qs = selectors.employers(request.user)
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(name__contains=q)
    if kind := request.GET.get("kind"):
        qs = qs.filter(kind=kind)
    if wants_xlsx(request):
        return export(
            request,
            qs.order_by("area_code", "id"),
            title="用人单位",
            columns=[
                Column("名称", lambda e: e.name),
                Column("统一社会信用代码", lambda e: e.credit_code),
                Column("类型", lambda e: e.get_kind_display()),
                Column("登记区划", lambda e: e.area_code, area=True),
                Column("地址", lambda e: e.address),
                Column("联系人", lambda e: e.contact_name),
                Column("联系电话", lambda e: e.contact_phone),
            ],
        )
    return render(request, "employment/employers.html", {"page": _page(request, qs), "q": q})


@login_required
def employer_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_writer(request.user)
    instance = get_scoped(Employer.objects, request.user, pk=pk) if pk else None
    form = EmployerForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        e = services.save_employer(user=request.user, form=form, request=request)
        messages.success(request, f"已保存用人单位 {e.name}")
        return redirect("employment:employer", pk=e.pk)
    return render(
        request, "web/form.html", {"form": form, "title": "编辑用人单位" if pk else "新增用人单位"}
    )


@login_required
def employer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    e = get_scoped(Employer.objects, request.user, pk=pk)
    return render(
        request,
        "employment/employer.html",
        {"e": e, "postings": selectors.postings(request.user).filter(employer=e)},
    )


@login_required
def postings(request: HttpRequest) -> HttpResponseBase:
    qs = selectors.postings(request.user)
    day = _today(request)
    if request.GET.get("open", "1") == "1":
        qs = qs.filter(opens_on__lte=day, closes_on__gte=day)
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(title__contains=q) | qs.filter(employer__name__contains=q)
    if physical := request.GET.get("physical"):
        qs = qs.filter(physical=physical)
    if wants_xlsx(request):
        return export(
            request,
            qs.select_related("employer", "occupation").order_by("area_code", "id"),
            title="岗位信息",
            columns=[
                Column("岗位名称", lambda p: p.title),
                Column("用人单位", lambda p: p.employer.name),
                Column("职业", lambda p: p.occupation.name),
                Column("招聘人数", lambda p: p.positions),
                Column("已录用", lambda p: p.filled),
                Column("月薪下限(元)", lambda p: fen_to_yuan(p.wage_min_fen)),
                Column("月薪上限(元)", lambda p: fen_to_yuan(p.wage_max_fen)),
                Column("工作地", lambda p: p.work_area_code, area=True),
                Column("工作地点", lambda p: p.work_place),
                Column("年龄", lambda p: f"{p.age_min}–{p.age_max}"),
                Column("体力要求", lambda p: p.get_physical_display()),
                Column("用工形式", lambda p: p.get_schedule_display()),
                Column("登记区划", lambda p: p.area_code, area=True),
                Column("开始", lambda p: p.opens_on),
                Column("截止", lambda p: p.closes_on),
            ],
        )
    return render(
        request,
        "employment/postings.html",
        {"page": _page(request, qs.order_by("area_code", "id")), "q": q, "day": day},
    )


@login_required
def posting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    p = get_scoped(
        Posting.objects.select_related("employer", "occupation"), request.user, shared=True, pk=pk
    )
    return render(
        request,
        "employment/posting.html",
        {
            "p": p,
            "referrals": selectors.referrals(request.user).filter(posting=p),
            "own": area_code_in_scope(
                request.user, p.area_code
            ),  # registered here: may edit, may open the employer
        },
    )


@login_required
def posting_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_writer(request.user)
    instance = get_scoped(Posting.objects, request.user, pk=pk) if pk else None
    form = PostingForm(
        request.POST or None,
        instance=instance,
        user=request.user,
        employers=selectors.employers(request.user),
        initial={"employer": request.GET.get("employer")} if not pk else None,
    )
    if request.method == "POST" and form.is_valid():
        p = services.save_posting(user=request.user, form=form, request=request)
        messages.success(request, f"已保存岗位 {p.title}")
        return redirect("employment:posting", pk=p.pk)
    return render(
        request, "web/form.html", {"form": form, "title": "编辑岗位" if pk else "发布岗位"}
    )


@login_required
def occupations(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    qs = Occupation.objects.filter(level=4)
    if q:
        qs = qs.filter(name__contains=q) | qs.filter(code__startswith=q)
    return render(
        request,
        "employment/occupations.html",
        {"rows": qs[:50], "q": q, "total": Occupation.objects.count()},
    )


# -- recommendations -----------------------------------------------------------------------------
@login_required
def person_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """岗位推荐单 for one person, printable for door-to-door delivery."""
    person = get_scoped(
        Person.objects.select_related("household", "household__village"), request.user, pk=pk
    )
    recs = selectors.recommendations(request.user).filter(person=person)
    return render(
        request,
        "employment/sheet_person.html",
        {
            "p": person,
            "recs": recs,
            "day": _today(request),
            "eligible": eligible(Person.objects.filter(pk=pk), _today(request)).exists(),
            "need": rules().recommendations_per_person,
        },
    )


@login_required
@require_POST
def person_recommend(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.user)
    person = get_scoped(Person.objects, request.user, pk=pk)
    from .recommend import recommend_person

    n = recommend_person(person, user=request.user)
    messages.success(
        request,
        f"已重新推荐 {n} 条岗位"
        if n
        else "此人目前不符合推荐条件（劳动年龄、劳动能力、就业意愿）或已在岗",
    )
    return redirect("employment:person_sheet", pk=pk)


@login_required
def village_sheet(request: HttpRequest, code: str) -> HttpResponse:
    """岗位推荐单 for a whole village: one page per person."""
    if not (code.isdigit() and len(code) == 12 and area_code_in_scope(request.user, code)):
        raise Http404("记录不存在或不在本辖区")
    village = Area.objects.filter(code=code).first()
    if village is None:
        raise Http404("村不存在")
    recs = list(selectors.recommendations(request.user).filter(village_code=code))
    people: dict[int, dict] = {}
    for r in recs:
        people.setdefault(r.person_id, {"p": r.person, "recs": []})["recs"].append(r)
    return render(
        request,
        "employment/sheet_village.html",
        {"village": village, "people": list(people.values()), "day": _today(request)},
    )


@login_required
def recommendations_export(request: HttpRequest) -> HttpResponseBase:
    unmasked = request.GET.get("unmasked") == "1"
    if unmasked and not request.user.may_unmask:
        raise PermissionDenied("无权导出完整身份证号")
    code = _area_param(request)
    qs = selectors.in_area(selectors.recommendations(request.user), code)[:200_000]
    rows = [
        [
            r.person.id_number if unmasked else mask(r.person.id_number),
            r.person.name,
            r.village_code,
            r.rank,
            r.posting_id,
            r.posting.employer.name,
            r.posting.title,
            fen_to_yuan(r.posting.wage_min_fen),
            fen_to_yuan(r.posting.wage_max_fen),
            round(r.score, 4),
            r.reasons,
        ]
        for r in qs
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename="岗位推荐.xlsx",
        unmasked=unmasked,
        summary=f"导出岗位推荐 区划={code or '本辖区'}",
        sheets=[
            (
                "岗位推荐",
                [
                    "身份证号",
                    "姓名",
                    "村代码",
                    "序号",
                    "岗位编号",
                    "用人单位",
                    "岗位",
                    "月薪下限",
                    "月薪上限",
                    "匹配度",
                    "推荐理由",
                ],
                rows,
            )
        ],
    )


@login_required
@require_POST
def batch_run(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    try:  # a name chosen from the picker (浮梁镇, 浮梁县 › 浮梁镇) or a code
        code = own_code(
            parse_area(request.user, request.POST.get("area") or home_area_code(request.user))
        )
    except OutOfArea:
        raise PermissionDenied("不在本辖区") from None
    except AreaNotFound as exc:
        messages.error(request, f"区划：{exc}")
        return redirect("employment:home")
    batch = services.start_batch(user=request.user, area_code=code)
    messages.info(request, "批量推荐已提交后台运行")
    return redirect("employment:batch", pk=batch.pk)


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_scoped(RecommendationBatch.objects, request.user, pk=pk)
    recover_abandoned(batch)
    template = "employment/_batch.html" if request.htmx else "employment/batch.html"
    return render(request, template, {"b": batch})


# -- referrals and follow-up ------------------------------------------------------------------------
@login_required
@require_POST
def refer(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_scoped(Person.objects, request.user, pk=pk)
    posting_id = bounds.query_id(request.POST.get("posting"))
    posting = (
        shared_readable(Posting.objects.select_related("employer"), request.user)
        .filter(pk=posting_id)
        .first()
        if posting_id
        else None
    )
    if posting is None:
        messages.error(request, "岗位不存在")
        return redirect("employment:person_sheet", pk=pk)
    try:
        r = services.refer(user=request.user, person=person, posting=posting, request=request)
    except services.EmploymentError as exc:
        _fail(request, exc)
        return redirect("employment:person_sheet", pk=pk)
    messages.success(request, f"已推荐 {person.name} 至 {posting}")
    return redirect("employment:referral", pk=r.pk)


def _filtered_referrals(request: HttpRequest):
    """The referrals as filtered on the list page, and that filter as a query string: the export takes the same."""
    qs = selectors.referrals(request.user)
    status = request.GET.get("status") or ""
    if status:
        qs = qs.filter(status=status)
    area = _area_param(request)
    return (
        selectors.in_area(qs, area),
        status,
        urlencode({k: v for k, v in (("status", status), ("area", area)) if v}),
    )


@login_required
def referrals(request: HttpRequest) -> HttpResponse:
    qs, status, query = _filtered_referrals(request)
    return render(
        request,
        "employment/referrals.html",
        {
            "page": _page(request, qs),
            "statuses": ReferralStatus.choices,
            "status": status,
            "query": query,
        },
    )


@login_required
def referrals_export(request: HttpRequest) -> HttpResponseBase:
    qs, _, query = _filtered_referrals(request)
    rows = [
        [
            mask(r.person.id_number),
            r.person.name,
            r.village_code,
            r.posting.employer.name,
            r.posting.title,
            r.get_status_display(),
            r.referred_on,
            r.interview_on,
            r.hired_on,
            fen_to_yuan(r.wage_fen) if r.wage_fen else "",
            r.ended_on,
        ]
        for r in qs
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename="推荐就业.xlsx",
        unmasked=False,
        summary=f"导出推荐就业台账 {query}".strip(),
        sheets=[
            (
                "推荐就业",
                [
                    "身份证号",
                    "姓名",
                    "村代码",
                    "用人单位",
                    "岗位",
                    "状态",
                    "推荐日期",
                    "面试日期",
                    "上岗日期",
                    "月工资",
                    "离岗日期",
                ],
                rows,
            )
        ],
    )


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    r = get_scoped(
        Referral.objects.select_related("person", "posting", "posting__employer"),
        request.user,
        pk=pk,
    )
    from .models import REFERRAL_TRANSITIONS

    return render(
        request,
        "employment/referral.html",
        {
            "r": r,
            "checks": r.checks.all(),
            "next": [(s, ReferralStatus(s).label) for s in REFERRAL_TRANSITIONS[r.status]],
        },
    )


@login_required
@require_POST
def referral_advance(request: HttpRequest, pk: int) -> HttpResponse:
    r = get_scoped(Referral.objects, request.user, pk=pk)
    try:
        wage = request.POST.get("wage", "").strip()
        services.advance(
            user=request.user,
            referral=r,
            status=request.POST.get("status", ""),
            request=request,
            wage_fen=bounds.yuan_to_fen(wage, "月工资") if wage else None,
            note=request.POST.get("note", ""),
        )
        messages.success(request, "已更新")
    except (services.EmploymentError, bounds.BoundsError) as exc:
        _fail(request, exc)
    except ValueError:
        _fail(request, "状态应为可选的下一步")
    return redirect("employment:referral", pk=pk)


@login_required
@require_POST
def referral_check(request: HttpRequest, pk: int) -> HttpResponse:
    r = get_scoped(Referral.objects, request.user, pk=pk)
    try:
        note = bounds.check_text(EmploymentCheck, "note", request.POST.get("note", ""))
        services.check_employment(
            user=request.user,
            referral=r,
            still_employed=request.POST.get("still_employed") == "1",
            note=note,
            request=request,
        )
        messages.success(request, "已记录在岗核查")
    except (services.EmploymentError, bounds.BoundsError) as exc:
        _fail(request, exc)
    return redirect("employment:referral", pk=pk)


@login_required
def followups(request: HttpRequest) -> HttpResponse:
    """Quarterly follow-up: overdue counts per township and the overdue list."""
    day = _today(request)
    code = _area_param(request)
    late = (
        selectors.overdue_visits(request.user, day, code)
        .select_related("household")
        .order_by("village_code", "id")
    )
    return render(
        request,
        "employment/followups.html",
        {
            "towns": selectors.overdue_by_township(request.user, day),
            "page": _page(request, late),
            "area": code,
            "interval": rules().follow_up_months,
            "day": day,
        },
    )


@login_required
def followups_export(request: HttpRequest) -> HttpResponseBase:
    day = _today(request)
    late = selectors.overdue_visits(request.user, day, _area_param(request)).order_by(
        "village_code", "id"
    )
    rows = [
        [
            mask(p.id_number),
            p.name,
            p.village_code,
            p.get_intention_display(),
            "是" if p.training_need else "否",
            p.last_visit or "从未回访",
        ]
        for p in late
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename="逾期回访.xlsx",
        unmasked=False,
        summary="导出逾期回访名单",
        sheets=[
            ("逾期回访", ["身份证号", "姓名", "村代码", "就业意愿", "培训需求", "上次回访"], rows)
        ],
    )


@login_required
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_scoped(Person.objects, request.user, pk=pk)
    form = VisitForm(request.POST or None, initial={"visited_on": _today(request)})
    if request.method == "POST":
        require_writer(request.user)
        if form.is_valid():
            services.record_visit(
                user=request.user,
                person=person,
                request=request,
                day=form.cleaned_data["visited_on"],
                kind=form.cleaned_data["kind"],
                employed=form.cleaned_data["employed"],
                needs=form.cleaned_data["needs"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, f"已记录对 {person.name} 的回访")
            return redirect("registry:person", pk=pk)
    return render(request, "web/form.html", {"form": form, "title": f"跟踪回访：{person.name}"})


# -- job fairs -----------------------------------------------------------------------------------
@login_required
def fairs(request: HttpRequest) -> HttpResponseBase:
    qs = selectors.fairs(request.user).order_by("-held_on")
    if wants_xlsx(request):
        return export(
            request,
            qs.prefetch_related("employers", "postings"),
            title="专场招聘会",
            columns=[
                Column("日期", lambda f: f.held_on),
                Column("时间", lambda f: f.time_text),
                Column("名称", lambda f: f.title),
                Column("乡镇", lambda f: f.area_code, area=True),
                Column("地点", lambda f: f.place),
                Column("主办", lambda f: f.organiser),
                Column("参会单位", lambda f: len(f.employers.all())),
                Column("参会岗位", lambda f: len(f.postings.all())),
                Column("入场人数", lambda f: f.visitors),
            ],
        )
    return render(
        request,
        "employment/fairs.html",
        {
            "page": _page(request, qs),
            "towns": selectors.townships(request.user),
            "day": _today(request),
        },
    )


@login_required
def fair_edit(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    form = FairForm(
        request.POST or None, user=request.user, employers=selectors.employers(request.user)
    )
    if request.method == "POST" and form.is_valid():
        fair = services.save_fair(user=request.user, form=form, request=request)
        messages.success(request, f"已安排 {fair.title}")
        return redirect("employment:fair", pk=fair.pk)
    return render(request, "web/form.html", {"form": form, "title": "安排专场招聘会"})


@login_required
def fair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fair = get_scoped(JobFair.objects, request.user, pk=pk)
    return render(
        request,
        "employment/fair.html",
        {
            "f": fair,
            "attendance": scoped(fair.attendances.select_related("person"), request.user),
            "postings": fair.postings.select_related("employer"),
        },
    )


@login_required
@require_POST
def fair_attend(request: HttpRequest, pk: int) -> HttpResponse:
    fair = get_scoped(JobFair.objects, request.user, pk=pk)
    person = find_person(request.user, request.POST.get("person", ""))
    if person is None:
        messages.error(request, "人员：请输入本辖区人员的编号或18位身份证号")
        return redirect("employment:fair", pk=pk)
    outcome = request.POST.get("outcome", FairOutcome.ATTENDED)
    if outcome not in FairOutcome.values:
        messages.error(request, "结果：请从列表中选择")
        return redirect("employment:fair", pk=pk)
    services.attend_fair(
        user=request.user, fair=fair, person=person, outcome=outcome, request=request
    )
    messages.success(request, f"已登记 {person.name} 到场")
    return redirect("employment:fair", pk=pk)


@login_required
def timetable(request: HttpRequest) -> HttpResponse:
    """《精准扶贫专场招聘会进乡镇时间表》 for one township and month, printable."""
    day = _today(request)
    month = bounds.query_month(request.GET.get("month"), day.replace(day=1))
    town = (request.GET.get("town") or "").strip()
    if town and not area_code_in_scope(request.user, town):
        town = ""
    return render(
        request,
        "employment/timetable.html",
        {
            "month": month,
            "town": Area.objects.filter(code=town).first() if town else None,
            "fairs": selectors.fair_timetable(request.user, town, month),
            "towns": selectors.townships(request.user),
        },
    )


# -- public-welfare posts and workshops ------------------------------------------------------------
@login_required
def welfare(request: HttpRequest) -> HttpResponse:
    placements = selectors.referrals(request.user).filter(
        posting__employer__kind="welfare", status__in=[ReferralStatus.HIRED, ReferralStatus.LEFT]
    )
    subsidies = selectors.welfare_subsidies(request.user)
    return render(
        request,
        "employment/welfare.html",
        {
            "placements": placements,
            "page": _page(request, subsidies),
            "param": rules().welfare_post_monthly_subsidy,
            "posts": selectors.postings(request.user).filter(employer__kind="welfare"),
            "day": _today(request),
        },
    )


@login_required
@require_POST
def welfare_grant(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    try:
        month = bounds.parse_month(request.POST.get("month", ""))
        n = services.grant_welfare_subsidies(
            user=request.user,
            placements=selectors.referrals(request.user),
            month=month,
            request=request,
        )
        messages.success(request, f"已生成 {month:%Y年%m月} 公益性岗位补贴 {n} 人")
    except (bounds.BoundsError, services.EmploymentError) as exc:
        _fail(request, exc)
    return redirect("employment:welfare")


@login_required
def welfare_export(request: HttpRequest) -> HttpResponseBase:
    rows = [
        [
            mask(s.person.id_number),
            s.person.name,
            s.village_code,
            s.referral.posting.employer.name,
            s.referral.posting.title,
            f"{s.month:%Y-%m}",
            fen_to_yuan(s.amount_fen),
            s.pack_id,
        ]
        for s in selectors.welfare_subsidies(request.user)
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename="公益性岗位补贴.xlsx",
        unmasked=False,
        summary="导出公益性岗位补贴",
        sheets=[
            (
                "公益性岗位补贴",
                ["身份证号", "姓名", "村代码", "单位", "岗位", "月份", "金额(元)", "政策包"],
                rows,
            )
        ],
    )


def _year(request: HttpRequest) -> int:
    """The year asked for, or this year when it is missing or out of range."""
    return bounds.query_year(request.GET.get("year"), _today(request).year)


@login_required
def workshops(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    rows, info = selectors.workshop_awards(request.user, year)
    r = rules()
    return render(
        request,
        "employment/workshops.html",
        {
            "rows": rows,
            "info": info,
            "year": year,
            "employer_rows": selectors.employer_subsidies(request.user, year, _today(request)),
            "post": r.employer_post_subsidy_monthly,
            "social": r.employer_social_insurance_subsidy_monthly,
        },
    )


@login_required
def workshops_export(request: HttpRequest) -> HttpResponseBase:
    year = _year(request)
    rows, info = selectors.workshop_awards(request.user, year)
    data = [
        [
            r.employer.name,
            r.employer.credit_code,
            mask(r.person.id_number),
            r.person.name,
            r.hired_on,
            r.ended_on or "",
            fen_to_yuan(r.amount_fen),
        ]
        for r in rows
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename=f"扶贫车间奖补{year}.xlsx",
        unmasked=False,
        summary=f"导出扶贫车间奖补 {year}",
        sheets=[
            (
                "扶贫车间奖补",
                [
                    "车间",
                    "统一社会信用代码",
                    "身份证号",
                    "姓名",
                    "上岗日期",
                    "离岗日期",
                    "奖补(元)",
                ],
                data,
            )
        ],
    )
