"""Demo data for 社保扶贫代缴 (演示): records filled from the demo's insurance extract, a few 60+
people with some years paid, someone within five years of pension age, and the county's 2017
and 2018 medical and pension 代缴 runs done (so 2018 shows 新增/减少 against 2017).

Deterministic: the same registry and extract give the same records and lists on every run.
Run by `fupin demo` after the exchange module's extract (DEMO_BUILDERS).
"""

from __future__ import annotations

import datetime as dt

from fupin.access.models import User
from fupin.policy.params import fen_to_yuan
from fupin.registry.models import Person

from . import services
from .models import PensionRecord, SubsidyEntry
from .rules import born_before

YEAR = 2018


def build() -> str:
    """DEMO_BUILDERS hook; returns a one-line Chinese summary."""
    county = User.objects.get(username="county")
    services.sync_from_extract(user=county, year=YEAR)
    ref = dt.date(YEAR, 1, 1)
    # 60+ poor people with some years paid (补缴 = 15 − years), in id order: deterministic.
    old = list(
        Person.objects.filter(
            status__in=["poor", "exited_policy"], birth_date__lte=born_before(ref, 60)
        ).order_by("id")[:6]
    )
    for i, p in enumerate(old):
        if PensionRecord.objects.filter(person=p, status="drawing").exists():
            continue
        services.update_pension(
            user=county,
            person=p,
            reason="演示：按参保档案补录已缴年限",
            status="paying",
            tier_fen=10000,
            paid_year=YEAR - 1,
            paid_by="self",
            years_paid=3 * i,
        )
    # One poor person within five years of 60 who has paid for years: the early-pension case.
    early = (
        Person.objects.filter(
            status="poor", birth_date__gt=born_before(ref, 60), birth_date__lte=born_before(ref, 55)
        )
        .order_by("id")
        .first()
    )
    if early is not None:
        services.update_pension(
            user=county,
            person=early,
            reason="演示：参保缴费 12 年，符合提前领取条件",
            status="paying",
            tier_fen=10000,
            paid_year=YEAR - 1,
            paid_by="government",
            years_paid=12,
        )
    for year in (YEAR - 1, YEAR):
        for insurance in ("medical", "pension"):
            services.execute_run(
                services.create_run(user=county, year=year, insurance=insurance), user=county
            )
    parts = []
    for insurance, label in (("medical", "医疗保险"), ("pension", "养老保险")):
        qs = SubsidyEntry.objects.filter(
            year=YEAR, insurance=insurance, scheme="premium", outcome="entitled"
        )
        parts.append(
            f"{label}应代缴 {qs.count()} 人 {fen_to_yuan(sum(qs.values_list('amount_fen', flat=True)))} 元"
        )
    back = SubsidyEntry.objects.filter(year=YEAR, scheme="back_pay", outcome="entitled")
    early_n = SubsidyEntry.objects.filter(
        year=YEAR, scheme="early_pension", outcome="entitled"
    ).count()
    return (
        f"社保代缴：{YEAR} 年度" + "，".join(parts) + f"；60 周岁以上补缴 {back.count()} 人 "
        f"{fen_to_yuan(sum(back.values_list('amount_fen', flat=True)))} 元；可提前领取养老金 {early_n} 人"
    )
