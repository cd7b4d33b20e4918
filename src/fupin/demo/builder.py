"""The demo county (演示县): 浮梁县 with ~4,000 poor households and ~11,000 persons.

Same seed, same data on every run. Distributions follow what the source documents and
the national registry show: illness is the first cause, most households had exited by
2020 but still enjoy policy, a quarter are 低保 households.
"""

import datetime as dt
import random

from django.db import transaction

from fupin.access.models import Role, User
from fupin.areas.models import Area, Level
from fupin.areas.services import load_divisions, read_bundled
from fupin.registry.choices import (
    DisabilityType,
    Education,
    Health,
    HouseholdAttribute,
    HousingSafety,
    IdentificationStandard,
    Intention,
    LabourSkill,
    PovertyCause,
    Relation,
    Schooling,
    Status,
    WorkStatus,
)  # fmt: skip
from fupin.registry.models import Household, Person, StatusChange

from .people import Names, birth_date, id_number

COUNTY = "360222"
SEED = 20180201
PASSWORD = "fupin-demo"
TODAY = dt.date(2020, 6, 30)  # the registry as it stood mid-2020; fixed so every run is equal


def pick(rng: random.Random, weighted: dict) -> object:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


CAUSES = {
    PovertyCause.ILLNESS: 40, PovertyCause.DISABILITY: 16, PovertyCause.SCHOOLING: 7, PovertyCause.DISASTER: 2,
    PovertyCause.NO_LAND: 2, PovertyCause.NO_WATER: 1, PovertyCause.NO_SKILLS: 9, PovertyCause.NO_LABOUR: 10,
    PovertyCause.NO_CAPITAL: 8, PovertyCause.TRANSPORT: 1, PovertyCause.NO_DRIVE: 3, PovertyCause.OTHER: 1,
}  # fmt: skip
STATUSES = {
    Status.POOR: 6,
    Status.EXITED_WITH_POLICY: 84,
    Status.EXITED: 4,
    Status.NEW: 2,
    Status.RETURNED: 1,
    Status.REMOVED: 3,
}
TRADES = [
    "陶瓷工艺",
    "茶叶加工",
    "家政服务",
    "电子商务",
    "电工",
    "养殖",
    "种植",
    "厨师",
    "焊工",
    "月嫂",
]
CADRE_UNITS = [
    "浮梁县人社局",
    "浮梁县扶贫办",
    "浮梁县农业农村局",
    "浮梁县教育体育局",
    "浮梁县卫健委",
    "乡镇人民政府",
]


def ensure_areas() -> None:
    load_divisions(read_bundled(COUNTY))


def ensure_users() -> None:
    """Demo accounts, all with the password fupin-demo."""
    county = Area.objects.get(code=COUNTY)
    accounts = [("admin", Role.ADMIN, None, True, True), ("county", Role.COUNTY, county, True, False),
                ("insurance", Role.INSURANCE, county, True, False), ("poverty-office", Role.POVERTY_OFFICE, county,
                                                                     False, False),
                ("auditor", Role.AUDITOR, county, False, False)]  # fmt: skip
    for town in Area.objects.filter(level=Level.TOWNSHIP, code__startswith=COUNTY):
        accounts.append((f"town-{town.code}", Role.TOWNSHIP, town, True, False))
    for username, role, area, unmask, superuser in accounts:
        user, _ = User.objects.get_or_create(username=username)
        user.role, user.area, user.can_unmask_id = role, area, unmask
        user.is_superuser = user.is_staff = superuser
        user.set_password(PASSWORD)
        user.save()


def _member_plan(rng: random.Random, size: int) -> list[tuple[str, int]]:
    """(relation, age) for each member, head first."""
    head_age = rng.choice([rng.randint(28, 60), rng.randint(60, 88)])
    plan = [(Relation.HEAD, head_age)]
    if size >= 2:
        plan.append((Relation.SPOUSE, max(20, head_age + rng.randint(-5, 3))))
    for _ in range(size - len(plan)):
        if head_age > 62 and rng.random() < 0.5:
            plan.append((Relation.GRANDCHILD, rng.randint(2, 17)))
        else:
            plan.append((Relation.CHILD, max(0, head_age - rng.randint(22, 34))))
    return plan


