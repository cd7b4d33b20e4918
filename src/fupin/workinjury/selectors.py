"""Reads of 工伤认定绿色通道, area scope applied here."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    BigIntegerField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from fupin.access.models import User
from fupin.access.scope import scoped

from .models import Decision, InjuryCase, Recovery, RecoveryKind
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


RECOVERY_FILTERS = {
    "outstanding": "尚未追回",
    "overdue": "逾期未偿还",
    "settled": "已追回或核销",
    "all": "全部",
}


def recoveries(user: User, *, shown: str = "outstanding", today: dt.date) -> QuerySet[InjuryCase]:
    """先行支付追偿台账: cases with a first payment, each annotated with `recovered_fen`,
    `written_off_fen`, `outstanding_fen` and `due_on` (the first payment's date + the pack's
    `recovery_due_days`; the default pack's number, like the case clocks' lists)."""

    def total(kind: str):
        return Coalesce(
            Subquery(
                Recovery.objects.filter(case=OuterRef("pk"), kind=kind)
                .values("case")
                .annotate(t=Sum("amount_fen"))
                .values("t")[:1],
                output_field=BigIntegerField(),
            ),
            Value(0),
            output_field=BigIntegerField(),
        )

    qs = (
        cases(user)
        .filter(first_payment_fen__isnull=False)
        .annotate(
            recovered_fen=total(RecoveryKind.RECOVERED),
            written_off_fen=total(RecoveryKind.WRITTEN_OFF),
        )
        .annotate(
            outstanding_fen=ExpressionWrapper(
                F("first_payment_fen") - F("recovered_fen") - F("written_off_fen"),
                output_field=BigIntegerField(),
            )
        )
        .order_by("first_payment_on", "id")
    )
    due = dt.timedelta(days=rules().recovery_due_days.value)
    if shown == "outstanding":
        qs = qs.filter(outstanding_fen__gt=0)
    elif shown == "overdue":
        qs = qs.filter(outstanding_fen__gt=0, first_payment_on__lt=today - due)
    elif shown == "settled":
        qs = qs.filter(outstanding_fen__lte=0)
    return qs


def recovery_due_on(case: InjuryCase) -> dt.date | None:
    """The day the employer should have repaid by (the case's own pack)."""
    if case.first_payment_on is None:
        return None
    return case.first_payment_on + dt.timedelta(days=rules(case.pack_id).recovery_due_days.value)
