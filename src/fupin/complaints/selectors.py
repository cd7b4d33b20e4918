"""Reads of complaints (诉求与投诉), area-scoped, with the level and lateness computed on read from the
deadlines fixed at filing: late to acknowledge → township, late to answer → county."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import ExtractMonth, Greatest
from django.utils import timezone

from fupin.access.models import User
from fupin.access.scope import scoped

from .models import Complaint, Level, Satisfaction

STATES = {
    "open": "未答复",
    "overdue": "已逾期",
    "answered": "已答复",
    "all": "全部",
}


def late_to_acknowledge(now: dt.datetime) -> Q:
    return Q(acknowledged_at__isnull=True, acknowledge_due__lt=now) | Q(
        acknowledged_at__gt=F("acknowledge_due")
    )


def late_to_answer(now: dt.datetime) -> Q:
    return Q(answered_at__isnull=True, answer_due__lt=now) | Q(answered_at__gt=F("answer_due"))


def overdue_now(now: dt.datetime) -> Q:
    """Still waiting past a time limit (what a list of 逾期 shows)."""
    return Q(acknowledged_at__isnull=True, acknowledge_due__lt=now) | Q(
        answered_at__isnull=True, answer_due__lt=now
    )


def with_level(qs: QuerySet, now: dt.datetime) -> QuerySet:
    """Each complaint annotated with `due_level` (what its lateness calls for on `now`) and
    `current_level` (that or the level already written down, whichever is higher)."""
    return qs.annotate(
        due_level=Case(
            When(late_to_answer(now), then=Value(Level.COUNTY)),
            When(late_to_acknowledge(now), then=Value(Level.TOWNSHIP)),
            default=Value(Level.VILLAGE),
            output_field=IntegerField(),
        )
    ).annotate(current_level=Greatest("level", "due_level"))


def complaints(user: User, now: dt.datetime) -> QuerySet:
    return with_level(scoped(Complaint.objects.select_related("person", "filed_by"), user), now)


def filtered(qs: QuerySet, *, state: str, now: dt.datetime) -> QuerySet:
    if state == "open":
        return qs.filter(answered_at__isnull=True)
    if state == "overdue":
        return qs.filter(overdue_now(now))
    if state == "answered":
        return qs.filter(answered_at__isnull=False)
    return qs


def monthly(user: User, year: int, now: dt.datetime) -> list[dict]:
    """Per month of `year` (by filing): filed, answered, answered on time, still overdue,
    escalated, rated, satisfied — one GROUP BY query."""
    start = timezone.make_aware(dt.datetime(year, 1, 1))  # the county's calendar (TIME_ZONE)
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    rows = (
        with_level(scoped(Complaint.objects.all(), user), now)
        .filter(filed_at__gte=start, filed_at__lt=end)
        .annotate(month=ExtractMonth("filed_at"))
        .order_by()
        .values("month")
        .annotate(
            filed=Count("id"),
            complaints=Count("id", filter=Q(kind="complaint")),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
            on_time=Count(
                "id", filter=Q(answered_at__isnull=False, answered_at__lte=F("answer_due"))
            ),
            overdue=Count("id", filter=overdue_now(now)),
            escalated=Count("id", filter=Q(current_level__gt=Level.VILLAGE)),
            rated=Count("id", filter=~Q(satisfaction="")),
            satisfied=Count(
                "id", filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])
            ),
        )
    )
    by_month = {r["month"]: r for r in rows}
    keys = (
        "filed",
        "complaints",
        "answered",
        "on_time",
        "overdue",
        "escalated",
        "rated",
        "satisfied",
    )
    return [
        {"month": f"{year}-{m:02d}", **{k: by_month.get(m, {}).get(k, 0) for k in keys}}
        for m in range(1, 13)
    ]
