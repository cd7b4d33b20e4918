"""Reads of the employment module (就业帮扶); area scope applied here, once."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Max, Q, QuerySet

from fupin.access.models import User
from fupin.access.scope import home_area_code, scoped, shared_readable
from fupin.areas.models import Area, Level, village_code_range
from fupin.months import add_months, month_end, month_start
from fupin.policy.employment import default_pack_id, rules
from fupin.registry.choices import ACTIVE_STATUSES, Intention
from fupin.registry.models import Person

from .models import (
    Employer,
    EmployerKind,
    JobFair,
    Posting,
    Recommendation,
    RecommendationBatch,
    Referral,
    ReferralStatus,
    WelfareSubsidy,
)
from .recommend import eligible


def employers(user: User) -> QuerySet:
    return scoped(Employer.objects.all(), user)


def postings(user: User) -> QuerySet:
    """Every posting of the user's county (shared-readable); edits use `get_scoped` on the owner's area."""
    return shared_readable(Posting.objects.select_related("employer", "occupation"), user)


def persons(user: User) -> QuerySet:
    return scoped(Person.objects.all(), user)


def referrals(user: User) -> QuerySet:
    return scoped(Referral.objects.select_related("person", "posting", "posting__employer"), user)


def fairs(user: User) -> QuerySet:
    return scoped(JobFair.objects.all(), user)


def batches(user: User) -> QuerySet:
    return scoped(RecommendationBatch.objects.all(), user)


def welfare_subsidies(user: User) -> QuerySet:
    return scoped(
        WelfareSubsidy.objects.select_related("person", "referral__posting__employer"), user
    )


def recommendations(user: User, person_qs: QuerySet | None = None) -> QuerySet:
    qs = scoped(Recommendation.objects.filter(current=True), user)
    if person_qs is not None:
        qs = qs.filter(person__in=person_qs)
    return qs.select_related(
        "person", "posting", "posting__employer", "posting__occupation"
    ).order_by("person__household_id", "person_id", "rank")


def in_area(qs: QuerySet, code: str, field: str = "village_code") -> QuerySet:
    return qs.filter(**{f"{field}__range": village_code_range(code)}) if code else qs


def townships(user: User) -> list[Area]:
    own = home_area_code(user)
    qs = Area.objects.filter(
        level=Level.TOWNSHIP, code__startswith=own[:9] if len(own) >= 9 else own
    )
    return list(qs.order_by("code"))


def needing_follow_up(user: User) -> QuerySet:
    """有培训、就业需求的扶贫对象 (000): followed up each quarter."""
    return (
        persons(user)
        .filter(status__in=ACTIVE_STATUSES)
        .filter(
            Q(training_need=True)
            | Q(intention__in=[Intention.LOCAL, Intention.MIGRATE, Intention.STARTUP])
        )
    )


def overdue_visits(user: User, day: dt.date, area: str = "") -> QuerySet:
    """Persons whose last follow-up visit is older than the pack's interval (or who have none)."""
    cutoff = add_months(day, -rules().follow_up_months.value)
    qs = in_area(needing_follow_up(user), area).annotate(last_visit=Max("follow_ups__visited_on"))
    return qs.filter(Q(last_visit__isnull=True) | Q(last_visit__lt=cutoff))


def overdue_by_township(user: User, day: dt.date) -> list[dict]:
    due = Counter(c[:9] for c in needing_follow_up(user).values_list("village_code", flat=True))
    late = Counter(c[:9] for c in overdue_visits(user, day).values_list("village_code", flat=True))
    names = dict(Area.objects.filter(code__in=list(due)).values_list("code", "name"))
    return [
        {"code": t, "name": names.get(t, t), "due": due[t], "overdue": late[t]} for t in sorted(due)
    ]


@dataclass
class AwardRow:
    employer: Employer
    person: Person
    hired_on: dt.date
    ended_on: dt.date | None
    amount_fen: int


