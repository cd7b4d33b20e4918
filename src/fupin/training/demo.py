"""Demo courses, enrolments, certificates and technical-school aid (called by the employment demo)."""

from __future__ import annotations

import datetime as dt
import random

from fupin.registry.choices import ACTIVE_STATUSES
from fupin.registry.models import Person

from . import services
from .models import Course, EnrolmentStatus


def build(rng: random.Random, today: dt.date, user, towns, courses) -> str:
    made = []
    for i, (title, kind, trade, provider, cert) in enumerate(courses):
        for j, when in enumerate((-120, -30, 20)):  # finished, running, upcoming
            town = towns[(i * 3 + j * 5) % len(towns)]
            start = today + dt.timedelta(days=when + rng.randint(-10, 10))
            made.append(
                Course.objects.create(
                    title=f"{title}（{town.name}第{j + 1}期）",
                    kind=kind,
                    trade=trade,
                    provider=provider,
                    area_code=town.code.ljust(12, "0"),
                    place=f"{town.name}综合文化站",
                    starts_on=start,
                    ends_on=start + dt.timedelta(days=14),
                    sessions=10,
                    capacity=40,
                    subsidy_fen=rng.choice([80000, 100000, 120000]),
                    certificate_kind=cert,
                )
            )
    enrolled = certified = 0
    willing = list(
        Person.objects.filter(training_need=True, status__in=ACTIVE_STATUSES).order_by("id")
    )
    rng.shuffle(willing)
    by_trade: dict[str, list[Course]] = {}
    for c in made:
        by_trade.setdefault(c.trade, []).append(c)
    for p in willing[: int(len(willing) * 0.7)]:
        options = by_trade.get(p.wished_trade) or by_trade["电子商务"]
        course = rng.choice(options)
        try:
            e = services.enrol(
                user=user, course=course, person=p, day=course.starts_on - dt.timedelta(days=7)
            )
        except services.TrainingError:
            continue
        enrolled += 1
        if course.ends_on < today:
            for k in range(course.sessions):
                services.mark_attendance(
                    user=user,
                    enrolment=e,
                    day=course.starts_on + dt.timedelta(days=k),
                    present=rng.random() < 0.92,
                )
            if rng.random() < 0.9:
                cert = (
                    f"{course.ends_on:%Y}{rng.randint(10**7, 10**8 - 1)}"
                    if course.certificate_kind and rng.random() < 0.65
                    else ""
                )
                services.complete(user=user, enrolment=e, day=course.ends_on, certificate_no=cert)
                certified += bool(cert)
            else:
                e.status = EnrolmentStatus.DROPPED
                e.save(update_fields=["status"])
    aid = 0
    for p in Person.objects.filter(technical_student=True, status__in=ACTIVE_STATUSES).order_by(
        "id"
    ):
        services.grant_technical_aid(
            user=user,
            person=p,
            school=rng.choice(
                ["景德镇高级技工学校", "江西陶瓷工艺美术职业技术学院", "浮梁县职业技术学校"]
            ),
            school_year=today.year if today.month >= 9 else today.year - 1,
            major=rng.choice(["陶瓷工艺", "数控技术", "电子商务", "汽车维修"]),
        )
        aid += 1
    return f"{len(made)} 期培训班、报名 {enrolled} 人、取证 {certified} 人、技工院校资助 {aid} 人"
