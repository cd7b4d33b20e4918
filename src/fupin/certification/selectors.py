"""Reads of the yearly certification (资格认证), area-scoped: who must certify, who has, who is late.

A pensioner must certify for a year when his insurance record says he draws the pension
(领取待遇) and drew it before that year began (a new pensioner's first payment already checked
him), and he has not left the registry (自然减少).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from fupin.access.models import User
from fupin.access.scope import scoped
from fupin.insurance.models import PensionRecord, PensionStatus
from fupin.registry.choices import Status
from fupin.registry.models import Person

from .models import Certification
from .rules import CertificationRules, rules


class Stage:
    """Where the year stands on a day, for those not yet certified."""

    CERTIFIED = "certified"
    PENDING = "pending"
    DUE = "due"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"


STAGE_NAMES = {
    Stage.CERTIFIED: "已认证",
    Stage.PENDING: "未认证（未到督促期）",
    Stage.DUE: "未认证（临近截止，列入督促名单）",
    Stage.AT_RISK: "未认证（待遇暂停风险）",
    Stage.OVERDUE: "逾期未认证（应暂停发放）",
}


@dataclass(frozen=True)
class YearWindow:
    year: int
    deadline: dt.date
    reminder_from: dt.date
    risk_from: dt.date

    def stage(self, day: dt.date) -> str:
        """The stage of an uncertified pensioner on `day`."""
        if day > self.deadline:
            return Stage.OVERDUE
        if day >= self.risk_from:
            return Stage.AT_RISK
        if day >= self.reminder_from:
            return Stage.DUE
        return Stage.PENDING


def window(year: int, r: CertificationRules | None = None) -> YearWindow:
    r = r or rules()
    deadline = r.deadline_of(year)
    return YearWindow(
        year=year,
        deadline=deadline,
        reminder_from=deadline - dt.timedelta(days=r.reminder_days.value),
        risk_from=deadline - dt.timedelta(days=r.risk_days.value),
    )


def is_pensioner_q(year: int) -> Q:
    return Q(status=PensionStatus.DRAWING) & (
        Q(drawing_since__isnull=True) | Q(drawing_since__lt=dt.date(year, 1, 1))
    )


def pensioners(user: User, year: int) -> QuerySet:
    """The pension records of those who must certify for `year`, in the user's area, each
    annotated with `certified` (bool) and `certified_on` (date or None)."""
    certs = Certification.objects.filter(person_id=OuterRef("person_id"), year=year)
    return (
        scoped(PensionRecord.objects.select_related("person"), user)
        .filter(is_pensioner_q(year))
        .exclude(person__status=Status.REMOVED)
        .annotate(
            certified=Exists(certs),
            certified_on=Subquery(certs.values("certified_on")[:1]),
            certified_method=Subquery(certs.values("method")[:1]),
        )
    )


def must_certify(person: Person, year: int) -> bool:
    """Whether this person (already read through scope, or the resident himself) must certify."""
    if person.status == Status.REMOVED:
        return False
    return PensionRecord.objects.filter(is_pensioner_q(year), person=person).exists()


def certifications(user: User) -> QuerySet:
    return scoped(Certification.objects.select_related("person", "recorded_by"), user)


def by_village(user: User, year: int) -> list[dict]:
    """Per village: pensioners who must certify, certified, not yet certified (按村统计)."""
    rows = (
        pensioners(user, year)
        .order_by()
        .values("village_code")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(certified=True)),
        )
        .order_by("village_code")
    )
    return [{**r, "missing": r["total"] - r["done"]} for r in rows]
