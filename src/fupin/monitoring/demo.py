"""演示数据: 浮梁县 return-to-poverty monitoring — a monitoring run over the demo registry, then
households at every stage (预警, some overdue; 核查中; 不纳入; 纳入监测; 帮扶中 with measures;
one 风险消除 after two stable quarterly reviews), a disaster entered by hand and a household
off the poverty list entered by a township.

Run by `fupin demo` after the other modules (DEMO_BUILDERS). Deterministic: households are
picked in id order; dates are laid relative to the day of the build. A signal the other modules'
demo data does not trip (no job lost lately, no insurance gap, no settled claim over the share)
gets one small source row of its own here, labelled 监测演示, so that every signal shows.
"""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fupin.access.models import User
from fupin.areas.models import Area, Level
from fupin.demo.people import id_number
from fupin.registry.choices import Relation
from fupin.registry.models import Household, Person

from . import services
from .models import Alert, MonitoredHousehold, MonitoringRun, Signal, Stage
from .nightly import STEPS, WATCHED_STATUSES
from .rules import rules

SEED = 20201231


def _ensure_sources(today: dt.date, county: User) -> list[str]:
    """One source row for each signal nothing else in the demo trips; returns what was added."""
    from fupin.employment.models import Posting, Referral
    from fupin.exchange.models import ComparisonJob, ComparisonResult
    from fupin.insurance.claims.models import ClaimSplit, MedicalClaim

    watched = Household.objects.filter(
        status__in=WATCHED_STATUSES, village_code__startswith=settings.COUNTY_CODE
    ).order_by("id")
    heads = Person.objects.filter(
        household__in=watched, relation=Relation.HEAD, status__in=WATCHED_STATUSES
    ).order_by("household_id")
    added = []
    # Heads past the first fifty (those go through the other demo stages); a small demo county
    # (fupin demo --households 20) has fewer: then any head, and a signal with none left is skipped.
    picks = iter(list(heads[50:200]) or list(heads))
    if (
        not ClaimSplit.objects.filter(
            person_id__in=Person.objects.filter(household__in=watched).values("id"),
            settled_at__isnull=False,
        ).exists()
        and (p := next(picks, None)) is not None
    ):
        hh = p.household
        income = hh.per_capita_income_fen * hh.member_count
        claim = MedicalClaim.objects.create(
            claim_no=f"JCMON{today:%Y}{p.pk:08d}",
            person=p,
            village_code=p.village_code,
            hospital="浮梁县人民医院（监测演示）",
            visit_type="inpatient",
            hospital_level=2,
            admission_date=today.replace(month=1, day=15),
            year=today.year,
            total_fen=income * 3 + 100000,
            in_policy_fen=income * 2,
        )
        # The settlement is only in ClaimSplit (what the medical self-pay signal reads).
        ClaimSplit.objects.create(
            claim=claim,
            person_id=p.pk,
            year=claim.year,
            village_code=claim.village_code,
            basic_fen=income * 2,  # the parts add up to total_fen
            critical_fen=0,
            assistance_fen=0,
            fallback_fen=0,
            self_fen=income + 100000,
            policy="fuliang-2018",
            settled_at=timezone.now(),
        )
        added.append("医疗自付")
    lookback = rules().job_loss_lookback_days.value
    left = Referral.objects.filter(
        person__household__in=watched,
        status="left",
        ended_on__gte=today - dt.timedelta(days=lookback),
    )
    # Each signal on its own: the employment demo's own job losses may all be of one kind.
    lost_job = left.exclude(posting__employer__kind="welfare").exists()
    lost_post = left.filter(posting__employer__kind="welfare").exists()
    if not (lost_job and lost_post):
        posting = Posting.objects.filter(employer__kind="enterprise").order_by("id").first()
        welfare = Posting.objects.filter(employer__kind="welfare").order_by("id").first()
        for post in (None if lost_job else posting, None if lost_post else welfare):
            if post is None:
                continue
            p = next(picks, None)
            if p is None:
                continue
            Referral.objects.create(
                person=p,
                village_code=p.village_code,
                posting=post,
                status="left",
                referred_on=today - dt.timedelta(days=200),
                hired_on=today - dt.timedelta(days=190),
                ended_on=today - dt.timedelta(days=20),
                note="监测演示：离岗",
                created_by=county,
            )
        added.append("失业与公益性岗位离岗")
    if (
        not ComparisonResult.objects.filter(
            category__in=("suspended", "not_enrolled_medical", "not_enrolled_pension"),
            person__household__in=watched,
        ).exists()
        and (p := next(picks, None)) is not None
    ):
        job = ComparisonJob.objects.create(
            area_code=settings.COUNTY_CODE,
            created_by=county,
            state="done",
            finished_at=timezone.now(),
            step_label="完成",
            message="监测演示",
        )
        ComparisonResult.objects.create(
            job=job,
            category="suspended",
            insurance="medical",
            village_code=p.village_code,
            person=p,
            id_number=p.id_number,
            name=p.name,
            detail="监测演示：医疗保险暂停",
        )
        added.append("参保中断")
    if (
        not Person.objects.filter(
            household__in=watched, relation=Relation.HEAD, health__in=("serious", "disabled")
        ).exists()
        and (p := next(picks, None)) is not None
    ):
        Person.objects.filter(pk=p.pk).update(health="serious")
        added.append("主要劳动力患大病")
    return added