def _person_fields(rng: random.Random, age: int, cause: str) -> dict:
    health = Health.HEALTHY
    if cause == PovertyCause.ILLNESS and rng.random() < 0.45:
        health = rng.choice([Health.CHRONIC, Health.CHRONIC, Health.SERIOUS])
    elif cause == PovertyCause.DISABILITY and rng.random() < 0.45:
        health = Health.DISABLED
    elif age > 60 and rng.random() < 0.3:
        health = Health.CHRONIC
    f: dict = {"health": health}
    if health == Health.DISABLED:
        f["disability_type"] = pick(
            rng,
            {
                DisabilityType.PHYSICAL: 5,
                DisabilityType.VISUAL: 2,
                DisabilityType.INTELLECTUAL: 2,
                DisabilityType.MENTAL: 2,
                DisabilityType.HEARING: 1,
            },
        )
        f["disability_grade"] = rng.randint(1, 4)
        f["disability_cert"] = f"3602222{rng.randint(10**9, 10**10 - 1)}"
        f["severe_disability"] = f["disability_grade"] <= 2
    if age < 16:
        f["labour_skill"] = LabourSkill.NONE
        f["schooling"] = (
            Schooling.PRESCHOOL if age < 6 else Schooling.PRIMARY if age < 12 else Schooling.JUNIOR
        )
    elif age < 19 and rng.random() < 0.7:
        f["labour_skill"] = LabourSkill.NONE
        f["schooling"] = pick(
            rng, {Schooling.SENIOR: 5, Schooling.SECONDARY_VOCATIONAL: 2, Schooling.TECHNICAL: 2}
        )
        f["technical_student"] = f["schooling"] == Schooling.TECHNICAL
    elif age < 23 and rng.random() < 0.25:
        f["labour_skill"] = LabourSkill.NONE
        f["schooling"] = rng.choice([Schooling.COLLEGE, Schooling.UNIVERSITY])
    elif (
        health in (Health.SERIOUS,)
        or (health == Health.DISABLED and f.get("disability_grade", 4) <= 2)
        or age >= 75
    ):
        f["labour_skill"] = rng.choice([LabourSkill.LOST, LabourSkill.NONE])
    elif health != Health.HEALTHY or age >= 60:
        f["labour_skill"] = LabourSkill.WEAK
    else:
        f["labour_skill"] = pick(rng, {LabourSkill.GENERAL: 8, LabourSkill.SKILLED: 2})
    if age >= 22 and f["labour_skill"] in (
        LabourSkill.GENERAL,
        LabourSkill.SKILLED,
        LabourSkill.WEAK,
    ):
        f["work_status"] = pick(
            rng,
            {
                WorkStatus.NOT_WORKING: 4,
                WorkStatus.IN_COUNTY: 3,
                WorkStatus.IN_PROVINCE: 2,
                WorkStatus.OUT_OF_PROVINCE: 2,
            },
        )
        f["months_worked"] = 0 if f["work_status"] == WorkStatus.NOT_WORKING else rng.randint(3, 12)
        weak = f["labour_skill"] == LabourSkill.WEAK
        f["intention"] = pick(
            rng,
            {
                Intention.LOCAL: 6 if weak else 4,
                Intention.MIGRATE: 1 if weak else 4,
                Intention.STARTUP: 0 if weak else 1,
                Intention.NONE: 2,
            },
        )
        f["training_need"] = age < 55 and rng.random() < 0.55
        f["wished_trade"] = rng.choice(TRADES) if f["training_need"] else ""
        f["poor_graduate"] = 21 <= age <= 26 and rng.random() < 0.1
    f["education"] = (
        ""
        if age < 7
        else pick(
            rng,
            {
                Education.ILLITERATE: 2 if age > 55 else 0,
                Education.PRIMARY: 4,
                Education.JUNIOR: 5,
                Education.SENIOR: 2,
                Education.VOCATIONAL: 1,
                Education.COLLEGE: 1 if age < 40 else 0,
            },
        )
    )
    return f


