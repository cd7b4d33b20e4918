"""Reads of the insurance module (社会保险), area scope applied here (fupin.access.scope)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr

from fupin.access.models import User
from fupin.access.scope import get_scoped, scoped
from fupin.areas.models import Area, Level, village_code_range
from fupin.registry.models import Person

from .models import (
    InsuranceChange,
    MedicalEnrolment,
    PaidBy,
    PensionRecord,
    PensionStatus,
    Reason,
    SubsidyChange,
    SubsidyEntry,
    SubsidyRun,
)


def runs(user: User) -> QuerySet[SubsidyRun]:
    return scoped(SubsidyRun.objects.all(), user).select_related("created_by")


def run(user: User, pk: int) -> SubsidyRun:
    return get_scoped(SubsidyRun.objects.all(), user, pk=pk)


def _in_town(qs: QuerySet, town: str) -> QuerySet:
    if town and town.isdigit() and len(town) in (9, 12):
        return qs.filter(village_code__range=village_code_range(town))
    return qs


def entries(
    user: User,
    *,
    year: int,
    insurance: str,
    scheme: str,
    outcome: str = "",
    reason: str = "",
    town: str = "",
) -> QuerySet[SubsidyEntry]:
    qs = scoped(SubsidyEntry.objects.filter(year=year, insurance=insurance, scheme=scheme), user)
    if outcome in ("entitled", "excluded"):
        qs = qs.filter(outcome=outcome)
    if reason in Reason.values:
        qs = qs.filter(reason=reason)
    return _in_town(qs, town).select_related("person", "run")


def changes(
    user: User, *, year: int, insurance: str, change: str = "", town: str = ""
) -> QuerySet[SubsidyChange]:
    qs = scoped(SubsidyChange.objects.filter(year=year, insurance=insurance), user)
    if change in ("added", "removed"):
        qs = qs.filter(change=change)
    return _in_town(qs, town).select_related("person")


def townships(user: User) -> list[tuple[str, str]]:
    """(code, name) of the townships the user may see."""
    from fupin.access.scope import area_code_of

    code = area_code_of(user) or ""
    qs = Area.objects.filter(level=Level.TOWNSHIP)
    if code:
        qs = qs.filter(code__startswith=code[:9])
    return list(qs.order_by("code").values_list("code", "name"))


GAPS = {
    "not_enrolled": "应代缴未参保",
    "not_subsidised": "已参保未享受财政补助",
    "uncovered": "未参保且不在代缴名单",
}


def _coverage_people(user: User, *, year: int, insurance: str) -> QuerySet[Person]:
    people = scoped(Person.objects.exclude(status="removed"), user)
    entry = SubsidyEntry.objects.filter(
        person=OuterRef("pk"), year=year, insurance=insurance, scheme="premium"
    )
    if insurance == "medical":
        enrolled = Exists(MedicalEnrolment.objects.filter(person=OuterRef("pk"), year=year))
        subsidised = Exists(
            MedicalEnrolment.objects.filter(
                person=OuterRef("pk"), year=year, paid_by=PaidBy.GOVERNMENT
            )
        )
    else:
        enrolled = Exists(
            PensionRecord.objects.filter(
                person=OuterRef("pk"), status__in=[PensionStatus.PAYING, PensionStatus.DRAWING]
            )
        )
        subsidised = Exists(
            PensionRecord.objects.filter(
                person=OuterRef("pk"), paid_year=year, paid_by=PaidBy.GOVERNMENT
            )
        )
    return people.annotate(
        enrolled=enrolled,
        subsidised=subsidised,
        entitled=Exists(entry.filter(outcome="entitled")),
        listed=Exists(entry),
        entry_reason=Subquery(entry.values("reason")[:1]),
    )


# Exclusions that do not make a gap: nobody should be enrolled (or paid for) in these cases.
NO_GAP_REASONS = ("deceased", "moved", "removed", "under_age", "over_age", "drawing")


def gap_filter(gap: str) -> Q:
    if gap == "not_enrolled":
        return Q(entitled=True, enrolled=False)
    if gap == "not_subsidised":
        # 已参保未享受财政补助 (000: 18,361 people): entitled but not paid for, or paid the premium themselves.
        return Q(entitled=True, enrolled=True, subsidised=False) | Q(
            entry_reason="paid", subsidised=False
        )
    return Q(entitled=False, enrolled=False, listed=True) & ~Q(entry_reason__in=NO_GAP_REASONS)


def coverage(user: User, *, year: int, insurance: str) -> list[dict]:
    """应保尽保 per township: people, enrolled, entitled, subsidised and each gap."""
    people = _coverage_people(user, year=year, insurance=insurance)
    rows = (
        people.annotate(town=Substr("village_code", 1, 9))
        .values("town")
        .order_by("town")
        .annotate(
            people=Count("id"),
            enrolled_n=Count("id", filter=Q(enrolled=True)),
            entitled_n=Count("id", filter=Q(entitled=True)),
            subsidised_n=Count("id", filter=Q(subsidised=True)),
            **{f"gap_{g}": Count("id", filter=gap_filter(g)) for g in GAPS},
        )
    )
    names = dict(Area.objects.filter(level=Level.TOWNSHIP).values_list("code", "name"))
    return [{**r, "name": names.get(r["town"], "未知乡镇")} for r in rows]


def gaps(
    user: User, *, year: int, insurance: str, gap: str = "", town: str = ""
) -> QuerySet[Person]:
    people = _in_town(_coverage_people(user, year=year, insurance=insurance), town)
    if gap in GAPS:
        return people.filter(gap_filter(gap))
    q = Q()
    for g in GAPS:
        q |= gap_filter(g)
    return people.filter(q)


def gap_of(p: Person) -> str:
    if p.entitled and not p.enrolled:
        return GAPS["not_enrolled"]
    if (p.entitled or p.entry_reason == "paid") and not p.subsidised:
        return GAPS["not_subsidised"]
    label = Reason(p.entry_reason).label if p.entry_reason in Reason.values else ""
    return f"{GAPS['uncovered']}（{label}）" if label else GAPS["uncovered"]


def person_records(user: User, person: Person) -> dict:
    """What the person page shows: pension record, medical years, 代缴/补缴 entries, history."""
    return {
        "pension": scoped(PensionRecord.objects.filter(person=person), user).first(),
        "medical": list(
            scoped(MedicalEnrolment.objects.filter(person=person), user).order_by("-year")[:10]
        ),
        "entries": list(
            scoped(SubsidyEntry.objects.filter(person=person), user)
            .select_related("run")
            .order_by("-year", "insurance", "scheme")[:20]
        ),
        "history": list(
            scoped(InsuranceChange.objects.filter(person=person), user).select_related(
                "changed_by"
            )[:10]
        ),
    }