def _at(m: MonitoredHousehold, days_ago: int, today: dt.date) -> MonitoredHousehold:
    """Move a fresh alert back in time (demo only), so checks and decisions can be dated in the past."""
    day = today - dt.timedelta(days=days_ago)
    MonitoredHousehold.objects.filter(pk=m.pk).update(
        alerted_on=day, check_due=day + dt.timedelta(days=rules().check_days.value)
    )
    m.refresh_from_db()
    return m


@transaction.atomic
def build() -> str:
    today = timezone.localdate()
    rng = random.Random(SEED)
    county = User.objects.get(username="county")
    added = _ensure_sources(today, county)
    run = MonitoringRun.objects.create(
        area_code=settings.COUNTY_CODE, day=today, steps=STEPS, created_by=county
    )
    services.run_monitoring(run, user=county)
    run.refresh_from_db()
    alerted = list(
        MonitoredHousehold.objects.filter(stage=Stage.ALERT, household__isnull=False).order_by("id")
    )
    # One household of each signal first, then the rest in id order.
    by_signal: dict[str, MonitoredHousehold] = {}
    for a in Alert.objects.filter(monitored__in=alerted).order_by("monitored_id", "id"):
        by_signal.setdefault(a.signal, a.monitored)
    firsts = list(dict.fromkeys(by_signal.values()))
    pool = firsts + [m for m in alerted if m not in firsts]
    users = {
        t.code: User.objects.get(username=f"town-{t.code}")
        for t in Area.objects.filter(level=Level.TOWNSHIP, code__startswith=settings.COUNTY_CODE)
    }

    def town(m: MonitoredHousehold) -> User:
        return users[m.village_code[:9]]

    def check(m: MonitoredHousehold, days_ago: int, text: str) -> None:
        services.record_check(
            user=town(m), monitored=m, checked_on=today - dt.timedelta(days=days_ago), findings=text
        )

    def decide(m: MonitoredHousehold, days_ago: int, include: bool, reason: str) -> None:
        services.decide(
            user=county,
            monitored=m,
            include=include,
            reason=reason,
            day=today - dt.timedelta(days=days_ago),
        )

    stages = {"checking": 0, "not": 0, "monitored": 0, "assisting": 0, "removed": 0, "overdue": 0}
    it = iter(pool)
    try:
        # 风险消除: alerted about 7 months ago, helped, reviewed stable last quarter and this one.
        m = _at(next(it), 210, today)
        check(m, 205, "家中主要劳动力务工中断，收入下降")
        decide(m, 200, True, "收入低于监测线，纳入监测")
        services.add_measure(
            user=town(m),
            monitored=m,
            kind="job",
            description="推荐到浮梁县昌南瓷业有限公司包装岗位",
            day=today - dt.timedelta(days=190),
        )
        prev_q = services.previous_quarter(services.quarter_of(today))
        prev_day = dt.date(int(prev_q[:4]), 3 * int(prev_q[-1]), 10)
        line = rules().income_line.value
        services.add_review(
            user=town(m),
            monitored=m,
            reviewed_on=prev_day,
            income_per_capita_fen=line + 120000,
            stable=True,
            note="已稳定就业",
        )
        services.add_review(
            user=town(m),
            monitored=m,
            reviewed_on=today,
            income_per_capita_fen=line + 150000,
            stable=True,
            note="收入持续稳定",
        )
        services.remove_risk(
            user=county, monitored=m, day=today, reason="连续两个季度回访收入稳定高于监测线"
        )
        stages["removed"] += 1
        kinds = [
            ("welfare_post", "安排村级保洁公益性岗位"),
            ("medical", "落实医疗救助，申请大病保险二次报销"),
            ("training", "参加茶叶加工技能培训"),
            ("premium", "由政府代缴城乡居民医疗保险费"),
        ]
        for kind, text in kinds:  # 帮扶中
            m = _at(next(it), 60 + rng.randint(0, 20), today)
            check(m, 50, "入户核实：存在返贫风险")
            decide(m, 45, True, "核实存在返贫风险，纳入监测")
            services.add_measure(
                user=town(m),
                monitored=m,
                kind=kind,
                description=text,
                day=today - dt.timedelta(days=30),
            )
            stages["assisting"] += 1
        for _ in range(2):  # 纳入监测, no measure yet
            m = _at(next(it), 30, today)
            check(m, 25, "入户核实：收入低于监测线")
            decide(m, 20, True, "纳入监测，制定帮扶措施中")
            stages["monitored"] += 1
        for _ in range(2):  # 不纳入
            m = _at(next(it), 30, today)
            check(m, 25, "入户核实：家庭另有稳定经营收入")
            decide(m, 20, False, "核实后收入高于监测线，不纳入")
            stages["not"] += 1
        for days in (10, 40):  # 核查中; the second past its decision deadline
            m = _at(next(it), days + 5, today)
            check(m, days, "已入户，待认定")
            stages["checking"] += 1
        for _ in range(5):  # 预警 past the check deadline
            _at(next(it), 30, today)
            stages["overdue"] += 1
    except StopIteration:  # a small demo county (fupin demo --households 20): fewer stages shown
        pass
    # A disaster entered by hand, and a household off the poverty list.
    hh = (
        Household.objects.filter(status__in=WATCHED_STATUSES)
        .exclude(
            pk__in=MonitoredHousehold.objects.filter(household__isnull=False).values("household_id")
        )
        .order_by("id")
        .first()
    )
    if hh is not None:
        services.report_event(
            user=users[hh.village_code[:9]],
            household=hh,
            signal=Signal.DISASTER,
            day=today - dt.timedelta(days=3),
            description="暴雨致房屋受损，家庭财产损失较大",
        )
    village = (
        Area.objects.filter(level=Level.VILLAGE, code__startswith=settings.COUNTY_CODE)
        .order_by("code")
        .first()
    )
    used = set(Person.objects.values_list("id_number", flat=True)) | set(
        MonitoredHousehold.objects.values_list("head_id_number", flat=True)
    )
    idn = id_number(rng, settings.COUNTY_CODE, dt.date(1972, 6, 18), "男", used)
    if not MonitoredHousehold.objects.filter(head_id_number=idn).exists():
        services.enter_household(
            user=users[village.code[:9]],
            village_code=village.code,
            head_name="程建华",
            head_id_number=idn,
            member_count=4,
            income_per_capita_fen=line + 40000,
            category="edge",
            day=today - dt.timedelta(days=5),
            description="收入略高于监测线，子女上学支出大，乡镇排查发现",
        )
    total = MonitoredHousehold.objects.count()
    extra = f"（为演示另建：{'、'.join(added)}）" if added else ""
    return (
        f"防止返贫监测：{total} 户监测对象、{Alert.objects.count()} 条预警{extra}；帮扶中 "
        f"{stages['assisting']}、纳入监测 {stages['monitored']}、"
        f"不纳入 {stages['not']}、核查中 {stages['checking']}、风险消除 "
        f"{stages['removed']}，逾期未核查 {stages['overdue']}"
    )