@transaction.atomic
def build(households: int = 4000, seed: int = SEED) -> tuple[int, int]:
    """Fill the registry; returns (households, persons). Expects an empty registry."""
    ensure_areas()
    ensure_users()
    rng = random.Random(seed)
    names = Names(seed)
    villages = list(
        Area.objects.filter(level=Level.VILLAGE, code__startswith=COUNTY).order_by("code")
    )
    used: set[str] = set()
    hh_rows, person_rows = [], []
    for i in range(households):
        village = villages[rng.randrange(len(villages))]
        attribute = pick(
            rng,
            {
                HouseholdAttribute.GENERAL: 70,
                HouseholdAttribute.DIBAO: 25,
                HouseholdAttribute.TEKUN: 5,
            },
        )
        size = (
            1
            if attribute == HouseholdAttribute.TEKUN
            else pick(rng, {1: 14, 2: 26, 3: 24, 4: 20, 5: 11, 6: 5})
        )
        cause = pick(rng, CAUSES)
        others = [c for c in rng.sample(list(CAUSES), 2) if c != cause][: rng.choice([0, 1, 1, 2])]
        status = pick(rng, STATUSES)
        year = pick(rng, {2014: 50, 2015: 12, 2016: 12, 2017: 10, 2018: 8, 2019: 6, 2020: 2})
        exit_year = (
            rng.randint(max(year, 2016), 2020)
            if status in (Status.EXITED_WITH_POLICY, Status.EXITED, Status.RETURNED)
            else None
        )
        wage = rng.randint(0, 6000) * 100 if size > 1 else rng.randint(0, 1500) * 100
        hh = Household(
            number=f"{village.code}{i + 1:04d}"[-16:],
            village=village,
            village_code=village.code,
            address=f"{village.name}{rng.randint(1, 120)}号",
            phone=f"1{rng.choice('3578')}{rng.randint(10**8, 10**9 - 1)}",
            attribute=attribute,
            standard=pick(
                rng, {IdentificationStandard.NATIONAL: 85, IdentificationStandard.PROVINCIAL: 15}
            ),
            year_identified=year,
            main_cause=cause,
            cause_2=others[0] if others else "",
            cause_3=others[1] if len(others) > 1 else "",
            status=status,
            exit_year=exit_year,
            income_year=2019,
            income_wage_fen=wage,
            income_business_fen=rng.randint(0, 2500) * 100,
            income_transfer_fen=rng.randint(800, 4000) * 100,
            income_property_fen=rng.randint(0, 300) * 100,
            housing=pick(rng, {HousingSafety.SAFE: 97, HousingSafety.C: 2, HousingSafety.D: 1}),
            water_safe=rng.random() > 0.01,
            cadre_name=names.surname() + names.given(rng.choice("男女")),
            cadre_unit=rng.choice(CADRE_UNITS),
            cadre_phone=f"139{rng.randint(10**7, 10**8 - 1)}",
            member_count=size,
        )
        hh_rows.append(hh)
        surname = names.surname()
        head_sex = "男" if rng.random() < 0.82 else "女"
        for relation, age in _member_plan(rng, size):
            sex = (
                head_sex
                if relation == Relation.HEAD
                else ("女" if head_sex == "男" else "男")
                if relation == Relation.SPOUSE
                else rng.choice("男女")
            )
            born = birth_date(rng, age, TODAY)
            given = names.given(sex)
            name = (surname if relation != Relation.SPOUSE else names.surname()) + given
            fields = _person_fields(rng, age, cause)
            p_status = status
            if status not in (Status.REMOVED,) and age > 80 and rng.random() < 0.05:
                p_status = Status.REMOVED
            person_rows.append(
                (
                    hh,
                    Person(
                        id_number=id_number(rng, COUNTY, born, sex, used),
                        name=name,
                        sex=sex,
                        birth_date=born,
                        relation=relation,
                        village_code=village.code,
                        status=p_status,
                        removal_reason="death" if p_status == Status.REMOVED else "",
                        dibao=attribute == HouseholdAttribute.DIBAO,
                        tekun=attribute == HouseholdAttribute.TEKUN,
                        wubao=attribute == HouseholdAttribute.TEKUN and age >= 60,
                        phone=hh.phone if relation == Relation.HEAD else "",
                        **fields,
                    ),
                )
            )
        hh.head_name = person_rows[-size][1].name
    Household.objects.bulk_create(hh_rows, batch_size=1000)
    for hh, p in person_rows:
        p.household = hh
    Person.objects.bulk_create([p for _, p in person_rows], batch_size=2000)
    StatusChange.objects.bulk_create(
        [
            StatusChange(
                household=hh,
                village_code=hh.village_code,
                old_status="",
                new_status=Status.POOR,
                effective_date=dt.date(hh.year_identified, 6, 30),
                reason="建档立卡识别",
            )
            for hh in hh_rows
        ]
        + [
            StatusChange(
                household=hh,
                village_code=hh.village_code,
                old_status=Status.POOR,
                new_status=hh.status,
                effective_date=dt.date(hh.exit_year or 2020, 12, 1),
                reason="年度动态调整",
            )
            for hh in hh_rows
            if hh.status != Status.POOR
        ],
        batch_size=2000,
    )
    return len(hh_rows), len(person_rows)
