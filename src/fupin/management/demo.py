"""DEMO_BUILDERS hook (演示数据): indicators, the two plans of the seed documents with their targets, phases
and task ledger, this year's plan on the same scale (so the dashboard shows the demo's data), and
the bulletin of the latest month, published."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import yaml

from fupin.access.models import User
from fupin.areas.models import Area, Level

from . import services
from .areas import pad
from .loading import DATA, load_indicators
from .models import (
    Bulletin,
    Indicator,
    Interview,
    ManualValue,
    Phase,
    Plan,
    SnapshotRun,
    Target,
    Task,
    TaskStatus,
)

SEED = 20180404


def load_plans(user: User, path: Path | None = None, today: dt.date | None = None) -> list[Plan]:
    today = today or dt.date.today()
    rng = random.Random(SEED)
    towns = list(
        Area.objects.filter(level=Level.TOWNSHIP, code__startswith=user.area.code).order_by("code")
    )
    rows = yaml.safe_load((path or DATA / "plans.yaml").read_text(encoding="utf-8"))
    year = today.year
    spring = rows[0]
    # This year's plan on the spring offensive's scale: the demo's data are of this year.
    rows.append(
        {
            **spring,
            "name": f"{year}年就业脱贫工程（演示：沿用2018年春季攻势目标）",
            "starts_on": dt.date(year, 1, 1),
            "ends_on": dt.date(year, 12, 31),
            "source_text": '演示用：目标沿用《浮梁县人社系统2018年脱贫攻坚"春季攻势"行动方案》'
            "（浮人社发[2018]6号）的全县目标，按建档立卡人口分解到乡镇。",
            "phases": [],
            "tasks": [{**t, "due_on": t["due_on"].replace(year=year)} for t in spring["tasks"]],
        }
    )
    plans = []
    for row in rows:
        plan = services.save_plan(
            user=user,
            name=row["name"],
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            source_doc=row.get("source_doc", ""),
            source_text=row.get("source_text", ""),
        )
        phases = {
            p["name"]: services.add_phase(user=user, plan=plan, **p) for p in row.get("phases", [])
        }
        for code, total in row.get("targets", {}).items():
            services.decompose(
                user=user, plan=plan, indicator=Indicator.objects.get(code=code), total=total
            )
        for i, t in enumerate(row.get("tasks", [])):
            for town in towns:
                done = t["due_on"] < today and rng.random() < 0.7
                Task.objects.create(
                    plan=plan,
                    phase=phases.get(t.get("phase")),
                    title=t["title"],
                    detail=t["detail"],
                    area_code=pad(town.code),
                    owner=f"{town.name}人社所所长",
                    due_on=t["due_on"],
                    status=TaskStatus.DONE
                    if done
                    else (TaskStatus.DOING if i % 2 else TaskStatus.TODO),
                    done_on=t["due_on"] if done else None,
                    created_by=user,
                )
        plans.append(plan)
    # Each township reports its 示范点 and 送岗位信息下乡 for the months of this year so far.
    for town in towns:
        for m in range(1, today.month + 1):
            for code, chance in (("demo_points", 0.15), ("job_info_visits", 0.4)):
                if rng.random() < chance:
                    ManualValue.objects.create(
                        indicator=Indicator.objects.get(code=code),
                        area_code=pad(town.code),
                        month=dt.date(year, m, 1),
                        value=1,
                        note="演示填报",
                    )
    _village_targets(plans[-1], towns[0] if towns else None)
    return plans


def _village_targets(plan: Plan, town: Area | None) -> None:
    """村目标 (demo): the first township splits its 脱贫人口 target among its villages by their
    registered poor, as its 人社所 would on the plan page."""
    from django.db.models import Count

    from fupin.access.models import Role
    from fupin.registry.choices import ACTIVE_STATUSES
    from fupin.registry.models import Person

    if town is None:
        return
    indicator = Indicator.objects.get(code="persons_out")
    target = Target.objects.filter(plan=plan, indicator=indicator, area_code=pad(town.code)).first()
    setter = User.objects.filter(role=Role.TOWNSHIP, area__code=town.code).first()
    if target is None or setter is None:
        return
    weights = dict(
        Person.objects.filter(village_code__startswith=town.code, status__in=ACTIVE_STATUSES)
        .order_by()
        .values_list("village_code")
        .annotate(n=Count("id"))
    )
    for village, n in services.largest_remainder(target.value, weights).items():
        services.set_village_target(
            user=setter, plan=plan, indicator=indicator, village_code=village, value=n
        )


def build() -> str:
    load_indicators()
    user = User.objects.get(username="county")
    plans = load_plans(user)
    from . import periods, snapshots
    from .bulletins import generate, publish

    today = dt.date.today()
    # The statistics snapshots the dashboard's trends read: the last day of each past month.
    for p in periods.months_back(today, 12)[:-1]:
        snapshots.build(day=p.end, user=user)
    bulletin = generate(user=user, month=today.replace(day=1), plan=plans[-1])
    publish(user=user, bulletin=bulletin)
    interview = _interview(user, bulletin, today)
    return (
        f"工作调度：{Indicator.objects.count()} 项指标、{len(plans)} 个方案（{Phase.objects.count()} 个阶段）、"
        f"{Task.objects.count()} 项台账任务、{SnapshotRun.objects.count()} 个统计快照；已发布 {bulletin.title}"
        + (f"；约谈 {interview.interviewee}" if interview else "")
    )


def _interview(user: User, bulletin: Bulletin, today: dt.date) -> Interview | None:
    """约谈 of the first lagging township named in the bulletin, or of the first overdue task."""
    towns = {
        a.name: a.code
        for a in Area.objects.filter(level=Level.TOWNSHIP, code__startswith=user.area.code)
    }
    laggard = next((n for n in bulletin.data.get("laggards", []) if n in towns), None)
    task = None
    if laggard is None:
        task = (
            Task.objects.filter(due_on__lt=today, area_code__endswith="000")
            .exclude(status=TaskStatus.DONE)
            .exclude(area_code__endswith="000000")
            .order_by("due_on", "id")
            .first()
        )
        if task is None:
            return None
        laggard = next((n for n, c in towns.items() if task.area_code.startswith(c)), None)
    return services.record_interview(
        user=user,
        area_code=towns[laggard],
        held_on=today,
        interviewee=f"{laggard}分管就业扶贫工作的副乡镇长",
        interviewer="县人社局局长",
        reason=f"{bulletin.title}：{laggard}进度滞后于时间进度"
        if task is None
        else f"台账任务“{task.title}”逾期未完成",
        actions="一周内制定赶超计划，逐村落实培训和转移就业任务，每周报送进度",
        follow_up_on=today + dt.timedelta(days=14),
        task=task,
        bulletin=bulletin,
    )
