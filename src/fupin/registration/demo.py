"""Demo job insurances (演示): registry persons working for an employer or on a project, their
work-injury and unemployment enrolment (some not enrolled: the table lists them with reasons), and
a poverty-mark adjustment batch waiting for review. Deterministic."""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings

from fupin.access.models import User
from fupin.registry.choices import ACTIVE_STATUSES
from fupin.registry.models import Person

from . import selectors, services
from .models import JobEnrolmentStatus, JobInsurance

SEED = 1618
EMPLOYERS = [
    ("景德镇某建设工程有限公司", "浮梁县城南安置房项目"),
    ("江西某路桥建设有限公司", "浮梁—瑶里公路改造工程"),
    ("浮梁县某陶瓷有限公司", ""),
    ("浮梁县某茶业有限公司", ""),
]


def build() -> str:
    county = User.objects.get(username="county")
    rng = random.Random(SEED)
    people = list(
        Person.objects.filter(
            status__in=ACTIVE_STATUSES,
            birth_date__lte=dt.date(1998, 1, 1),
            birth_date__gte=dt.date(1965, 1, 1),
        ).order_by("id")[:600]
    )
    n = {s: 0 for s in JobEnrolmentStatus.values}
    for p in rng.sample(people, min(40, len(people))):
        employer, project = rng.choice(EMPLOYERS)
        for ins in JobInsurance.values:
            if ins == JobInsurance.UNEMPLOYMENT and project:
                continue  # 按项目参保只有工伤保险
            status = rng.choices(JobEnrolmentStatus.values, weights=[6, 3, 1])[0]
            services.record_job_enrolment(
                user=county,
                person=p,
                insurance=ins,
                status=status,
                employer=employer,
                project=project,
                since=dt.date(2017, rng.randint(1, 12), 1),
                note="演示数据",
            )
            n[status] += 1
    # 贫困人员标识: the county lists the marks out of step (from the exchange demo's extract) in one
    # adjustment batch, left for a colleague to confirm (编制—复核).
    code = settings.COUNTY_CODE
    found = len(selectors.marks(county, code))
    batch = (
        services.prepare_marks(
            user=county, area_code=code, expected=found, note="演示：待另一位工作人员复核"
        )
        if found
        else None
    )
    marks = f"；标识调整单 1 张待复核（{found} 条）" if batch else ""
    return (
        f"工伤、失业保险参保登记：已参保 {n['enrolled']}、未参保 {n['not_enrolled']}、"
        f"已停保 {n['stopped']} 人次{marks}"
    )
