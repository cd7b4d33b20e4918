"""Reads of return-to-poverty monitoring (防止返贫监测), area-scoped here once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from fupin.access.models import User
from fupin.access.scope import scoped
from fupin.areas.models import Area

from .models import Alert, MonitoredHousehold, MonitoringRun, Stage


def households(user: User) -> QuerySet:
    return scoped(MonitoredHousehold.objects.select_related("household"), user)


def alerts(user: User) -> QuerySet:
    return scoped(Alert.objects.select_related("monitored", "person", "decision"), user)


def runs(user: User) -> QuerySet:
    return scoped(MonitoringRun.objects.all(), user)


def overdue_alerts(qs: QuerySet, day: dt.date) -> QuerySet:
    """预警逾期未核查: still 预警 after the check deadline."""
    return qs.filter(stage=Stage.ALERT, check_due__lt=day)


def overdue_checks(qs: QuerySet, day: dt.date) -> QuerySet:
    """核查后逾期未认定: still 核查中 after the decision deadline."""
    return qs.filter(stage=Stage.CHECKING, decision_due__lt=day)


def overdue_reviews(qs: QuerySet, day: dt.date, quarter: str) -> QuerySet:
    """本季度尚未回访的监测对象 (纳入监测 or 帮扶中, identified before this quarter's end)."""
    return qs.filter(stage__in=[Stage.MONITORED, Stage.ASSISTING]).exclude(reviews__quarter=quarter)


def by_township(user: User, day: dt.date) -> list[dict]:
    """One row per township: households per stage, overdue alerts and overdue checks."""
    qs = households(user).annotate(town=Substr("village_code", 1, 9)).values("town")
    stage_counts = {s: Count("id", filter=Q(stage=s)) for s in Stage.values}
    rows = qs.annotate(
        **stage_counts,
        overdue_alerts=Count("id", filter=Q(stage=Stage.ALERT, check_due__lt=day)),
        overdue_checks=Count("id", filter=Q(stage=Stage.CHECKING, decision_due__lt=day)),
        total=Count("id"),
    ).order_by("town")
    names = dict(
        Area.objects.filter(code__in=[r["town"] for r in rows]).values_list("code", "name")
    )
    out = []
    for r in rows:
        out.append(
            {
                **r,
                "name": names.get(r["town"], "（未知乡镇）"),
                "stages": [r[s] for s in Stage.values],
            }
        )
    return out


def area_names(codes: Iterable[str]) -> dict[str, str]:
    codes = {c for c in codes if c}
    return dict(Area.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def place_names(codes: Iterable[str]) -> dict[str, str]:
    """“鹅湖镇 桃墅村” for village codes."""
    codes = {c for c in codes if c}
    names = area_names(codes | {c[:9] for c in codes})
    return {c: f"{names.get(c[:9], '')} {names.get(c, c)}".strip() for c in codes}
