"""演示数据: this year's certifications of the demo pensioners — most certified at the village
station, some at home (上门), some not yet, so the lists per village and the warnings show.

Run by `fupin demo` after the insurance demo. The demo extract has no one drawing the pension, so
first the people who turned 60 before this year are entered as drawing since the month after their
60th birthday — through the insurance module's own service (`update_pension`, audited with the
reason), as a township would from the agency's list. Deterministic: id order, a fixed seed; dates
relative to the day of the build.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from fupin.access.models import User
from fupin.insurance.models import PensionRecord, PensionStatus
from fupin.months import add_months, month_start
from fupin.registry.choices import ACTIVE_STATUSES, Status
from fupin.registry.models import Person

from . import services
from .models import Method
from .selectors import is_pensioner_q

SEED = 20171231


MAX_NEW_PENSIONERS = 400


def _month_after(day: dt.date) -> dt.date:
    return add_months(month_start(day), 1)


def _ensure_pensioners(year: int) -> int:
    from fupin.insurance.services import update_pension

    county = User.objects.get(username="county")
    start = dt.date(year, 1, 1)
    old = (
        Person.objects.filter(
            status__in=ACTIVE_STATUSES, birth_date__lt=start.replace(year=year - 60)
        )
        .exclude(pension_record__status=PensionStatus.DRAWING)
        .order_by("id")[:MAX_NEW_PENSIONERS]
    )
    added = 0
    for p in old:
        sixty = p.birth_date.replace(year=p.birth_date.year + 60, day=1)
        update_pension(
            user=county,
            person=p,
            reason="演示：年满60周岁，按经办机构名单领取待遇",
            status=PensionStatus.DRAWING,
            drawing_since=_month_after(sixty),
        )
        added += 1
    return added


def build() -> str:
    today = timezone.localdate()
    year = today.year
    rng = random.Random(SEED)
    added = _ensure_pensioners(year)
    users: dict[str, User | None] = {}
    done = home = 0
    records = (
        PensionRecord.objects.filter(is_pensioner_q(year))
        .exclude(person__status=Status.REMOVED)
        .select_related("person")
        .order_by("id")
    )
    total = 0
    for rec in records.iterator():
        total += 1
        if rng.random() >= 0.7:
            continue
        town = rec.village_code[:9]
        if town not in users:
            users[town] = User.objects.filter(username=f"town-{town}").first()
        user = users[town]
        if user is None:
            continue
        day = dt.date(year, 1, 1) + dt.timedelta(
            days=rng.randint(0, (today - dt.date(year, 1, 1)).days)
        )
        method = Method.HOME if rng.random() < 0.15 else Method.IN_PERSON
        services.certify(
            user=user,
            person=rec.person,
            year=year,
            certified_on=day,
            method=method,
            note="行动不便，协理员上门认证" if method == Method.HOME else "",
            today=today,
        )
        done += 1
        home += method == Method.HOME
    return (
        f"资格认证：{year} 年度应认证 {total} 人（其中演示补录领取待遇 {added} 人），"
        f"已认证 {done} 人（上门 {home} 人）"
    )
