"""Demo work-injury cases (演示): construction workers of the registry and two from outside it,
at every stage — just reported, investigation late, decided, and recognised with 先行支付.
Deterministic (fixed seed, persons in id order)."""

from __future__ import annotations

import datetime as dt
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fupin.access.models import User
from fupin.areas.models import Area, Level
from fupin.demo.people import id_number
from fupin.registry.choices import ACTIVE_STATUSES
from fupin.registry.models import Person

from . import services
from .models import InjuryCase

SEED = 1616
COUNTY = "360222"
PROJECTS = [
    ("景德镇某建设工程有限公司", "浮梁县城南安置房项目"),
    ("江西某路桥建设有限公司", "浮梁—瑶里公路改造工程"),
    ("浮梁县某陶瓷有限公司", ""),
    ("景德镇某劳务分包有限公司", "三龙镇中心小学教学楼"),
]
INJURIES = ["右手食指骨折", "高处坠落致腰椎压缩性骨折", "左足砸伤", "面部烫伤", "小腿挫裂伤"]
# 1×1 PNG: a photographed 工作证 stands in for the uploaded evidence.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def build() -> str:
    county = User.objects.get(username="county")
    rng = random.Random(SEED)
    now = timezone.now()
    workers = list(
        Person.objects.filter(
            status__in=ACTIVE_STATUSES,
            sex="男",
            birth_date__lte=dt.date(now.year - 25, 1, 1),
            birth_date__gte=dt.date(now.year - 55, 1, 1),
        ).order_by("id")[:200]
    )
    picked = rng.sample(workers, min(6, len(workers)))
    # (hours since the report, how far the case has come)
    stages = [(2, "reported"), (40, "reported"), (60, "reported"), (30, "investigated"),
              (200, "recognised"), (300, "paid")]  # fmt: skip
    made = paid = 0
    for person, (hours, stage) in zip(picked, stages, strict=False):
        employer, project = rng.choice(PROJECTS)
        reported = now - dt.timedelta(hours=hours)
        case = services.report_case(
            user=county,
            person=person,
            employer_name=employer,
            project_name=project,
            contract_signed=False,
            accident_on=timezone.localdate(reported),
            accident_place=project or employer,
            injury=rng.choice(INJURIES),
            reported_at=reported,
        )
        made += 1
        paid += _advance(case, stage, county, rng)
    villages = list(Area.objects.filter(level=Level.VILLAGE).order_by("code")[:50])
    used = set(Person.objects.values_list("id_number", flat=True))
    for i, name in enumerate(["许志强", "程国平"]):
        if not villages:
            break
        born = dt.date(1975 + 7 * i, 3 + i, 11)
        employer, project = PROJECTS[i]
        reported = now - dt.timedelta(hours=20 + 100 * i)
        case = services.report_case(
            user=county,
            worker_name=name,
            worker_id_number=id_number(rng, COUNTY, born, "男", used),
            village_code=rng.choice(villages).code.ljust(12, "0"),
            employer_name=employer,
            project_name=project,
            accident_on=timezone.localdate(reported),
            accident_place=project,
            injury=rng.choice(INJURIES),
            reported_at=reported,
        )
        made += 1
        if i:
            _advance(case, "recognised", county, rng)
    late = InjuryCase.objects.filter(
        investigated_at__isnull=True, reported_at__lt=now - dt.timedelta(hours=48)
    ).count()
    repaid = "（用人单位已偿还三成）" if paid else ""
    return f"工伤案件 {made} 件（调查超期 {late} 件），先行支付 {paid} 件{repaid}"


def _advance(case: InjuryCase, stage: str, user: User, rng: random.Random) -> int:
    if stage == "reported":
        return 0
    services.add_evidence(
        user=user,
        case=case,
        kind="permit",
        upload=SimpleUploadedFile("工作证.png", PNG, content_type="image/png"),
        note="演示：工作证照片",
    )
    services.investigate(user=user, case=case, note="演示：现场调查，工友证实事故经过")
    if stage == "investigated":
        return 0
    services.decide(
        user=user,
        case=case,
        decision="recognised",
        reason="演示：在工作时间和工作场所内因工作原因受到事故伤害，有工作证确认事实劳动关系",
    )
    if stage != "paid":
        return 0
    amount = rng.choice([860000, 1250000, 2300000])
    services.grant_first_payment(
        user=user,
        case=case,
        amount_fen=amount,
        reason="演示：用人单位未参保且拒不支付工伤医疗费",
    )
    services.record_recovery(  # 追偿：用人单位偿还了三成，其余在追偿台账上
        user=user,
        case=case,
        amount_fen=amount * 3 // 10,
        received_on=timezone.localdate(),
        note="演示：用人单位偿还第一笔",
    )
    return 1
