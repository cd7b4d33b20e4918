"""A person's category on a date (身份自动识别): what a claim of that day is settled as.

The settlement engine takes a category per claim; this reads it from the registry's dated
history, so a person identified as poor in August, or who becomes 低保 mid-year, has each claim
settled with the category of its admission date:

1. 特困供养人员 if a 特困 period (`IdentityPeriod`) covers the day; else
2. 低保对象 if a 低保 period covers it; else
3. 建档立卡贫困人口 if the person's poverty status that day still carries the policies (新识别,
   未脱贫, 已脱贫(享受政策), 返贫) — from the person's own status history (`StatusChange`), or the
   household's when the person has none; before the first change, the status it changed from;
4. otherwise 普通参保居民.

Where several hold (a 特困 person is also 建档立卡), the order is the settling policy's
(`fupin.policy.precedence`: Jilin gives 特困 and 低保 more than the poor, Fuliang, Jining and
Qingcheng give the poor more); the steps above are in the default order. Where the registry has no dated record the
current entry applies to every date, and `basis` says so — staff see what the category rests on.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from fupin.policy.precedence import DEFAULT_PRECEDENCE
from fupin.registry.choices import SpecialIdentity, Status
from fupin.registry.models import IdentityPeriod, Person, StatusChange

ENJOYING = frozenset({Status.NEW, Status.POOR, Status.EXITED_WITH_POLICY, Status.RETURNED})


@dataclass(frozen=True)
class CategoryOnDay:
    category: str  # general | poor | dibao | tekun (fupin.policy.params.CATEGORIES)
    basis: str  # what it rests on, in Chinese, for staff


@dataclass
class Timeline:
    """One person's dated history, ready to answer `on(day)`."""

    current_status: str
    current_flags: dict[str, bool]
    status_days: list[date] = field(default_factory=list)
    statuses: list[tuple[str, str]] = field(default_factory=list)  # (old, new) per change
    periods: dict[str, list[IdentityPeriod]] = field(default_factory=lambda: defaultdict(list))
    precedence: tuple[str, ...] = (
        DEFAULT_PRECEDENCE  # categories tried in turn; the first held wins
    )

    def status_on(self, day: date) -> tuple[str, str]:
        if not self.status_days:
            return (
                self.current_status,
                f"无状态变更记录，按当前状态“{Status(self.current_status).label}”",
            )
        i = bisect.bisect_right(self.status_days, day) - 1
        if i < 0:
            old = self.statuses[0][0]
            first = self.status_days[0].isoformat()
            if not old:
                return "", f"{first} 建档之前未在册"
            return old, f"{first} 变更前为“{Status(old).label}”"
        new = self.statuses[i][1]
        return new, f"{self.status_days[i].isoformat()} 起为“{Status(new).label}”"

    def on(self, day: date) -> CategoryOnDay:
        status, basis = self.status_on(day)
        for category in self.precedence:
            if category == "poor":
                if status in ENJOYING:
                    return CategoryOnDay("poor", f"建档立卡：{basis}")
                continue
            periods = self.periods.get(category)
            label = SpecialIdentity(category).label
            if periods:
                hit = next((p for p in periods if p.covers(day)), None)
                if hit is not None:
                    return CategoryOnDay(category, f"{label}：{hit}")
            elif self.current_flags.get(category):
                return CategoryOnDay(category, f"{label}：无起止日期记录，按当前登记")
        return CategoryOnDay("general", f"非建档立卡享受政策人员：{basis}")


def timelines(
    persons: Iterable[Person], precedence: tuple[str, ...] = DEFAULT_PRECEDENCE
) -> dict[int, Timeline]:
    """The dated history of each person (three queries, whatever the number of persons), its
    categories tried in the settling policy's `precedence`."""
    persons = list(persons)
    out = {
        p.pk: Timeline(
            p.status,
            {SpecialIdentity.DIBAO: p.dibao, SpecialIdentity.TEKUN: p.tekun},
            precedence=precedence,
        )
        for p in persons
    }
    for period in IdentityPeriod.objects.filter(person__in=out).order_by("start", "id"):
        out[period.person_id].periods[period.identity].append(period)
    own: dict[int, list[StatusChange]] = defaultdict(list)
    by_household: dict[int, list[StatusChange]] = defaultdict(list)
    households = {p.household_id for p in persons}
    changes = StatusChange.objects.filter(household__in=households).order_by("effective_date", "id")
    for change in changes:
        if change.person_id is None:
            by_household[change.household_id].append(change)
        elif change.person_id in out:
            own[change.person_id].append(change)
    for p in persons:
        history = own.get(p.pk) or by_household.get(p.household_id, [])
        line = out[p.pk]
        line.status_days = [c.effective_date for c in history]
        line.statuses = [(c.old_status, c.new_status) for c in history]
    return out


def category_on(
    person: Person, day: date, precedence: tuple[str, ...] = DEFAULT_PRECEDENCE
) -> CategoryOnDay:
    return timelines([person], precedence)[person.pk].on(day)
