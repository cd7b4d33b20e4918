"""Demo price subsidies (演示): three months of the province's price index (one below the
trigger, two at or above it), people of the registry drawing unemployment benefit in them, and
the months' runs. Deterministic."""

from __future__ import annotations

import random

from django.utils import timezone

from fupin.access.models import User
from fupin.months import add_months
from fupin.registry.choices import ACTIVE_STATUSES
from fupin.registry.models import Person

from . import services
from .models import BenefitDrawing

SEED = 1617
INDICES = ["102.1", "103.6", "104.0"]


def build() -> str:
    county = User.objects.get(username="county")
    rng = random.Random(SEED)
    first = add_months(timezone.localdate().replace(day=1), -3)
    months = [add_months(first, i).strftime("%Y-%m") for i in range(3)]
    people = list(Person.objects.filter(status__in=ACTIVE_STATUSES).order_by("id")[:400])
    drawing = rng.sample(people, min(18, len(people)))
    rows = []
    for i, month in enumerate(months):
        services.set_price_index(user=county, month=month, index=INDICES[i], note="演示数据")
        for p in drawing[: 12 + 3 * i]:
            rows.append(
                BenefitDrawing(
                    person=p,
                    village_code=p.village_code,
                    month=month,
                    benefit_fen=rng.choice([108000, 117000, 126000]),
                    source="演示：失业保险金发放名单",
                )
            )
    BenefitDrawing.objects.bulk_create(rows, ignore_conflicts=True)
    paid = 0
    for month in months:
        paid += services.run_month(user=county, month=month).created
    return f"价格临时补贴：{len(months)} 个月价格指数，领取失业保险金 {len(rows)} 人次，核算补贴 {paid} 人次"
