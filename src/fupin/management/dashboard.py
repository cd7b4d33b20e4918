"""工作台仪表盘: the dashboard of the user's area — coverage per township, monthly trends, targets
against progress — as JSON for ECharts (static JS, data through json_script), from the
statistics snapshots only."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fupin.access.models import User

from . import periods, snapshots
from .models import Bulletin, BulletinRead, IndicatorKind, Plan
from .selectors import active_indicators, own_code, plans, progress, published_bulletins, townships

COVERAGE = [
    "emp_service_coverage",
    "training_coverage",
    "medical_coverage",
    "pension_coverage",
    "offered_ten_jobs",
    "visits_on_time",
]
TRENDS = ["placements", "trained", "job_fairs", "households_out"]


def current_plan(user: User, day: dt.date) -> Plan | None:
    qs = plans(user)
    return (
        qs.filter(starts_on__lte=day, ends_on__gte=day).order_by("-starts_on").first()
        or qs.order_by("-ends_on").first()
    )


def data(user: User, day: dt.date, version: str = "") -> dict:
    """Everything the charts draw, for the user's area, read from the statistics snapshots
    (`fupin.management.snapshots`) only — a few hundred stored rows, never the registry: the
    latest snapshot for coverage and goals, each month's last one for the trends. `version` is
    kept for callers; the snapshot's own time is shown instead."""
    inds = {i.code: i for i in active_indicators()}
    towns = townships(user)
    latest = snapshots.latest_run(user, day)
    as_of = latest.day if latest else None
    cov = [inds[c] for c in COVERAGE if c in inds]
    coverage = {"towns": [t.name for t in towns], "series": []}
    if latest is not None:
        figs = snapshots.figures(cov, user=user, start=as_of.replace(day=1), end=as_of)
        coverage["series"] = [
            {"name": i.name, "data": [figs[i.code].value(t.code) for t in towns]} for i in cov
        ]
    months = periods.months_back(day, 12)
    trend_inds = [inds[c] for c in TRENDS if c in inds]
    series = snapshots.monthly(trend_inds, user=user, months=months)
    trends = {
        "months": [m.key for m in months],
        "series": [
            {"name": i.name, "data": [series[i.code].get(m.key) for m in months]}
            for i in trend_inds
        ],
    }
    plan = current_plan(user, day)
    goals = {"plan": plan.name if plan else "", "items": []}
    if plan and latest is not None:
        code = own_code(user).ljust(12, "0")
        for p in progress(user, plan, as_of, live=False):
            mine = p.target.area_code == code or (
                len(own_code(user)) > 9 and p.target.area_code == code[:9].ljust(12, "0")
            )
            if mine and p.target.value:
                goals["items"].append(
                    {
                        "name": p.target.indicator.name,
                        "target": p.target.value,
                        "unit": p.target.indicator.unit,
                        "value": p.value,
                        "percent": p.percent,
                        "status": p.status,
                        "ratio": p.target.indicator.kind == IndicatorKind.RATIO,
                    }
                )
        goals["elapsed"] = round(
            100
            * (min(as_of, plan.ends_on) - plan.starts_on).days
            / max(1, (plan.ends_on - plan.starts_on).days)
        )
    return {
        "coverage": coverage,
        "trends": trends,
        "goals": goals,
        "as_of": as_of.isoformat() if as_of else None,
        "built_at": timezone.localtime(latest.built_at).strftime("%Y-%m-%d %H:%M")
        if latest
        else None,
    }


def latest_unread(user: User) -> tuple[Bulletin | None, BulletinRead | None]:
    """The latest published bulletin for the user's home page, and the user's confirmation if any."""
    b = published_bulletins(user).order_by("-month", "-id").first()
    if b is None:
        return None, None
    return b, BulletinRead.objects.filter(bulletin=b, user=user).first()


def overdue_count(user: User, day: dt.date) -> int:
    from .selectors import overdue_tasks

    return overdue_tasks(user, day).count()


def rectification_notice(user: User) -> dict | None:
    """约谈整改 on the home page: a township's interviews still awaiting its report, or the
    county's reports awaiting acceptance; None when there is nothing to do."""
    from fupin.access.scope import scoped

    from .models import Interview

    qs = scoped(Interview.objects.all(), user)
    code = own_code(user)
    if len(code) == 9:
        n = qs.filter(report_submitted_at__isnull=True).count()
        return {"label": "约谈待提交整改报告", "n": n, "state": "unreported"} if n else None
    if len(code) <= 6:
        n = qs.filter(report_submitted_at__isnull=False, report_accepted_at__isnull=True).count()
        return {"label": "整改报告待验收", "n": n, "state": "reported"} if n else None
    return None
