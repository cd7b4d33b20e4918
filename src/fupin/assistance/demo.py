"""演示数据: planned assistance measures for the people with training or work needs (帮扶计划).

DEMO_BUILDERS hook `build`, before training and employment: their completions close the measures.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Q

from fupin.access.models import User
from fupin.access.scope import scoped
from fupin.registry.choices import ACTIVE_STATUSES, Intention
from fupin.registry.models import Person

from .models import MeasureKind
from .services import plan_measure

SEED = 20180407


@transaction.atomic
def build() -> str:
    """DEMO_BUILDERS hook: up to 400 people, one to three measures each."""
    user = User.objects.get(username="county")
    return f"帮扶计划：帮扶措施 {build_plans(random.Random(SEED), dt.date.today(), user)} 项"


def build_plans(rng: random.Random, today: dt.date, user: User) -> int:
    # The people the employment module follows up (有培训、就业需求的扶贫对象), read from the registry.
    people = list(
        scoped(Person.objects.all(), user)
        .filter(status__in=ACTIVE_STATUSES)
        .filter(
            Q(training_need=True)
            | Q(intention__in=[Intention.LOCAL, Intention.MIGRATE, Intention.STARTUP])
        )
        .select_related("household")
        .order_by("id")
    )
    n = 0
    for p in rng.sample(people, min(400, len(people))):
        cadre = p.household.cadre_name or "帮扶责任人"
        kinds = [MeasureKind.FOLLOW_UP]
        if p.training_need:
            kinds.append(MeasureKind.TRAINING)
        if p.intention in (Intention.LOCAL, Intention.MIGRATE):
            kinds.append(
                rng.choice(
                    [
                        MeasureKind.REFERRAL,
                        MeasureKind.FAIR,
                        MeasureKind.WELFARE_POST
                        if p.labour_skill == "weak"
                        else MeasureKind.REFERRAL,
                    ]
                )
            )
        if p.intention == Intention.STARTUP:
            kinds.append(MeasureKind.LOAN)
        for kind in kinds:
            text = {
                MeasureKind.FOLLOW_UP: "本季度入户回访",
                MeasureKind.TRAINING: f"参加{p.wished_trade or '就业技能'}培训",
                MeasureKind.REFERRAL: "推荐就业岗位并跟踪上岗",
                MeasureKind.FAIR: "组织参加乡镇专场招聘会",
                MeasureKind.WELFARE_POST: "安排公益性岗位托底",
                MeasureKind.LOAN: "办理创业担保贷款",
            }[kind]
            planned = today - dt.timedelta(days=rng.randint(200, 420))
            due = planned + dt.timedelta(days=rng.randint(60, 330))
            plan_measure(
                user=user,
                person=p,
                kind=kind,
                description=text,
                cadre=cadre,
                due_on=due,
                day=planned,
            )
            n += 1
    return n
