"""Reads of 工伤认定绿色通道, area scope applied here."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from fupin.access.models import User
from fupin.access.scope import scoped

from .models import Decision, InjuryCase
from .rules import rules

CLOCK_FILTERS = {
    "late": "已超期",
    "warning": "即将到期",
    "open": "未结案",
    "first_payment": "已核定先行支付",
}


def cases(user: User) -> QuerySet[InjuryCase]:
    return scoped(InjuryCase.objects.all(), user).order_by("-reported_at", "-id")


def _clock_q(now: dt.datetime, *, late: bool) -> Q:
    """Cases whose 48-hour investigation or five-day decision is past due (late) or in its warning
    window (not late), by the default pack's numbers."""
    r = rules()
    inv = dt.timedelta(hours=r.investigation_hours.value)
    dec = dt.timedelta(days=r.decision_days.value)
    if late:
        return Q(investigated_at__isnull=True, reported_at__lt=now - inv) | Q(
            decision=Decision.PENDING, reported_at__lt=now - dec
        )
    inv_warn = inv - dt.timedelta(hours=r.investigation_warning_hours.value)
    dec_warn = dec - dt.timedelta(hours=r.decision_warning_hours.value)
    return Q(
        investigated_at__isnull=True, reported_at__lte=now - inv_warn, reported_at__gte=now - inv
    ) | Q(decision=Decision.PENDING, reported_at__lte=now - dec_warn, reported_at__gte=now - dec)


def filtered(user: User, *, clock: str = "", poor: bool = False, now: dt.datetime) -> QuerySet:
    qs = cases(user)
    if clock == "late":
        qs = qs.filter(_clock_q(now, late=True))
    elif clock == "warning":
        qs = qs.filter(_clock_q(now, late=False)).exclude(_clock_q(now, late=True))
    elif clock == "open":
        qs = qs.filter(decision__in=[Decision.PENDING, Decision.DISPUTED])
    elif clock == "first_payment":
        qs = qs.filter(first_payment_fen__isnull=False)
    if poor:
        qs = qs.filter(poor=True)
    return qs
