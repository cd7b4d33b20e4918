"""工作台仪表盘: the dashboard of the user's area — coverage per township, monthly trends, targets
against progress — as JSON for ECharts (static JS, data through json_script)."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache

from . import periods
from .indicators import evaluate, monthly
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
CACHE_SECONDS = 300


def current_plan(user, day: dt.date) -> Plan | None:
    qs = plans(user)
    return (
        qs.filter(starts_on__lte=day, ends_on__gte=day).order_by("-starts_on").first()
        or qs.order_by("-ends_on").first()
    )


def data(user, day: dt.date, version: str = "") -> dict:
    """Everything the charts draw, for the user's area; cached a few minutes per area, day and
    registry version (figures move with the day's work, not by the second)."""
    key = f"fupin:dashboard:{own_code(user)}:{day.isoformat()}:{version}"
    found = cache.get(key)
    if found is not None:
        return found
    inds = {i.code: i for i in active_indicators()}
    towns = townships(user)
    month = periods.month(day)
    cov = [inds[c] for c in COVERAGE if c in inds]
    figs = evaluate(cov, user=user, start=month.start, end=day)
    coverage = {
        "towns": [t.name for t in towns],
        "series": [
            {"name": i.name, "data": [figs[i.code].value(t.code) for t in towns]} for i in cov
        ],
    }
    months = periods.months_back(day, 12)
    trend_inds = [inds[c] for c in TRENDS if c in inds]
    series = monthly(trend_inds, user=user, start=months[0].start, end=months[-1].end)
    trends = {
        "months": [m.key for m in months],
        "series": [
            {"name": i.name, "data": [series.get(i.code, {}).get(m.key, 0) for m in months]}
            for i in trend_inds
        ],
    }
    plan = current_plan(user, day)
    goals = {"plan": plan.name if plan else "", "items": []}
    if plan:
        code = own_code(user).ljust(12, "0")
        for p in progress(user, plan, day):
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
            * (min(day, plan.ends_on) - plan.starts_on).days
            / max(1, (plan.ends_on - plan.starts_on).days)
        )
    result = {"coverage": coverage, "trends": trends, "goals": goals}
    cache.set(key, result, CACHE_SECONDS)
    return result


def latest_unread(user) -> tuple[Bulletin | None, BulletinRead | None]:
    """The latest published bulletin for the user's home page, and the user's confirmation if any."""
    b = published_bulletins(user).order_by("-month", "-id").first()
    if b is None:
        return None, None
    return b, BulletinRead.objects.filter(bulletin=b, user=user).first()


def overdue_count(user, day: dt.date) -> int:
    from .selectors import overdue_tasks

    return overdue_tasks(user, day).count()
