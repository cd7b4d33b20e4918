"""/api/v1/management — indicators (指标) per township, targets with progress, the task ledger and the
bulletins, for a county's own dashboards and reports. Thin: selectors and services; scope through
them; refusals become HTTP 422 with the Chinese reason."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from fupin.access.scope import get_scoped
from fupin.bounds import Date, text

from . import periods, selectors, services
from .models import Bulletin, Task, TaskStatus

router = Router(tags=["工作调度"])
MAX = 500


class TownFigure(Schema):
    code: str
    name: str
    value: float | None
    numerator: int
    denominator: int | None


class IndicatorOut(Schema):
    code: str
    name: str
    kind: str
    unit: str
    source_text: str
    period: str
    total: float | None
    townships: list[TownFigure]


class TaskOut(Schema):
    id: int
    title: str
    detail: str
    area_code: str
    area_name: str
    owner: str
    due_on: dt.date
    status: str
    status_name: str
    overdue: bool
    done_on: dt.date | None
    plan_id: int | None
    phase_id: int | None


class TaskStatusIn(Schema):
    status: text(Task, "status")
    progress_note: text(Task, "progress_note") = ""
    done_on: Date | None = None


class BulletinOut(Schema):
    id: int
    title: str
    month: dt.date
    published_at: dt.datetime | None
    data: dict


class ProgressOut(Schema):
    indicator: str
    indicator_name: str
    area_code: str
    area_name: str
    target: int
    value: float | None
    rate: float | None
    status: str


@router.get("/management/indicators", response=list[IndicatorOut])
def indicators(request: HttpRequest, period: str = "") -> list[dict[str, object]]:
    """各指标按乡镇的数值。period：2018-03（月）、2018-Q1（季）或 2018（年），缺省为本月。"""
    p = periods.parse(period, timezone.localdate())
    inds = selectors.active_indicators()
    towns = selectors.townships(request.user)
    figs, _ = selectors.period_figures(request.user, inds, p, timezone.localdate())
    out = []
    for i in inds:
        f = figs[i.code]
        rows = []
        for t in towns:
            n, d = f.pair(t.code)
            rows.append(
                {
                    "code": t.code,
                    "name": t.name,
                    "value": f.value(t.code),
                    "numerator": n,
                    "denominator": d,
                }
            )
        out.append(
            {
                "code": i.code,
                "name": i.name,
                "kind": i.kind,
                "unit": i.unit,
                "source_text": i.source_text,
                "period": p.key,
                "total": f.value(),
                "townships": rows,
            }
        )
    return out


@router.get("/management/plans/{int:pk}/progress", response=list[ProgressOut])
def plan_progress(request: HttpRequest, pk: int) -> list[dict[str, object]]:
    """方案的目标完成进度（乡镇只看到本乡镇的目标）。"""
    from .models import Plan

    plan = get_scoped(Plan.objects.all(), request.user, shared=True, pk=pk)
    return [
        {
            "indicator": r.target.indicator.code,
            "indicator_name": r.target.indicator.name,
            "area_code": r.target.area_code,
            "area_name": r.area,
            "target": r.target.value,
            "value": r.value,
            "rate": r.rate,
            "status": r.status,
        }
        for r in selectors.progress(request.user, plan, timezone.localdate())
    ]


def _task_out(t: Task, names: dict[str, str], day: dt.date) -> dict:
    return {
        "id": t.pk,
        "title": t.title,
        "detail": t.detail,
        "area_code": t.area_code,
        "area_name": names[t.area_code],
        "owner": t.owner,
        "due_on": t.due_on,
        "status": t.status,
        "status_name": t.get_status_display(),
        "overdue": t.overdue_on(day),
        "done_on": t.done_on,
        "plan_id": t.plan_id,
        "phase_id": t.phase_id,
    }


@router.get("/management/tasks", response=list[TaskOut])
def tasks(request: HttpRequest, status: str = "", overdue: bool = False) -> list[dict]:
    """任务台账（本辖区），可按状态筛选；overdue=true 只列逾期未完成。"""
    day = timezone.localdate()
    qs = selectors.overdue_tasks(request.user, day) if overdue else selectors.tasks(request.user)
    if status in TaskStatus.values:
        qs = qs.filter(status=status)
    rows = list(qs[:MAX])
    names = selectors.names_of({t.area_code for t in rows})
    return [_task_out(t, names, day) for t in rows]


@router.get("/management/tasks/{int:pk}", response=TaskOut)
def task(request: HttpRequest, pk: int) -> dict:
    t = get_scoped(Task.objects.all(), request.user, pk=pk)
    return _task_out(t, selectors.names_of([t.area_code]), timezone.localdate())


@router.post("/management/tasks/{int:pk}", response=TaskOut)
def task_status(request: HttpRequest, pk: int, data: TaskStatusIn) -> dict:
    """更新任务状态与进展情况。"""
    t = get_scoped(Task.objects.all(), request.user, pk=pk)
    try:
        t = services.update_task(
            user=request.user,
            task=t,
            status=data.status,
            progress_note=data.progress_note,
            done_on=data.done_on,
            request=request,
        )
    except (services.ManagementError, ValueError) as exc:
        raise HttpError(422, str(exc)) from None
    return _task_out(t, selectors.names_of([t.area_code]), timezone.localdate())


@router.get("/management/bulletins", response=list[BulletinOut])
def bulletins(request: HttpRequest) -> list[Bulletin]:
    qs = (
        selectors.bulletins(request.user)
        if selectors.is_county(request.user)
        else selectors.published_bulletins(request.user)
    )
    return list(qs[:MAX])


@router.get("/management/bulletins/{int:pk}", response=BulletinOut)
def bulletin(request: HttpRequest, pk: int) -> Bulletin:
    b = get_scoped(Bulletin.objects.all(), request.user, shared=True, pk=pk)
    if not b.published_at and not selectors.is_county(request.user):
        raise HttpError(404, "通报尚未发布")
    return b
