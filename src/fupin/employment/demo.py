"""演示数据: employers, postings, fairs, recommendations, referrals and visits for 浮梁县.

Run by `fupin demo` after the registry (DEMO_BUILDERS). Fixed seed: the same employers,
postings and people in every run; dates are laid relative to the day of the build so that
postings are open and visits fall in the current quarter.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from fupin.access.models import User
from fupin.areas.models import Area, Level
from fupin.creditcode import ALPHABET, make_credit_code
from fupin.months import add_months, month_start
from fupin.registry.choices import ACTIVE_STATUSES, Intention

from . import occupations, services
from .models import (
    Employer,
    EmployerKind,
    FairOutcome,
    JobFair,
    Posting,
    Recommendation,
    Referral,
    ReferralStatus,
)
from .recommend import area_persons, recommend_persons
from .selectors import needing_follow_up

SEED = 20180404
COUNTY = "360222"


def _code(rng: random.Random, prefix: str, area6: str) -> str:
    return make_credit_code(prefix + area6 + "".join(rng.choice(ALPHABET) for _ in range(9)))


def pad(code: str) -> str:
    return code.ljust(12, "0")


# (name, kind, credit prefix, area: "county"/"town"/"village"/code, postings)
# posting: (title, occupation, trade, wage yuan min-max, physical, schedule, age, accepts_disabled,
#           requires_skill, lodging, positions)
PostingSpec = tuple[
    str, str, str, tuple[int, int], str, str, tuple[int, int], bool, bool, bool, int
]

ENTERPRISES = [
    (
        "浮梁县昌南瓷业有限公司",
        "91",
        "county",
        [
            (
                "陶瓷成型施釉工",
                "6-15-05-02",
                "陶瓷工艺",
                (3200, 4800),
                "normal",
                "full_time",
                (18, 55),
                False,
                True,
                True,
                12,
            ),
            (
                "陶瓷彩绘工",
                "6-09-03-03",
                "陶瓷工艺",
                (3000, 5200),
                "light",
                "full_time",
                (18, 55),
                True,
                True,
                False,
                10,
            ),
            (
                "陶瓷烧成辅助工",
                "6-15-05-03",
                "",
                (3500, 4500),
                "heavy",
                "full_time",
                (20, 50),
                False,
                False,
                True,
                8,
            ),
            (
                "包装工",
                "6-31-05-00",
                "",
                (2600, 3400),
                "light",
                "full_time",
                (18, 60),
                True,
                False,
                False,
                15,
            ),
        ],
    ),
    (
        "景德镇浮梁瓷源文化创意有限公司",
        "91",
        "county",
        [
            (
                "陶瓷工艺品制作学徒",
                "6-09-03-03",
                "陶瓷工艺",
                (2400, 3600),
                "light",
                "full_time",
                (16, 45),
                True,
                False,
                True,
                10,
            ),
            (
                "陶瓷产品质检员",
                "6-31-03-05",
                "",
                (2800, 3600),
                "light",
                "full_time",
                (18, 55),
                True,
                False,
                False,
                4,
            ),
        ],
    ),
    (
        "浮梁县仙芝茶业有限公司",
        "91",
        "town",
        [
            (
                "茶叶加工工",
                "6-02-06-10",
                "茶叶加工",
                (2800, 4200),
                "normal",
                "seasonal",
                (18, 60),
                False,
                False,
                False,
                20,
            ),
            (
                "采茶工（春茶季）",
                "5-01-02-01",
                "种植",
                (2400, 3600),
                "light",
                "seasonal",
                (18, 65),
                True,
                False,
                False,
                40,
            ),
            (
                "茶艺师",
                "4-03-02-07",
                "茶叶加工",
                (3000, 4500),
                "light",
                "full_time",
                (18, 45),
                True,
                True,
                False,
                3,
            ),
        ],
    ),
    (
        "浮梁县红茶产业发展有限公司",
        "91",
        "town",
        [
            (
                "茶叶分拣包装工",
                "6-31-05-00",
                "茶叶加工",
                (2400, 3200),
                "light",
                "full_time",
                (18, 62),
                True,
                False,
                False,
                15,
            ),
            (
                "评茶员助理",
                "6-02-06-11",
                "茶叶加工",
                (3200, 4000),
                "light",
                "full_time",
                (20, 50),
                True,
                True,
                False,
                2,
            ),
        ],
    ),
    (
        "浮梁县电商产业园运营有限公司",
        "91",
        "county",
        [
            (
                "网店客服",
                "4-04-05-03",
                "电子商务",
                (2800, 4000),
                "light",
                "home_based",
                (18, 50),
                True,
                False,
                False,
                15,
            ),
            (
                "互联网营销师（直播带货）",
                "4-01-06-02",
                "电子商务",
                (3500, 6000),
                "light",
                "full_time",
                (18, 40),
                True,
                True,
                False,
                6,
            ),
            (
                "快递员",
                "4-02-07-08",
                "",
                (3800, 5500),
                "normal",
                "full_time",
                (18, 50),
                False,
                False,
                False,
                8,
            ),
            (
                "电子商务师",
                "4-01-06-01",
                "电子商务",
                (3200, 5000),
                "light",
                "full_time",
                (18, 45),
                True,
                True,
                False,
                4,
            ),
        ],
    ),
    (
        "浮梁县瑶里旅游开发有限公司",
        "91",
        "town",
        [
            (
                "景区保洁员",
                "4-09-08-01",
                "",
                (2200, 2800),
                "light",
                "full_time",
                (18, 62),
                True,
                False,
                False,
                10,
            ),
            (
                "中式烹调师",
                "4-03-02-01",
                "厨师",
                (3500, 5000),
                "normal",
                "full_time",
                (20, 55),
                False,
                True,
                True,
                4,
            ),
            (
                "保安员",
                "4-07-05-01",
                "",
                (2600, 3200),
                "normal",
                "full_time",
                (20, 58),
                False,
                False,
                True,
                6,
            ),
        ],
    ),
    (
        "浮梁县安居家政服务有限公司",
        "91",
        "county",
        [
            (
                "家政服务员",
                "4-10-01-06",
                "家政服务",
                (3000, 4500),
                "normal",
                "full_time",
                (20, 55),
                False,
                False,
                True,
                12,
            ),
            (
                "养老护理员",
                "4-10-01-05",
                "月嫂",
                (3200, 4800),
                "normal",
                "full_time",
                (20, 55),
                False,
                True,
                True,
                8,
            ),
            (
                "母婴护理员（月嫂）",
                "4-10-01-06",
                "月嫂",
                (5000, 8000),
                "normal",
                "full_time",
                (22, 52),
                False,
                True,
                True,
                5,
            ),
        ],
    ),
    (
        "浮梁县农业机电维修有限公司",
        "91",
        "county",
        [
            (
                "电工",
                "6-31-01-03",
                "电工",
                (4000, 6000),
                "normal",
                "full_time",
                (20, 55),
                False,
                True,
                False,
                4,
            ),
            (
                "焊工",
                "6-18-02-04",
                "焊工",
                (4500, 6500),
                "heavy",
                "full_time",
                (20, 50),
                False,
                True,
                False,
                4,
            ),
        ],
    ),
    (
        "浮梁县绿源生态养殖有限公司",
        "91",
        "town",
        [
            (
                "家禽饲养员",
                "5-03-02-02",
                "养殖",
                (2600, 3600),
                "normal",
                "full_time",
                (18, 62),
                False,
                False,
                True,
                8,
            )
        ],
    ),
    (
        "浮梁县建工劳务有限公司",
        "91",
        "county",
        [
            (
                "砌筑工",
                "6-29-01-01",
                "",
                (5000, 7500),
                "heavy",
                "seasonal",
                (20, 55),
                False,
                False,
                True,
                20,
            ),
            (
                "装卸搬运工",
                "4-02-05-01",
                "",
                (4000, 5500),
                "heavy",
                "full_time",
                (20, 50),
                False,
                False,
                False,
                10,
            ),
        ],
    ),
    # 外出转移: employers outside the county, registered by the county bureau.
    (
        "东莞市长安精密电子有限公司",
        "91",
        "441900000000",
        [
            (
                "电子装配工",
                "6-20-01-01",
                "",
                (4800, 6500),
                "normal",
                "full_time",
                (18, 45),
                False,
                False,
                True,
                60,
            ),
            (
                "质检员",
                "6-31-03-05",
                "",
                (4500, 6000),
                "light",
                "full_time",
                (18, 40),
                True,
                False,
                True,
                20,
            ),
        ],
    ),
    (
        "宁波市鄞州服饰有限公司",
        "91",
        "330212000000",
        [
            (
                "缝纫工",
                "6-05-01-03",
                "",
                (4500, 7000),
                "light",
                "full_time",
                (18, 48),
                True,
                False,
                True,
                40,
            )
        ],
    ),
    (
        "南昌市红谷建设劳务有限公司",
        "91",
        "360100000000",
        [
            (
                "砌筑工（省内）",
                "6-29-01-01",
                "",
                (6000, 8500),
                "heavy",
                "full_time",
                (20, 55),
                False,
                False,
                True,
                30,
            ),
            (
                "电工（省内）",
                "6-31-01-03",
                "电工",
                (5500, 8000),
                "normal",
                "full_time",
                (20, 50),
                False,
                True,
                True,
                10,
            ),
        ],
    ),
    (
        "景德镇市昌江区顺达物流有限公司",
        "91",
        "360202000000",
        [
            (
                "分拣员",
                "4-02-05-01",
                "",
                (3800, 5000),
                "normal",
                "full_time",
                (18, 50),
                False,
                False,
                True,
                25,
            ),
            (
                "快递员（市区）",
                "4-02-07-08",
                "",
                (4200, 6500),
                "normal",
                "full_time",
                (18, 50),
                False,
                False,
                True,
                15,
            ),
        ],
    ),
    (
        "苏州工业园区恒达电子科技有限公司",
        "91",
        "320500000000",
        [
            (
                "电子装配工（苏州）",
                "6-20-01-01",
                "",
                (5000, 7000),
                "normal",
                "full_time",
                (18, 45),
                False,
                False,
                True,
                80,
            )
        ],
    ),
]
WORKSHOP_POSTINGS = [
    (
        "陶瓷彩绘（计件）",
        "6-09-03-03",
        "陶瓷工艺",
        (1800, 3200),
        "light",
        "home_based",
        (18, 64),
        True,
        False,
        False,
        12,
    ),
    (
        "茶叶拣梗（计件）",
        "6-02-06-10",
        "茶叶加工",
        (1600, 2600),
        "light",
        "full_time",
        (18, 64),
        True,
        False,
        False,
        15,
    ),
    (
        "竹编工",
        "5-05-06-05",
        "",
        (1800, 3000),
        "light",
        "home_based",
        (18, 64),
        True,
        False,
        False,
        10,
    ),
]
WELFARE_POSTINGS = [
    (
        "村庄保洁员（公益性岗位）",
        "4-09-08-01",
        "",
        (900, 1200),
        "light",
        "full_time",
        (18, 64),
        True,
        False,
        False,
        8,
    ),
    (
        "护林员（公益性岗位）",
        "5-02-03-01",
        "",
        (900, 1200),
        "light",
        "full_time",
        (18, 64),
        True,
        False,
        False,
        6,
    ),
    (
        "公路养护员（公益性岗位）",
        "6-29-02-04",
        "",
        (1000, 1300),
        "normal",
        "full_time",
        (18, 60),
        False,
        False,
        False,
        4,
    ),
    (
        "河道巡查员（公益性岗位）",
        "4-09-01-01",
        "",
        (900, 1200),
        "light",
        "full_time",
        (18, 64),
        True,
        False,
        False,
        4,
    ),
]


def _posting(
    employer: Employer,
    spec: PostingSpec,
    work_area: str,
    place: str,
    today: dt.date,
    rng: random.Random,
) -> Posting:
    (
        title,
        occ,
        trade,
        (wmin, wmax),
        physical,
        schedule,
        (amin, amax),
        disabled_ok,
        skill,
        lodging,
        n,
    ) = spec
    return Posting.objects.create(
        employer=employer,
        occupation_id=occ,
        title=title,
        positions=n,
        wage_min_fen=wmin * 100,
        wage_max_fen=wmax * 100,
        work_area_code=work_area,
        work_place=place,
        age_min=amin,
        age_max=amax,
        physical=physical,
        trade=trade,
        requires_skill=skill,
        accepts_disabled=disabled_ok,
        schedule=schedule,
        lodging=lodging,
        transport=rng.random() < 0.3,
        certificate="相关职业技能等级证书" if skill else "",
        opens_on=today - dt.timedelta(days=rng.randint(150, 420)),
        closes_on=today + dt.timedelta(days=rng.randint(60, 240)),
    )


def build_employers(
    rng: random.Random, today: dt.date, towns: list[Area], villages: list[Area]
) -> int:
    names = {a.code: a.name for a in Area.objects.filter(code__startswith=COUNTY[:4])}
    n = 0
    for name, prefix, where, specs in ENTERPRISES:
        if where == "county":
            area, place = pad(COUNTY), "浮梁县城（浮梁镇）"
        elif where == "town":
            town = rng.choice(towns)
            area, place = pad(town.code), town.name
        else:
            area, place = pad(COUNTY), names.get(where[:6], name[:3])
        e = Employer.objects.create(
            name=name,
            credit_code=_code(rng, prefix, (where if where[0].isdigit() else COUNTY)[:6]),
            kind=EmployerKind.ENTERPRISE,
            area_code=area,
            address=place,
            contact_name="人事部",
            contact_phone=f"0798-{rng.randint(2000000, 2999999)}",
        )
        work_area = where if where[0].isdigit() else area
        for spec in specs:
            _posting(e, spec, work_area, place, today, rng)
            n += 1
    for town in towns:
        # Every township: a tea cooperative, a workshop in one of its villages, public-welfare posts.
        vills = [v for v in villages if v.code.startswith(town.code)]
        coop = Employer.objects.create(
            name=f"浮梁县{town.name}茶叶专业合作社",
            credit_code=_code(rng, "93", COUNTY),
            kind=EmployerKind.COOPERATIVE,
            area_code=pad(town.code),
            address=town.name,
            contact_name="理事长",
        )
        _posting(
            coop,
            (
                "茶园管护工",
                "5-01-02-01",
                "种植",
                (2000, 3000),
                "normal",
                "seasonal",
                (18, 64),
                False,
                False,
                False,
                10,
            ),
            pad(town.code),
            town.name,
            today,
            rng,
        )
        village = rng.choice(vills)
        shop = Employer.objects.create(
            name=f"{village.name.replace('村委会', '村').replace('居委会', '社区')}就业扶贫车间",
            credit_code=_code(rng, "92", COUNTY),
            kind=EmployerKind.WORKSHOP,
            area_code=village.code,
            address=f"{town.name}{village.name}",
            contact_name="车间负责人",
        )
        for spec in rng.sample(WORKSHOP_POSTINGS, 2):
            _posting(shop, spec, village.code, f"{town.name}{village.name}", today, rng)
        gov = Employer.objects.create(
            name=f"浮梁县{town.name}人民政府（公益性岗位）",
            credit_code=_code(rng, "11", COUNTY),
            kind=EmployerKind.WELFARE,
            area_code=pad(town.code),
            address=town.name,
            contact_name="乡镇人社所",
        )
        for spec in WELFARE_POSTINGS:
            _posting(gov, spec, pad(town.code), town.name, today, rng)
        n += 7
    return n


def build_fairs(rng: random.Random, today: dt.date, towns: list[Area]) -> list[JobFair]:
    fairs = []
    enterprises = list(Employer.objects.exclude(kind=EmployerKind.WELFARE))
    month = today.replace(day=1)
    for offset in (-1, 0, 1):
        first = add_months(month, offset)
        for i, town in enumerate(towns):
            day = first + dt.timedelta(days=(i * 3 + 2) % 27)
            fair = JobFair.objects.create(
                area_code=pad(town.code),
                title=f"精准扶贫专场招聘会（{town.name}）",
                held_on=day,
                place=f"{town.name}人民政府大院",
                time_text="上午8:30–12:00",
            )
            chosen = rng.sample(enterprises, 5)
            fair.employers.set(chosen)
            fair.postings.set(Posting.objects.filter(employer__in=chosen))
            fairs.append(fair)
    return fairs


def build_flows(rng: random.Random, today: dt.date, user: User, fairs: list[JobFair]) -> dict:
    counts = {"referrals": 0, "hired": 0, "left": 0, "visits": 0, "fair_visitors": 0}
    recs = list(
        Recommendation.objects.filter(current=True, rank__lte=3)
        .select_related("person", "posting", "posting__employer")
        .order_by("person_id", "rank")
    )
    by_person: dict[int, list[Recommendation]] = {}
    for r in recs:
        by_person.setdefault(r.person_id, []).append(r)
    chosen = rng.sample(sorted(by_person), min(260, len(by_person)))
    hired: list[Referral] = []
    for pid in chosen:
        rec = rng.choice(by_person[pid])
        window = (today - rec.posting.opens_on).days - 20
        if window < 0:
            continue
        start = rec.posting.opens_on + dt.timedelta(days=rng.randint(0, window))
        try:
            ref = services.refer(user=user, person=rec.person, posting=rec.posting, day=start)
        except services.EmploymentError:
            continue
        counts["referrals"] += 1
        roll = rng.random()
        if roll < 0.15:
            continue
        services.advance(
            user=user,
            referral=ref,
            status=ReferralStatus.INTERVIEW,
            day=start + dt.timedelta(days=5),
        )
        if roll < 0.3:
            services.advance(
                user=user,
                referral=ref,
                status=ReferralStatus.DECLINED,
                day=start + dt.timedelta(days=9),
            )
            continue
        try:
            ref = services.advance(
                user=user,
                referral=ref,
                status=ReferralStatus.HIRED,
                day=start + dt.timedelta(days=12),
            )
        except services.EmploymentError:
            continue
        hired.append(ref)
        counts["hired"] += 1
    for ref in hired:
        checked = ref.hired_on + dt.timedelta(days=90)
        if checked > today:
            continue
        still = rng.random() > 0.1
        services.check_employment(
            user=user,
            referral=ref,
            still_employed=still,
            day=checked,
            note="" if still else "企业季节性减员",
        )
        counts["left"] += 0 if still else 1
    # Follow-up visits: most in the current quarter, some overdue, some never visited.
    for p in needing_follow_up(user).order_by("id"):
        roll = rng.random()
        if roll < 0.55:
            day = today - dt.timedelta(days=rng.randint(1, 80))
        elif roll < 0.8:
            day = today - dt.timedelta(days=rng.randint(100, 300))
        else:
            continue
        services.record_visit(
            user=user,
            person=p,
            day=day,
            kind=rng.choice(["home", "home", "phone"]),
            employed=p.work_status != "not_working",
            note=rng.choice(["家中情况稳定", "有外出务工打算", "希望就近务工", "需要技能培训"]),
        )
        counts["visits"] += 1
    # Attendance at last month's and this month's fairs.
    for fair in fairs:
        if fair.held_on > today:
            continue
        people = list(
            area_persons(fair.area_code[:9]).filter(
                status__in=ACTIVE_STATUSES, intention__in=[Intention.LOCAL, Intention.MIGRATE]
            )[:200]
        )
        for p in rng.sample(people, min(8, len(people))):
            services.attend_fair(
                user=user, fair=fair, person=p, outcome=rng.choice(list(FairOutcome.values))
            )
            counts["fair_visitors"] += 1
        JobFair.objects.filter(pk=fair.pk).update(visitors=rng.randint(60, 260))
    services.grant_welfare_subsidies(
        user=user, placements=Referral.objects.all(), month=add_months(month_start(today), -1)
    )
    return counts


@transaction.atomic
def build() -> str:
    """DEMO_BUILDERS hook: employers, postings, fairs, recommendations, referrals, checks and visits.

    Runs after the training and assistance builders (settings.DEMO_BUILDERS): the recommendations
    see the certificates, and the hires close the planned measures."""
    rng = random.Random(SEED)
    today = dt.date.today()
    user = User.objects.get(username="county")
    occupations.load()
    towns = list(
        Area.objects.filter(level=Level.TOWNSHIP, code__startswith=COUNTY).order_by("code")
    )
    villages = list(
        Area.objects.filter(level=Level.VILLAGE, code__startswith=COUNTY).order_by("code")
    )
    n_postings = build_employers(rng, today, towns, villages)
    fairs = build_fairs(rng, today, towns)
    seekers, offers, short = recommend_persons(area_persons(COUNTY), today, user=user)
    flows = build_flows(rng, today, user, fairs)
    return (
        f"就业帮扶：{Employer.objects.count()} 家用人单位、{n_postings} 个岗位、{len(fairs)} 场招聘会；"
        f"{seekers} 名求职者获推荐 {offers} 条（不足10条 {short} 人）；"
        f"推荐就业 {flows['referrals']} 人次、上岗 {flows['hired']} 人、"
        f"回访 {flows['visits']} 次"
    )
