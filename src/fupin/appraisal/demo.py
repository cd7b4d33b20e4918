"""演示数据: chronic-disease appraisal in 浮梁县 — designated hospitals, notices to most villages,
quarterly 乙类 rounds (three held, one coming), and applications in every stage, certificates
among them, one amended with a new disease. Fixed seed; dates laid back from the day of the build.
The disease names are illustrative demo data, not a list from the documents."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from fupin.access.models import User
from fupin.areas.models import Area, Level
from fupin.demo.builder import COUNTY
from fupin.months import add_months, quarter_start
from fupin.registry.choices import ACTIVE_STATUSES, Health
from fupin.registry.models import Person

from . import services
from .models import Application, AppraisalRound, Certificate, Hospital, Stage
from .rules import rules

SEED = 20160101
# Demo only: which disease counts as which class is the appraisal experts' finding, not policy.
DISEASES = {
    0: [
        "恶性肿瘤门诊放化疗",
        "尿毒症透析",
        "器官移植术后抗排异治疗",
        "重性精神病",
        "再生障碍性贫血",
        "系统性红斑狼疮",
    ],
    1: [
        "高血压（Ⅱ、Ⅲ级）",
        "糖尿病",
        "冠心病",
        "慢性心力衰竭",
        "脑卒中后遗症",
        "慢性阻塞性肺疾病",
        "类风湿性关节炎",
        "帕金森病",
    ],
}
APPRAISERS = ["县医保局慢性病鉴定专家组", "县人民医院鉴定组"]


def _hospitals(towns: list[Area]) -> list[Hospital]:
    county = COUNTY.ljust(12, "0")
    made = [
        Hospital.objects.create(name="浮梁县人民医院", level=2, area_code=county, address="浮梁镇"),
        Hospital.objects.create(name="浮梁县中医院", level=2, area_code=county, address="浮梁镇"),
    ]
    made += [
        Hospital.objects.create(name=f"{t.name}卫生院", level=1, area_code=t.code.ljust(12, "0"))
        for t in towns[:6]
    ]
    return made


def _rounds(user: User, today: dt.date) -> list[AppraisalRound]:
    """The three past quarters' rounds and the next quarter's, each on the 20th of its middle month."""
    start = quarter_start(today)
    made = []
    for n in (-3, -2, -1, 1):
        first = add_months(start, 3 * n)
        held = add_months(first, 1).replace(day=20)
        made.append(
            services.plan_round(
                user=user, held_on=held, place="浮梁县人民医院门诊楼", experts=APPRAISERS[0]
            )[0]
        )
    return made


@transaction.atomic
def build() -> str:
    """DEMO_BUILDERS hook."""
    rng = random.Random(SEED)
    today = dt.date.today()
    user = User.objects.get(username="county")
    r = rules()
    codes = list(r.classes.value)
    towns = list(
        Area.objects.filter(level=Level.TOWNSHIP, code__startswith=COUNTY).order_by("code")
    )
    villages = list(
        Area.objects.filter(level=Level.VILLAGE, code__startswith=COUNTY).order_by("code")
    )
    hospitals = _hospitals(towns)
    county_hospitals = hospitals[:2]

    notice_day = today - dt.timedelta(days=330)
    notified = 0
    for v in villages:
        if rng.random() < 0.85:
            notified += services.notify_village(
                user=user,
                village_code=v.code,
                day=notice_day + dt.timedelta(days=rng.randint(0, 20)),
            )

    sick = list(
        Person.objects.filter(
            status__in=ACTIVE_STATUSES,
            health__in=[Health.CHRONIC, Health.SERIOUS],
            appraisal_notices__isnull=False,
        ).order_by("id")
    )
    rng.shuffle(sick)
    sick = sick[:400]
    rounds = _rounds(user, today)
    past_rounds = [x for x in rounds if x.held_on <= today]
    for i, person in enumerate(sick):
        quarterly = i % 3 != 0
        code = codes[1] if quarterly else codes[0]
        diseases = rng.sample(DISEASES[codes.index(code)], k=1 + (rng.random() < 0.2))
        age = person.age_on(today)
        bedridden = person.health == Health.SERIOUS and (age >= 70 or rng.random() < 0.2)
        applied = today - dt.timedelta(days=rng.randint(2, 300))
        try:
            app = services.apply(
                user=user,
                person=person,
                chronic_class=code,
                diseases=diseases,
                day=applied,
                applicant="assistant" if rng.random() < 0.6 else "self",
                home_appraisal=bedridden,
                home_reason="长期卧床" if bedridden else "",
            )
        except services.AppraisalError:
            continue  # e.g. born after the drawn date
        _carry(rng, user, app, today, quarterly, past_rounds, county_hospitals + hospitals[2:])
    amended = _amend(rng, user, today, codes)
    by_stage = {
        label: Application.objects.filter(stage=value).count() for value, label in Stage.choices
    }
    stages = "、".join(f"{label} {n}" for label, n in by_stage.items() if n)
    return (
        f"慢性病鉴定：通知 {notified} 人，申请 {sum(by_stage.values())} 件（{stages}），"
        f"{len(rounds)} 个季度鉴定批次，发证 {Certificate.objects.count()} 本（新增病种 "
        f"{amended} 本），定点医院 {len(hospitals)} 家"
    )


def _carry(
    rng: random.Random,
    user: User,
    app: Application,
    today: dt.date,
    quarterly: bool,
    past_rounds: list[AppraisalRound],
    hospitals: list[Hospital],
) -> None:
    """Take one application as far as its dates allow, with a few refusals, objections and withdrawals."""
    if quarterly:
        held = [x for x in past_rounds if x.held_on >= app.applied_on]
        if not held:
            return  # waits for the coming round
        day = held[0].held_on  # apply() put it into this round, the first on or after its date
    else:
        day = app.applied_on + dt.timedelta(days=rng.randint(1, 10))
        if day > today:
            return  # still to be appraised
    roll = rng.random()
    if roll < 0.03:
        services.withdraw(
            user=user, application=app, day=min(day, today), reason="本人外出务工，暂不鉴定"
        )
        return
    if roll < 0.12:
        services.appraise(
            user=user,
            application=app,
            approved=False,
            day=day,
            appraiser=APPRAISERS[0],
            refusal_reason="病历资料不足以认定为门诊慢性病",
        )
        return
    services.appraise(
        user=user, application=app, approved=True, day=day, appraiser=rng.choice(APPRAISERS)
    )
    app.refresh_from_db()
    if rng.random() < 0.06:
        raised = app.notice_start + dt.timedelta(days=1)
        if raised > today:
            return
        o = services.raise_objection(
            user=user,
            application=app,
            objector="同村村民",
            content="反映其病情与申报不符",
            day=raised,
        )
        resolved = raised + dt.timedelta(days=2)
        if resolved > today:
            return
        services.resolve_objection(
            user=user,
            objection=o,
            upheld=rng.random() < 0.4,
            resolution="经村、乡镇复核",
            day=resolved,
        )
        app.refresh_from_db()
        if app.stage != Stage.NOTICE:
            return
    issue = app.notice_end + dt.timedelta(days=rng.randint(1, 5))
    if issue > today:
        return  # still in public notice
    near = [h for h in hospitals if h.area_code[:9] == app.village_code[:9]] or hospitals[:2]
    services.certify(
        user=user,
        application=app,
        day=issue,
        hospital=rng.choice(near) if rng.random() < 0.8 else None,
    )


def _amend(rng: random.Random, user: User, today: dt.date, codes: list[str]) -> int:
    """动态管理: a few holders found later to have another disease (an any-time class)."""
    n = 0
    for cert in Certificate.objects.filter(issued_on__lte=today - dt.timedelta(days=30)).order_by(
        "id"
    )[:6]:
        new = [d for d in DISEASES[0] if d not in cert.disease_list][:1]
        applied = cert.issued_on + dt.timedelta(days=10)
        app = services.apply(
            user=user,
            person=cert.person,
            chronic_class=codes[0],
            diseases=new,
            day=applied,
            applicant="assistant",
        )
        services.appraise(
            user=user,
            application=app,
            approved=True,
            day=applied + dt.timedelta(days=2),
            appraiser=APPRAISERS[1],
        )
        app.refresh_from_db()
        if app.notice_end + dt.timedelta(days=1) <= today:
            services.certify(user=user, application=app, day=app.notice_end + dt.timedelta(days=1))
            n += 1
    return n
