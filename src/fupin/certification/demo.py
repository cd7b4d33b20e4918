"""演示数据: this year's certifications of the demo pensioners — most certified at the village
station, some at home (上门), some not yet, so the lists per village and the warnings show.

Run by `fupin demo` after the insurance demo (whose records say who draws a pension).
Deterministic: pensioners in id order, a fixed seed; dates relative to the day of the build.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from fupin.access.models import User
from fupin.insurance.models import PensionRecord
from fupin.registry.choices import Status

from . import services
from .models import Method
from .selectors import is_pensioner_q

SEED = 20171231


def build() -> str:
    today = timezone.localdate()
    year = today.year
    rng = random.Random(SEED)
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
    return f"资格认证：{year} 年度应认证 {total} 人，已认证 {done} 人（上门 {home} 人）"
