"""演示数据: start-up guaranteed loans and one-time start-up subsidies (DEMO_BUILDERS hook `build`)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from fupin.access.models import User
from fupin.creditcode import ALPHABET, make_credit_code
from fupin.registry.choices import ACTIVE_STATUSES, Intention
from fupin.registry.models import Person

from . import services

PROJECTS = [
    "浮梁红茶种植加工",
    "陶瓷电商网店",
    "农家乐",
    "生态养鸡",
    "竹编工艺作坊",
    "农产品直播带货",
    "茶叶初制所",
]


SEED = 20180406


@transaction.atomic
def build() -> str:
    """DEMO_BUILDERS hook: loans for people who want to start a business, subsidies for some."""
    user = User.objects.get(username="county")
    return "创业扶持：" + build_loans(random.Random(SEED), dt.date.today(), user)


def build_loans(rng: random.Random, today: dt.date, user: User) -> str:
    people = list(
        Person.objects.filter(intention=Intention.STARTUP, status__in=ACTIVE_STATUSES).order_by(
            "id"
        )
    )
    loans = grants = 0
    for p in rng.sample(people, min(24, len(people))):
        kind = "individual" if rng.random() < 0.8 else "partnership"
        principal = (
            rng.choice([30000, 50000, 80000, 100000])
            if kind == "individual"
            else rng.choice([200000, 300000, 500000])
        )
        start = today - dt.timedelta(days=rng.randint(30, 500))
        services.grant_loan(
            user=user,
            person=p,
            kind=kind,
            guaranteed=True,
            principal_fen=principal * 100,
            project=rng.choice(PROJECTS),
            start_on=start,
            term_months=rng.choice([24, 36]),
        )
        loans += 1
        if rng.random() < 0.4 and (today - start).days > 200:
            founded = start - dt.timedelta(days=rng.randint(0, 30))
            code = make_credit_code("92360222" + "".join(rng.choice(ALPHABET) for _ in range(9)))
            services.grant_startup_subsidy(
                user=user,
                person=p,
                firm_name=f"浮梁县{p.name}{rng.choice(PROJECTS)}店",
                credit_code=code,
                founded_on=founded,
                first_firm=True,
                day=today - dt.timedelta(days=rng.randint(0, 20)),
            )
            grants += 1
    return f"创业担保贷款 {loans} 笔、一次性创业补贴 {grants} 人"
