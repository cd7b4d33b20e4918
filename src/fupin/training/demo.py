"""演示数据: courses, enrolments, attendance, certificates and technical-school aid (DEMO_BUILDERS hook `build`).

Fixed seed; dates relative to the day of the build (finished, running and upcoming courses)."""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.db import transaction

from fupin.access.models import User
from fupin.areas.models import Area, Level
from fupin.registry.choices import ACTIVE_STATUSES
from fupin.registry.models import Person

from . import services
from .models import Course, EnrolmentStatus

SEED = 20180405
COURSES = [  # (title, kind, trade, provider, certificate)
    (
        "陶瓷彩绘技能培训班",
        "skills",
        "陶瓷工艺",
        "景德镇陶瓷职业技术学院",
        "陶瓷工艺品制作师职业技能等级证书",
    ),
    (
        "浮梁茶叶加工技能培训班",
        "skills",
        "茶叶加工",
        "浮梁县职业技术学校",
        "茶叶加工工职业技能等级证书",
    ),
    (
        "家政服务员培训班",
        "skills",
        "家政服务",
        "浮梁县巾帼家政培训学校",
        "家政服务员职业技能等级证书",
    ),
    (
        "母婴护理（月嫂）培训班",
        "skills",
        "月嫂",
        "浮梁县巾帼家政培训学校",
        "母婴护理职业技能等级证书",
    ),
    ("电子商务实操培训班", "ecommerce", "电子商务", "浮梁县电商产业园", ""),
    ("SYB创业培训班", "startup", "创业", "浮梁县就业创业服务中心", "SYB创业培训合格证书"),
    ("低压电工培训班", "skills", "电工", "浮梁县职业技术学校", "电工职业资格证书"),
    ("焊工培训班", "skills", "焊工", "浮梁县职业技术学校", "焊工职业资格证书"),
    ("中式烹调师培训班", "skills", "厨师", "浮梁县职业技术学校", "中式烹调师职业技能等级证书"),
    ("生态养殖田间课堂", "skills", "养殖", "浮梁县农业农村局农技站", ""),
    ("茶园种植田间课堂", "skills", "种植", "浮梁县农业农村局农技站", ""),
]


@transaction.atomic
def build() -> str:
    """DEMO_BUILDERS hook: three classes of each course in the county's townships, then enrolments."""
    towns = list(
        Area.objects.filter(level=Level.TOWNSHIP, code__startswith=settings.COUNTY_CODE).order_by(
            "code"
        )
    )
    user = User.objects.get(username="county")
    return "技能培训：" + build_courses(random.Random(SEED), dt.date.today(), user, towns, COURSES)


def build_courses(
    rng: random.Random,
    today: dt.date,
    user: User,
    towns: list[Area],
    courses: list[tuple[str, str, str, str, str]],
) -> str:
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