def workshop_awards(user: User, year: int) -> tuple[list[AwardRow], dict]:
    """就业扶贫车间奖补: per absorbed registered poor worker employed in `year`, per the pack."""
    pack_id = default_pack_id()
    param = rules(pack_id).workshop_award_per_worker_year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    hires = (
        scoped(
            Referral.objects.filter(
                posting__employer__kind=EmployerKind.WORKSHOP,
                status__in=[ReferralStatus.HIRED, ReferralStatus.LEFT],
                hired_on__lte=end,
            ),
            user,
        )
        .exclude(ended_on__lt=start)
        .select_related("person", "posting__employer")
        .order_by("posting__employer_id", "hired_on")
    )
    rows, seen = [], set()
    for r in hires:
        key = (r.posting.employer_id, r.person_id)
        if key in seen or r.person.status not in ACTIVE_STATUSES:
            continue
        seen.add(key)
        rows.append(
            AwardRow(r.posting.employer, r.person, r.hired_on, r.ended_on, param.value or 0)
        )
    totals: dict = defaultdict(lambda: {"workers": 0, "amount_fen": 0})
    for row in rows:
        totals[row.employer]["workers"] += 1
        totals[row.employer]["amount_fen"] += row.amount_fen
    return rows, {"pack_id": pack_id, "param": param, "totals": dict(totals)}


def months_employed(hired_on: dt.date, ended_on: dt.date | None, year: int, today: dt.date) -> int:
    """Calendar months of `year` (up to today) with at least one day in post."""
    n = 0
    for month in range(1, 13):
        start = dt.date(year, month, 1)
        end = month_end(start)
        if start <= today and hired_on <= end and (ended_on is None or ended_on >= start):
            n += 1
    return n


def employer_subsidies(user: User, year: int, today: dt.date) -> list[dict]:
    """岗位补贴、社保补贴 to employers that hired registered poor workers, where the pack sets a monthly amount."""
    r = rules()
    post, social = (
        r.employer_post_subsidy_monthly.value,
        r.employer_social_insurance_subsidy_monthly.value,
    )
    if post is None and social is None:
        return []
    hires = (
        scoped(
            Referral.objects.filter(
                status__in=[ReferralStatus.HIRED, ReferralStatus.LEFT],
                hired_on__lte=dt.date(year, 12, 31),
            ),
            user,
        )
        .exclude(posting__employer__kind=EmployerKind.WELFARE)
        .exclude(ended_on__lt=dt.date(year, 1, 1))
        .select_related("person", "posting__employer")
    )
    rows = []
    for h in hires:
        months = months_employed(h.hired_on, h.ended_on, year, today)
        if months:
            rows.append(
                {
                    "employer": h.posting.employer,
                    "person": h.person,
                    "months": months,
                    "post_fen": (post or 0) * months,
                    "social_fen": (social or 0) * months,
                }
            )
    return rows


def fair_timetable(user: User, township: str, month: dt.date) -> QuerySet:
    nxt = add_months(month_start(month), 1)
    qs = fairs(user).filter(held_on__gte=month, held_on__lt=nxt)
    if township:
        qs = qs.filter(area_code__startswith=township)
    return qs.prefetch_related("employers", "postings", "postings__employer").order_by(
        "held_on", "area_code"
    )


def summary(user: User, day: dt.date) -> dict:
    people = persons(user)
    return {
        "employers": employers(user).count(),
        "open_postings": postings(user).filter(opens_on__lte=day, closes_on__gte=day).count(),
        "eligible": eligible(people, day).count(),
        "recommended": recommendations(user).values("person_id").distinct().count(),
        "referred": referrals(user).count(),
        "hired": referrals(user).filter(status=ReferralStatus.HIRED).count(),
        "overdue": overdue_visits(user, day).count(),
        "fairs": fairs(user).filter(held_on__year=day.year, held_on__month=day.month).count(),
    }
