"""Demo data for stored claims (演示): a year of hospital claims for 浮梁县 persons, imported
through the real path (file → staging → preview → merge) by the county account, including
chronic-outpatient claims of certificate holders settled with their certificate's class and a
person who becomes 低保 mid-year; then one 政策测算 under 济宁. Deterministic (fixed seed)."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Exists, OuterRef

from fupin.access.models import User
from fupin.appraisal.models import CertificateChange
from fupin.appraisal.selectors import chronic_classes_for
from fupin.registry.choices import ACTIVE_STATUSES, Status
from fupin.registry.models import Person

from . import identity_import, imports, resettle, selectors, trails
from .models import MedicalClaim, Resettlement, TrailFill, TrailState

SEED = 20180301
PERSONS = 300
DISEASES = ["I10", "E11", "J44", "I63", "C16", "K80", "N18", "S72", "I21", "M16", ""]
HOSPITALS = {1: "浮梁县{town}卫生院", 2: "浮梁县人民医院", 3: "景德镇市第一人民医院"}
HEADER = "结算单号,身份证号,姓名,医院名称,就诊类型,医院级别,疾病编码,入院日期,总费用,政策范围内费用"


def claims_year(today: dt.date) -> tuple[int, dt.date, dt.date]:
    """The demo's year and the range of its admission dates (up to yesterday)."""
    year = today.year if today.month >= 7 else today.year - 1
    return year, dt.date(year, 1, 1), min(dt.date(year, 12, 31), today - dt.timedelta(days=1))


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _line(
    no: str, p: Person, visit: str, level: int, disease: str, day: dt.date, total: int, inpol: int
) -> str:
    town = "浮梁镇"
    hospital = HOSPITALS[level].format(town=town)
    return (
        f"{no},{p.id_number},{p.name},{hospital},{visit},{'一二三'[level - 1]}级,{disease},"
        f"{day.isoformat()},{_yuan(total)},{_yuan(inpol)}"
    )


def build() -> str:
    """DEMO_BUILDERS hook."""
    rng = random.Random(SEED)
    user = User.objects.get(username="county")
    year, first, last = claims_year(dt.date.today())
    span = (last - first).days
    holders = CertificateChange.objects.filter(
        person=OuterRef("pk"), kind="issued", effective_on__lt=last - dt.timedelta(days=20)
    )
    certified = list(
        Person.objects.filter(Exists(holders), status__in=ACTIVE_STATUSES).order_by("id")[:40]
    )
    others = list(
        Person.objects.filter(status__in=ACTIVE_STATUSES)
        .exclude(pk__in=[p.pk for p in certified])
        .exclude(identity_periods__isnull=False)
        .filter(dibao=False, tekun=False)
        .order_by("id")[:4000]
    )
    rng.shuffle(others)
    persons = others[:PERSONS]
    lines, n = [], 0

    def add(
        p: Person, visit: str, level: int, disease: str, day: dt.date, total: int, inpol: int
    ) -> None:
        nonlocal n
        n += 1
        lines.append(_line(f"FL{year}{n:06d}", p, visit, level, disease, day, total, inpol))

    for p in persons:
        for _ in range(1 + (rng.random() < 0.3) + (rng.random() < 0.1)):
            level = rng.choices((1, 2, 3), (5, 4, 1))[0]
            total = rng.randint(80_000, 3_000_000 if level == 3 else 1_200_000)
            add(
                p,
                "住院",
                level,
                rng.choice(DISEASES),
                first + dt.timedelta(days=rng.randint(0, span)),
                total,
                total * rng.randint(70, 95) // 100,
            )
    # Certificate holders: chronic-outpatient claims after their certificate's issue (the class comes
    # from the certificate on each claim's day, never from the file).
    issued = dict(
        CertificateChange.objects.filter(person__in=certified, kind="issued").values_list(
            "person_id", "effective_on"
        )
    )
    chronic = 0
    for p in certified:
        start = max(issued[p.pk] + dt.timedelta(days=1), first)
        if start >= last:
            continue
        for _ in range(2):
            day = start + dt.timedelta(days=rng.randint(0, (last - start).days))
            if (p.pk, day) not in chronic_classes_for([(p.pk, day)]):
                continue  # revoked by then
            total = rng.randint(20_000, 400_000)
            add(p, "门诊慢性病", rng.choice((1, 2)), "I10", day, total, total)
            chronic += 1
    # A person who becomes 低保 on 1 July: claims before and after, year-to-date totals across.
    # One no longer 建档立卡 (已脱贫、不再享受政策), so the category changes whatever the region's
    # order of categories (浮梁 settles a person both 建档立卡 and 低保 as 建档立卡).
    changer = (
        Person.objects.filter(status=Status.EXITED, dibao=False, tekun=False)
        .exclude(identity_periods__isnull=False)
        .order_by("id")
        .first()
    )
    if changer is not None and last >= dt.date(year, 8, 1):
        # Through the 低保/特困 list import (staging → preview → merge), as a county would.
        listing = (
            f"身份证号,姓名,身份,起始日期,终止日期,依据\n{changer.id_number},{changer.name},"
            f"低保,{dt.date(year, 7, 1)},,演示：民政部门年中认定为低保对象\n"
        )
        ident = identity_import.create_import(
            user=user, filename=f"浮梁县{year}年低保新增名单.csv", content=listing.encode("utf-8")
        )
        ident = identity_import.stage(ident, user=user)
        if ident.rows_rejected:
            raise RuntimeError(f"演示低保名单未通过校验：{ident.rows.first().errors}")
        identity_import.merge(ident, user=user)
        add(changer, "住院", 2, "I63", dt.date(year, 3, 12), 2_600_000, 2_200_000)
        add(changer, "住院", 3, "I63", dt.date(year, 7, 20), 5_800_000, 4_900_000)
    job = imports.create_import(user=user, filename=f"浮梁县{year}年住院及门诊慢性病结算数据.csv",
                                content=("\n".join([HEADER, *lines]) + "\n").encode("utf-8"))  # fmt: skip
    job = imports.stage(job, user=user)
    if job.rows_rejected:
        bad = job.rows.exclude(errors=[]).first()
        raise RuntimeError(f"演示结算数据未通过校验：第 {bad.row_no} 行 {bad.errors}")
    result = imports.merge(job, user=user)
    for fill in TrailFill.objects.filter(claim_import=job, state=TrailState.QUEUED):
        trails.execute(
            fill, user=user
        )  # the trails now, as the worker would (it then finds it done)
    run = Resettlement.objects.create(year=year, policy="jining", area_code=user.area.code if user.area_id else "",
                                      note="演示：同一批结算单按济宁政策测算", created_by=user)  # fmt: skip
    resettle.execute(run)
    run.refresh_from_db()
    persons = MedicalClaim.objects.filter(year=year).values("person_id").distinct().count()
    flagged = len(selectors.high_self_pay(user, year))
    return (
        f"医疗费用结算单：{year} 年 {result['claims']} 笔，{persons} 人（门诊慢性病 "
        f"{chronic} 笔按慢性病医疗证类别结算，"
        f"1 人年中转为低保），自付超收入比例 {flagged} 人；政策测算 1 次（{run.get_state_display()}）"
    )
