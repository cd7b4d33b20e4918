"""演示数据: complaints and requests over the last months — by phone, at the village station for a
resident, in the portal — some answered and rated, some late (so escalations, the overdue list and
the monthly counts show), then one escalation run.

Deterministic: persons in id order, a fixed seed; times relative to the moment of the build.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from fupin.access.models import User
from fupin.registry.choices import ACTIVE_STATUSES
from fupin.registry.models import Person

from . import services
from .models import Channel, Satisfaction
from .rules import rules

SEED = 20170715
SAMPLES = [
    (
        "pension",
        "request",
        "想把养老保险缴费档次提高一档",
        "今年想按 300 元档次缴费，不知道怎么办理，政府代缴的部分还有没有。",
    ),
    (
        "medical",
        "request",
        "住院报销结算单看不懂",
        "上个月在县医院住院，结算单上的大病保险部分不清楚是怎么算的，请帮忙解释。",
    ),
    (
        "employment",
        "request",
        "想找离家近的工作",
        "家里有老人要照顾，想在镇上扶贫车间或公益性岗位做事。",
    ),
    (
        "training",
        "request",
        "报名电工培训",
        "听说镇里要办电工培训班，想报名，培训后能不能推荐工作。",
    ),
    (
        "subsidy",
        "complaint",
        "公益性岗位补贴两个月没到账",
        "今年 3 月、4 月的岗位补贴还没有发到社保卡上。",
    ),
    (
        "conduct",
        "complaint",
        "办事窗口让跑了三趟",
        "去镇里办慢性病鉴定，材料每次说缺一样，前后跑了三趟。",
    ),
    (
        "assistance",
        "request",
        "帮扶计划里的技能培训一直没安排",
        "帮扶计划上写了培训，半年了没有人联系。",
    ),
    ("other", "request", "社保卡丢了怎么补办", "社保卡不见了，想问在村里能不能申请补办。"),
]
ANSWERS = [
    "已核实并办理，请留意短信通知；如仍有疑问可拨打乡镇人社所电话。",
    "经核查，已按政策处理，相关款项将于本月内发放到社保卡。",
    "已安排工作人员与您联系，并登记到帮扶计划中。",
]


def build() -> str:
    now = timezone.now()
    rng = random.Random(SEED)
    people = list(Person.objects.filter(status__in=ACTIVE_STATUSES).order_by("id")[:4000:37][:60])
    users: dict[str, User | None] = {}
    filed = answered = rated = 0
    for i, p in enumerate(people):
        town = p.village_code[:9]
        if town not in users:
            users[town] = User.objects.filter(username=f"town-{town}").first()
        user = users[town]
        if user is None:
            continue
        category, kind, subject, content = SAMPLES[i % len(SAMPLES)]
        if category not in rules().categories.value:
            category = "other"
        at = now - dt.timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 23))
        if i % 3 == 0:
            c = services.file_by_resident(
                person=p, kind=kind, category=category, subject=subject, content=content, now=at
            )
        else:
            c = services.file_by_staff(
                user=user,
                person=p,
                village_code=p.village_code,
                kind=kind,
                category=category,
                channel=Channel.PHONE if i % 3 == 1 else Channel.ASSISTED,
                subject=subject,
                content=content,
                now=at,
            )
        filed += 1
        fate = rng.random()
        if fate < 0.65:
            ack = at + dt.timedelta(hours=rng.randint(2, 60))
            done = ack + dt.timedelta(days=rng.randint(1, 20))
            if done > now:
                continue
            services.acknowledge(user=user, complaint=c, now=min(ack, done))
            services.answer(user=user, complaint=c, text=rng.choice(ANSWERS), now=done)
            answered += 1
            if rng.random() < 0.7:
                services.rate(
                    complaint=c,
                    satisfaction=rng.choice(
                        [Satisfaction.SATISFIED] * 3
                        + [Satisfaction.BASIC, Satisfaction.UNSATISFIED]
                    ),
                    now=done + dt.timedelta(days=1),
                )
                rated += 1
        elif fate < 0.8 and at + dt.timedelta(hours=24) < now:
            services.acknowledge(user=user, complaint=c, now=at + dt.timedelta(hours=24))
    moved = services.escalate(now=now)
    return f"诉求与投诉：{filed} 件，已答复 {answered} 件，已评价 {rated} 件，升级 {moved} 件"
