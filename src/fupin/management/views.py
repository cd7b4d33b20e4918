"""工作调度 pages: thin views over selectors (reads) and services (writes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from fupin import bounds
from fupin.access.models import READ_ONLY_ROLES, User
from fupin.access.scope import get_scoped, require_writer, scoped
from fupin.web.xlsx import xlsx_response

from . import bulletins as bulletins_mod
from . import periods, selectors, services, snapshots
from .evidence import CONTENT_TYPES, KINDS, EvidenceError, max_bytes
from .models import (
    Bulletin,
    BulletinRead,
    Evidence,
    Indicator,
    IndicatorKind,
    Plan,
    SnapshotRun,
    Task,
    TaskStatus,
)
from .selectors import is_county, townships


def today() -> dt.date:
    return timezone.localdate()


def show(indicator: Indicator, value: float | None) -> str:
    """A figure as a person reads it: 66.7%, 12,000.00 元, 17."""
    if value is None:
        return "—"
    if indicator.kind == IndicatorKind.RATIO:
        return f"{value:.1f}%"
    if indicator.kind == IndicatorKind.SUM_FEN:
        return f"{value / 100:,.2f}"
    return f"{value:,}"


def _table(user: User, period: periods.Period) -> tuple[list, list, dt.date | None]:
    inds = selectors.dashboard_indicators()
    towns = townships(user)
    figs, as_of = _figures(user, inds, period)
    rows = []
    for ind in inds:
        fig = figs[ind.code]
        rows.append(
            {
                "indicator": ind,
                "cells": [show(ind, fig.value(t.code)) for t in towns],
                "total": show(ind, fig.value()),
            }
        )
    return towns, rows, as_of


def _figures(
    user: User, inds: list[Indicator], period: periods.Period
) -> tuple[dict, dt.date | None]:
    return selectors.period_figures(user, inds, period, today())


@login_required
def indicators(request: HttpRequest) -> HttpResponse:
    """指标一览: every indicator per township for a month, quarter or year."""
    period = periods.parse(request.GET.get("period"), today())
    towns, rows, as_of = _table(request.user, period)
    county = is_county(request.user)
    return render(
        request,
        "management/indicators.html",
        {
            "period": period,
            "towns": towns,
            "rows": rows,
            "as_of": as_of,
            "county": county,
            "runs": SnapshotRun.objects.order_by("-day", "-built_at")[:5] if county else [],
        },
    )


@login_required
@require_POST
def snapshot_build(request: HttpRequest) -> HttpResponse:
    """生成统计快照 now (the county's button): a background job, acting for the user."""
    day = today()
    services.start_snapshot(user=request.user, day=day, request=request)
    messages.success(
        request, f"已开始生成 {day.isoformat()} 的统计快照，完成后通报和仪表盘即读取新数据"
    )
    return redirect("management:indicators")


@login_required
def indicators_export(request: HttpRequest) -> HttpResponseBase:
    period = periods.parse(request.GET.get("period"), today())
    towns, rows, _ = _table(request.user, period)
    header = ["指标", "单位", *[t.name for t in towns], "合计", "依据"]
    data = [
        [
            r["indicator"].name,
            r["indicator"].unit,
            *r["cells"],
            r["total"],
            r["indicator"].source_text,
        ]
        for r in rows
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename=f"指标{period.key}.xlsx",
        unmasked=False,
        summary=f"导出指标一览 {period.label}",
        sheets=[(period.label, header, data)],
    )


@login_required
def plans(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "management/plans.html",
        {
            "plans": selectors.plans(request.user).prefetch_related("phases"),
            "county": is_county(request.user),
        },
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_scoped(Plan.objects, request.user, shared=True, pk=pk)
    # Figures as of the latest statistics snapshot inside the plan (computed when there is none).
    latest = snapshots.latest_run(request.user, today())
    day = latest.day if latest is not None and latest.day >= plan.starts_on else today()
    rows = selectors.progress(request.user, plan, day)
    inds = sorted({r.target.indicator for r in rows}, key=lambda i: (i.order, i.code))
    cells = {(r.target.area_code, r.target.indicator.code): r for r in rows}
    areas = sorted(
        {(r.target.area_code, r.area) for r in rows},
        key=lambda a: (not a[0].endswith("000000"), a[0]),
    )
    matrix = [
        {"name": name, "cells": [cells.get((code, i.code)) for i in inds]} for code, name in areas
    ]
    plan_tasks = selectors.tasks(request.user).filter(plan=plan)
    village_setter = (
        len(selectors.own_code(request.user)) <= 9 and request.user.role not in READ_ONLY_ROLES
    )
    return render(
        request,
        "management/plan.html",
        {
            "plan": plan,
            "phases": plan.phases.all(),
            "inds": inds,
            "matrix": matrix,
            "task_counts": {
                "all": plan_tasks.count(),
                "overdue": plan_tasks.exclude(status=TaskStatus.DONE)
                .filter(due_on__lt=today())
                .count(),
                "done": plan_tasks.filter(status=TaskStatus.DONE).count(),
            },
            "as_of": min(day, plan.ends_on),
            "elapsed": round(100 * selectors.elapsed(plan, day)),
            "county": is_county(request.user),
            "indicators": Indicator.objects.filter(active=True),
            "day": today(),
            "towns": townships(request.user),
            "village_setter": village_setter,
            "village_picker": _village_picker(request) if village_setter else "",
        },
    )


def _village_picker(request: HttpRequest) -> str:
    from fupin.areas.models import Level
    from fupin.web.picker import AreaPickerWidget

    return AreaPickerWidget(
        user=request.user,
        levels=(Level.VILLAGE,),
        attrs={"class": "form-control form-control-sm", "id": "village", "required": True},
    ).render("village", "")


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    if not is_county(request.user):
        raise PermissionDenied("攻坚方案由县人社局制定")
    if request.method == "POST":
        try:
            plan = services.save_plan(
                user=request.user,
                name=request.POST.get("name", ""),
                starts_on=bounds.parse_date(request.POST.get("starts_on"), "开始日期"),
                ends_on=bounds.parse_date(request.POST.get("ends_on"), "结束日期"),
                source_text=request.POST.get("source_text", "")[:2000],
                request=request,
            )
            messages.success(request, f"已建立方案 {plan.name}")
            return redirect("management:plan", pk=plan.pk)
        except (services.ManagementError, bounds.BoundsError) as exc:
            messages.error(request, str(exc))
    return render(request, "management/plan_new.html", {"values": request.POST})


@login_required
@require_POST
def plan_target(request: HttpRequest, pk: int) -> HttpResponse:
    """县人社局 sets a target: the county total split to the townships, or one township's."""
    plan = get_scoped(Plan.objects, request.user, shared=True, pk=pk)
    services.require_county(request.user)
    try:
        code = (request.POST.get("indicator") or "").strip()
        indicator = Indicator.objects.filter(code=code, active=True).first()
        if indicator is None:
            raise services.ManagementError("指标：请从列表中选择")
        area = (request.POST.get("area") or "").strip()
        if area:
            if not (
                area.isdigit()
                and len(area) == 9
                and area in {t.code for t in townships(request.user)}
            ):
                raise services.ManagementError("乡镇：请从列表中选择本县的乡镇")
            services.set_target(
                user=request.user,
                plan=plan,
                indicator=indicator,
                area_code=area,
                value=request.POST.get("value"),
                request=request,
            )
            messages.success(request, f"已设定 {indicator.name} 目标")
        else:
            services.decompose(
                user=request.user,
                plan=plan,
                indicator=indicator,
                total=request.POST.get("value"),
                request=request,
            )
            messages.success(
                request, f"已设定全县 {indicator.name} 目标并按建档立卡人口分解到各乡镇"
            )
    except services.ManagementError as exc:
        messages.error(request, str(exc))
    return redirect("management:plan", pk=pk)


@login_required
@require_POST
def plan_village_target(request: HttpRequest, pk: int) -> HttpResponse:
    """村目标: the county (any village) or a township (its own villages) sets one village's target."""
    from fupin.access.scope import area_code_in_scope
    from fupin.areas.models import Level
    from fupin.areas.names import own_code as area_own_code
    from fupin.web.picker import AreaNotFound, parse_area

    plan = get_scoped(Plan.objects, request.user, shared=True, pk=pk)
    covers = selectors.own_code(request.user).startswith(area_own_code(plan.area_code))
    if not (covers or area_code_in_scope(request.user, plan.area_code)):
        raise Http404("方案不覆盖本辖区")  # another township's plan: none of our villages in it
    try:
        code = (request.POST.get("indicator") or "").strip()
        indicator = Indicator.objects.filter(code=code, active=True).first()
        if indicator is None:
            raise services.ManagementError("指标：请从列表中选择")
        try:
            village = parse_area(
                request.user, (request.POST.get("village") or "")[:100], levels=(Level.VILLAGE,)
            )
        except AreaNotFound as exc:
            raise services.ManagementError(f"村：{exc}") from None
        services.set_village_target(
            user=request.user,
            plan=plan,
            indicator=indicator,
            village_code=village,
            value=request.POST.get("value"),
            request=request,
        )
        messages.success(
            request, f"已设定 {selectors.names_of([village])[village]} 的 {indicator.name} 目标"
        )
    except services.ManagementError as exc:
        messages.error(request, f"未保存：{exc}")
    return redirect("management:plan", pk=pk)


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """乡镇填报: counts of what fupin has no table for (示范点、送岗位信息下乡、贫困村退出)."""
    manual = Indicator.objects.filter(kind=IndicatorKind.MANUAL, active=True)
    if request.method == "POST":
        try:
            indicator = manual.filter(code=request.POST.get("indicator", "")).first()
            if indicator is None:
                raise services.ManagementError("指标：请从列表中选择")
            month = bounds.parse_month(request.POST.get("month", ""))
            services.report_value(
                user=request.user,
                indicator=indicator,
                month=month,
                value=request.POST.get("value"),
                note=(request.POST.get("note") or "")[:200],
                request=request,
            )
            messages.success(request, f"已填报 {indicator.name} {month.year}年{month.month}月")
            return redirect("management:report")
        except (services.ManagementError, bounds.BoundsError) as exc:
            messages.error(request, str(exc))
    from fupin.access.scope import scoped

    from .models import ManualValue

    values = list(scoped(ManualValue.objects.select_related("indicator"), request.user)[:100])
    names = selectors.names_of({v.area_code for v in values})
    for v in values:
        v.area_name = names[v.area_code]
    return render(
        request,
        "management/report.html",
        {
            "manual": manual,
            "values": values,
            "month": f"{today():%Y-%m}",
            "can_report": len(selectors.own_code(request.user)) == 9,
        },
    )


# -- task ledger (任务台账) ---------------------------------------------------------------------------
def _filtered_tasks(request: HttpRequest):
    qs = selectors.tasks(request.user)
    status = request.GET.get("status") or ""
    if status == "overdue":
        qs = qs.exclude(status=TaskStatus.DONE).filter(due_on__lt=today())
    elif status in TaskStatus.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    plan = bounds.query_id(request.GET.get("plan"))
    if plan:
        qs = qs.filter(plan_id=plan)
    return qs, status, urlencode({k: v for k, v in (("status", status), ("plan", plan or "")) if v})


def _with_area_names(tasks: Iterable[Task]) -> list[Task]:
    tasks = list(tasks)
    names = selectors.names_of({t.area_code for t in tasks})
    for t in tasks:
        t.area_name = names[t.area_code]
    return tasks


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    qs, status, query = _filtered_tasks(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    page.object_list = _with_area_names(page.object_list)
    return render(
        request,
        "management/tasks.html",
        {
            "page": page,
            "status": status,
            "query": query,
            "statuses": TaskStatus.choices,
            "day": today(),
            "plans": selectors.plans(request.user),
            "plan": bounds.query_id(request.GET.get("plan")),
            "overdue": selectors.overdue_tasks(request.user, today()).count(),
        },
    )


@login_required
def tasks_export(request: HttpRequest) -> HttpResponseBase:
    qs, _, query = _filtered_tasks(request)
    day = today()
    rows = [
        [
            t.title,
            t.area_name,
            t.owner,
            t.plan.name if t.plan else "",
            t.phase.name if t.phase else "",
            t.due_on,
            t.get_status_display(),
            "是" if t.overdue_on(day) else "",
            t.done_on or "",
            t.progress_note,
        ]
        for t in _with_area_names(qs)
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename="任务台账.xlsx",
        unmasked=False,
        summary=f"导出任务台账 {query}".strip(),
        sheets=[
            (
                "任务台账",
                [
                    "任务",
                    "责任区划",
                    "责任人",
                    "方案",
                    "阶段",
                    "完成时限",
                    "状态",
                    "逾期",
                    "完成日期",
                    "进展情况",
                ],
                rows,
            )
        ],
    )


@login_required
def task_new(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    towns = townships(request.user)
    own = selectors.own_code(request.user)
    choices = ([(own, "本级")] if len(own) <= 6 else []) + [(t.code, t.name) for t in towns]
    plan_list = list(selectors.plans(request.user))
    if request.method == "POST":
        try:
            area = request.POST.get("area", "")
            if area not in {c for c, _ in choices}:
                raise services.ManagementError("责任区划：请从列表中选择")
            plan = next((p for p in plan_list if str(p.pk) == request.POST.get("plan")), None)
            task = services.create_task(
                user=request.user,
                area_code=area,
                title=request.POST.get("title", ""),
                owner=request.POST.get("owner", ""),
                detail=request.POST.get("detail", ""),
                due_on=bounds.parse_date(request.POST.get("due_on"), "完成时限"),
                plan=plan,
                request=request,
            )
            messages.success(request, f"已登记任务 {task.title}")
            return redirect("management:task", pk=task.pk)
        except (services.ManagementError, bounds.BoundsError) as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "management/task_new.html",
        {"choices": choices, "plans": plan_list, "values": request.POST},
    )


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_scoped(Task.objects.select_related("plan", "phase"), request.user, pk=pk)
    task.area_name = selectors.names_of([task.area_code])[task.area_code]
    return render(
        request,
        "management/task.html",
        {
            "t": task,
            "county": is_county(request.user),
            "evidence": task.evidence.all(),
            "statuses": TaskStatus.choices,
            "day": today(),
            "kinds": ", ".join(KINDS.values()),
            "limit_mb": max_bytes() // 1048576,
        },
    )


@login_required
@require_POST
def task_update(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_scoped(Task.objects, request.user, pk=pk)
    require_writer(request.user)
    try:
        done = request.POST.get("done_on", "").strip()
        services.update_task(
            user=request.user,
            task=task,
            status=request.POST.get("status", ""),
            progress_note=request.POST.get("progress_note", ""),
            done_on=bounds.parse_date(done, "完成日期") if done else None,
            request=request,
        )
        messages.success(request, "已更新任务状态")
    except (services.ManagementError, bounds.BoundsError) as exc:
        messages.error(request, str(exc))
    return redirect("management:task", pk=pk)


@login_required
@require_POST
def task_upload(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_scoped(Task.objects, request.user, pk=pk)
    require_writer(request.user)
    try:
        ev = services.add_evidence(
            user=request.user,
            task=task,
            upload=request.FILES.get("file"),
            note=request.POST.get("note", ""),
            request=request,
        )
        messages.success(request, f"已上传佐证材料 {ev.name}")
    except (EvidenceError, services.ManagementError, bounds.BoundsError) as exc:
        messages.error(request, f"未上传：{exc}")
    return redirect("management:task", pk=pk)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    ev = get_scoped(Evidence.objects.select_related("task"), request.user, pk=pk)
    try:
        handle = ev.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("文件不存在") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=ev.name,
        content_type=CONTENT_TYPES.get(ev.kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- bulletins (进度通报) ------------------------------------------------------------------------------
@login_required
def bulletins(request: HttpRequest) -> HttpResponse:
    county = is_county(request.user)
    qs = (
        selectors.bulletins(request.user) if county else selectors.published_bulletins(request.user)
    )
    return render(
        request,
        "management/bulletins.html",
        {
            "bulletins": qs,
            "county": county,
            "plans": selectors.plans(request.user),
            "month": f"{today():%Y-%m}",
        },
    )


@login_required
@require_POST
def bulletin_generate(request: HttpRequest) -> HttpResponse:
    if not is_county(request.user):
        raise PermissionDenied("进度通报由县人社局生成")
    try:
        month = bounds.parse_month(request.POST.get("month", ""))
        plan_id = bounds.query_id(request.POST.get("plan"))
        plan = selectors.plans(request.user).filter(pk=plan_id).first() if plan_id else None
        b = bulletins_mod.generate(
            user=request.user,
            month=month,
            plan=plan,
            remarks=(request.POST.get("remarks") or "")[:2000],
            request=request,
        )
        messages.success(request, f"已生成 {b.title}")
        return redirect("management:bulletin", pk=b.pk)
    except (services.ManagementError, bounds.BoundsError) as exc:
        messages.error(request, str(exc))
    return redirect("management:bulletins")


def _bulletin(request: HttpRequest, pk: int) -> Bulletin:
    b = get_scoped(Bulletin.objects.select_related("plan"), request.user, shared=True, pk=pk)
    if not b.published_at and not is_county(request.user):
        raise Http404("通报尚未发布")
    return b


@login_required
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    b = _bulletin(request, pk)
    mine = BulletinRead.objects.filter(bulletin=b, user=request.user).first()
    return render(
        request,
        "management/bulletin.html",
        {
            "b": b,
            "d": b.data,
            "county": is_county(request.user),
            "mine": mine,
            "reads": bulletins_mod.read_status(b, request.user),
        },
    )


@login_required
def bulletin_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    b = _bulletin(request, pk)
    response = HttpResponse(bulletins_mod.pdf_bytes(b), content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(b.title)}.pdf"
    return response


@login_required
def bulletin_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    b = _bulletin(request, pk)
    return xlsx_response(
        user=request.user,
        request=request,
        filename=f"{b.title}.xlsx",
        unmasked=False,
        summary=f"导出 {b.title}",
        sheets=bulletins_mod.xlsx_sheets(b),
    )


@login_required
@require_POST
def bulletin_publish(request: HttpRequest, pk: int) -> HttpResponse:
    b = get_scoped(Bulletin.objects, request.user, pk=pk)
    try:
        bulletins_mod.publish(user=request.user, bulletin=b, request=request)
        messages.success(request, f"已发布至各乡镇：{b.title}")
    except services.ManagementError as exc:
        messages.error(request, str(exc))
    return redirect("management:bulletin", pk=pk)


@login_required
@require_POST
def bulletin_read(request: HttpRequest, pk: int) -> HttpResponse:
    b = _bulletin(request, pk)
    if is_county(request.user):
        raise PermissionDenied("已阅确认由各乡镇进行")
    if not selectors.own_code(request.user).startswith(bulletins_mod.addressed_to(b)):
        raise Http404("该通报不是发给本乡镇的")
    try:
        bulletins_mod.confirm_read(user=request.user, bulletin=b, request=request)
        messages.success(request, "已确认阅读")
    except services.ManagementError as exc:
        messages.error(request, str(exc))
    if request.POST.get("next") == "home":
        return redirect("home")
    return redirect("management:bulletin", pk=pk)


# -- 约谈记录 ---------------------------------------------------------------------------------------
INTERVIEW_STATES = {
    "open": "待跟踪核查",
    "overdue": "逾期未核查",
    "done": "已核查",
    "unreported": "未提交整改报告",
    "reported": "整改报告待验收",
    "accepted": "整改报告已验收",
}


def _filtered_interviews(request: HttpRequest):
    from fupin.web.picker import AreaNotFound, parse_area

    from .models import Interview

    qs = scoped(Interview.objects.select_related("task", "bulletin"), request.user)
    state = request.GET.get("state") or ""
    if state == "open":
        qs = qs.filter(followed_up_on__isnull=True)
    elif state == "overdue":
        qs = qs.filter(followed_up_on__isnull=True, follow_up_on__lt=today())
    elif state == "done":
        qs = qs.filter(followed_up_on__isnull=False)
    elif state == "unreported":
        qs = qs.filter(report_submitted_at__isnull=True)
    elif state == "reported":
        qs = qs.filter(report_submitted_at__isnull=False, report_accepted_at__isnull=True)
    elif state == "accepted":
        qs = qs.filter(report_accepted_at__isnull=False)
    area_text = (request.GET.get("area") or "").strip()[:100]
    area_error = ""
    if area_text:
        try:
            code = parse_area(request.user, area_text)
            qs = qs.filter(area_code__startswith=code[:9] if code[6:9] != "000" else code[:6])
        except AreaNotFound as exc:
            area_error = str(exc)
            qs = qs.none()
    return qs, state, area_text, area_error


def _interview_columns():
    from fupin.web.list_export import Column

    day = today()
    return [
        Column("被约谈乡镇", lambda i: i.area_code, area=True),
        Column("约谈日期", lambda i: i.held_on),
        Column("被约谈人", lambda i: i.interviewee),
        Column("约谈人", lambda i: i.interviewer),
        Column("约谈事由", lambda i: i.reason),
        Column("台账任务", lambda i: i.task.title if i.task else ""),
        Column("整改措施", lambda i: i.actions),
        Column("整改期限", lambda i: i.follow_up_on),
        Column("跟踪核查日期", lambda i: i.followed_up_on or ""),
        Column("整改情况", lambda i: i.follow_up_note),
        Column("逾期未核查", lambda i: "是" if i.follow_up_overdue(day) else ""),
        Column("约谈记录材料", lambda i: i.file_name),
        Column("整改报告", lambda i: i.report_state),
        Column("整改报告提交时间", lambda i: _local(i.report_submitted_at)),
        Column("整改报告内容", lambda i: i.report_text),
        Column("整改报告材料", lambda i: i.report_file_name),
        Column("验收时间", lambda i: _local(i.report_accepted_at)),
        Column("验收意见", lambda i: i.report_accept_note),
    ]


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@login_required
def interviews(request: HttpRequest) -> HttpResponseBase:
    """约谈记录: filtered by township and follow-up state; exported as filtered."""
    from fupin.areas.models import Level
    from fupin.web.list_export import export, wants_xlsx
    from fupin.web.paging import page_of
    from fupin.web.picker import AreaPickerWidget

    qs, state, area_text, area_error = _filtered_interviews(request)
    if wants_xlsx(request):
        return export(request, qs, title="约谈记录", columns=_interview_columns())
    page = page_of(request, qs)
    items = list(page.object_list)
    names = selectors.names_of({i.area_code for i in items})
    for i in items:
        i.area_name = names[i.area_code]
    page.object_list = items
    picker = AreaPickerWidget(
        user=request.user,
        levels=(Level.COUNTY, Level.TOWNSHIP),
        attrs={"class": "form-control form-control-sm", "id": "area"},
    ).render("area", area_text)
    return render(
        request,
        "management/interviews.html",
        {
            "page": page,
            "state": state,
            "states": INTERVIEW_STATES.items(),
            "picker": picker,
            "area_error": area_error,
            "county": is_county(request.user),
            "day": today(),
        },
    )


@login_required
def interview_new(request: HttpRequest) -> HttpResponse:
    from fupin.areas.models import Level
    from fupin.web.picker import AreaNotFound, AreaPickerWidget, parse_area

    services.require_county(request.user)
    values = request.POST if request.method == "POST" else request.GET
    task_id = bounds.query_id(values.get("task"))
    task = get_scoped(Task.objects, request.user, pk=task_id) if task_id else None
    bulletin_id = bounds.query_id(values.get("bulletin"))
    bulletin = (
        get_scoped(Bulletin.objects, request.user, shared=True, pk=bulletin_id)
        if bulletin_id
        else None
    )
    area_text = (values.get("area") or "").strip()[:100]
    if not area_text and task is not None:
        area_text = task.area_code
    if request.method == "POST":
        try:
            try:
                code = parse_area(request.user, area_text, levels=(Level.TOWNSHIP,))
            except AreaNotFound as exc:
                raise services.ManagementError(f"被约谈乡镇：{exc}") from None
            interview = services.record_interview(
                user=request.user,
                area_code=code,
                held_on=bounds.parse_date(request.POST.get("held_on"), "约谈日期"),
                interviewee=request.POST.get("interviewee", ""),
                interviewer=request.POST.get("interviewer", ""),
                reason=request.POST.get("reason", ""),
                actions=request.POST.get("actions", ""),
                follow_up_on=bounds.parse_date(request.POST.get("follow_up_on"), "整改期限"),
                task=task,
                bulletin=bulletin,
                upload=request.FILES.get("file"),
                request=request,
            )
            messages.success(request, f"已记录约谈：{interview.interviewee}")
            return redirect("management:interview", pk=interview.pk)
        except (services.ManagementError, bounds.BoundsError, EvidenceError) as exc:
            messages.error(request, f"未保存：{exc}")
    picker = AreaPickerWidget(
        user=request.user,
        levels=(Level.TOWNSHIP,),
        attrs={"class": "form-control form-control-sm", "id": "area", "required": True},
    ).render("area", area_text)
    reason = values.get("reason") or ""
    if not reason and task is not None and task.overdue_on(today()):
        reason = f"台账任务“{task.title}”逾期未完成（时限 {task.due_on}）"
    return render(
        request,
        "management/interview_new.html",
        {
            "values": values,
            "picker": picker,
            "task": task,
            "bulletin": bulletin,
            "reason": reason,
            "today": today(),
            "kinds": ", ".join(KINDS.values()),
            "limit_mb": max_bytes() // 1048576,
        },
    )


@login_required
def interview_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from .models import Interview

    i = get_scoped(Interview.objects.select_related("task", "bulletin"), request.user, pk=pk)
    i.area_name = selectors.names_of([i.area_code])[i.area_code]
    return render(
        request,
        "management/interview.html",
        {
            "i": i,
            "county": is_county(request.user),
            "day": today(),
            "reporter": len(selectors.own_code(request.user)) == 9
            and request.user.role not in READ_ONLY_ROLES,
            "kinds": ", ".join(KINDS.values()),
            "limit_mb": max_bytes() // 1048576,
        },
    )


@login_required
@require_POST
def interview_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    from .models import Interview

    i = get_scoped(Interview.objects, request.user, pk=pk)
    try:
        services.follow_up_interview(
            user=request.user,
            interview=i,
            followed_up_on=bounds.parse_date(request.POST.get("followed_up_on"), "跟踪核查日期"),
            note=request.POST.get("follow_up_note", ""),
            request=request,
        )
        messages.success(request, "已记录跟踪核查")
    except (services.ManagementError, bounds.BoundsError) as exc:
        messages.error(request, f"未保存：{exc}")
    return redirect("management:interview", pk=pk)


def _download(stored: FieldFile, name: str, kind: str) -> FileResponse:
    if not stored:
        raise Http404("没有上传材料")
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("文件不存在") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def interview_file(request: HttpRequest, pk: int) -> FileResponse:
    from .models import Interview

    i = get_scoped(Interview.objects, request.user, pk=pk)
    return _download(i.file, i.file_name, i.file_kind)


@login_required
@require_POST
def interview_report(request: HttpRequest, pk: int) -> HttpResponse:
    """整改报告: the township interviewed submits (or corrects) its report, text and file."""
    from .models import Interview

    i = get_scoped(Interview.objects, request.user, pk=pk)
    try:
        services.submit_rectification(
            user=request.user,
            interview=i,
            text=request.POST.get("report_text", ""),
            upload=request.FILES.get("report_file"),
            request=request,
        )
        messages.success(request, "已提交整改报告，等待县人社局验收")
    except (services.ManagementError, bounds.BoundsError, EvidenceError) as exc:
        messages.error(request, f"未提交：{exc}")
    return redirect("management:interview", pk=pk)


@login_required
@require_POST
def interview_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """验收整改报告 — the county."""
    from .models import Interview

    i = get_scoped(Interview.objects, request.user, pk=pk)
    try:
        services.accept_rectification(
            user=request.user,
            interview=i,
            note=request.POST.get("report_accept_note", ""),
            request=request,
        )
        messages.success(request, "已验收整改报告")
    except (services.ManagementError, bounds.BoundsError) as exc:
        messages.error(request, f"未验收：{exc}")
    return redirect("management:interview", pk=pk)


@login_required
def interview_report_file(request: HttpRequest, pk: int) -> FileResponse:
    from .models import Interview

    i = get_scoped(Interview.objects, request.user, pk=pk)
    return _download(i.report_file, i.report_file_name, i.report_file_kind)
