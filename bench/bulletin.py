"""Monthly bulletin and dashboards on PostgreSQL with 1,000,000 persons.

    .venv/bin/python bench/bulletin.py [--persons 1000000] [--runs 5] [--requests 40] [--keep]

Creates (or reuses with --keep) the database `fupin_bench_bulletin`, fills the registry with COPY
(bench/registry.py's generator) and adds, in set-based SQL, what the indicators count: intentions,
training needs and insurance status; 10 recommendations for 30 % of the willing; referrals and
placements; quarterly visits; courses and enrolments; job fairs; exits from poverty. Then:

* the statistics snapshot (`fupin snapshot`: every indicator per village and township, stock
  figures once and flow figures per month/quarter/year/plan window) of today, and of the last day
  of each of the --backfill previous months (the dashboard's trends) — timed separately;
* the monthly bulletin (every indicator for every township and village, ranked against a plan's
  targets) read from the snapshot — median of --runs generations, target < 2 s;
* server-side latency (Django test client, in process) of the dashboard home page (county and
  township), cold (every cache cleared before each request) and warm, and of the indicator, plan
  and bulletin pages — p50/p95, target p95 < 300 ms.

Prints the load average next to each figure: the machine is shared.
"""

import argparse
import datetime as dt
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "fupin_bench_bulletin"


def _registry_bench():
    spec = importlib.util.spec_from_file_location("bench_registry", HERE / "registry.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.DB = DB
    return mod


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def add_services(today: dt.date) -> None:
    """What the indicators count, in set-based SQL over the filled registry."""
    from django.db import connection

    from fupin.access.models import User
    from fupin.areas.models import Area, Level
    from fupin.employment import occupations
    from fupin.employment.models import Employer, JobFair, Posting
    from fupin.training.models import Course

    occupations.load()
    county = User.objects.get(username="county")
    towns = list(
        Area.objects.filter(level=Level.TOWNSHIP, code__startswith="360222").order_by("code")
    )
    year_start = today.replace(month=1, day=1)
    for i, town in enumerate(towns):
        code = town.code.ljust(12, "0")
        for k, kind in enumerate(("workshop", "welfare", "enterprise")):
            e = Employer.objects.create(
                name=f"{town.name}{kind}",
                credit_code=f"91360222{i:02d}{k}{'0' * 7}",
                kind=kind,
                area_code=code,
            )
            Posting.objects.create(
                employer=e,
                area_code=code,
                occupation_id="6-02-06-10",
                title="岗位",
                positions=30,
                wage_min_fen=200000,
                wage_max_fen=300000,
                work_area_code=code,
                work_place=town.name,
                opens_on=year_start,
                closes_on=today + dt.timedelta(days=90),
            )
        for m in range(1, today.month + 1):
            JobFair.objects.create(
                area_code=code,
                title=f"{town.name}招聘会",
                held_on=dt.date(today.year, m, 10),
                place=town.name,
            )
        Course.objects.create(
            title=f"{town.name}培训班",
            trade="茶叶加工",
            provider="职校",
            area_code=code,
            place=town.name,
            starts_on=year_start,
            ends_on=year_start + dt.timedelta(days=10),
        )
    span = (today - year_start).days or 1
    with connection.cursor() as cur:
        cur.execute("""
            update registry_person set
              intention = (array['migrate','local','startup','none','local'])[1 + id % 5],
              training_need = (id % 3 = 0),
              medical_status = case when id % 20 = 0 then 'not_enrolled' else 'enrolled' end,
              pension_status = case when id % 9 = 0 then 'unknown' else 'enrolled' end""")
        # 10 recommendations each for 30 % of the willing and able.
        cur.execute(
            """
            insert into employment_recommendation
                (person_id, village_code, posting_id, rank, score, reasons, current, created_on)
            select p.id, p.village_code, po.id, g.n, 0.5, '就地就近', true, %s
            from registry_person p cross join generate_series(1, 10) g(n)
            join lateral (select id from employment_posting order by id offset (p.id + g.n) %% 54 limit 1) po on true
            where p.intention <> 'none' and p.labour_skill in ('general','skilled','weak') and p.id %% 10 < 3""",
            [today],
        )
        # Referrals, a third of them hired this year; the rest of the willing visited in the last months.
        cur.execute(
            """
            insert into employment_referral (person_id, village_code, posting_id, status, referred_on, hired_on, note)
            select p.id, p.village_code, (select id from employment_posting order by id offset p.id %% 54 limit 1),
                   case when p.id %% 3 = 0 then 'hired' else 'referred' end,
                   %s::date + (p.id %% %s)::int, case when p.id %% 3 = 0 then %s::date + (p.id %% %s)::int end, ''
            from registry_person p where p.intention <> 'none' and p.id %% 40 = 1""",
            [year_start, span, year_start, span],
        )
        cur.execute(
            """
            insert into employment_followupvisit (person_id, village_code, visited_on, kind, employed, needs, note)
            select p.id, p.village_code, %s::date - (p.id %% 200)::int, 'home', false, '', ''
            from registry_person p where (p.training_need or p.intention <> 'none') and p.id %% 4 <> 0""",
            [today],
        )
        cur.execute(
            """
            insert into training_enrolment (course_id, person_id, village_code, status, enrolled_on, attended,
                                            completed_on, certificate_no, certificate_kind, certificate_on)
            select c.id, p.id, p.village_code, 'completed', %s::date + (p.id %% %s)::int, 10,
                   %s::date + (p.id %% %s)::int, case when p.id %% 2 = 0 then 'Z' || p.id else '' end, '',
                   case when p.id %% 2 = 0 then %s::date + (p.id %% %s)::int end
            from registry_person p join training_course c on c.area_code = substr(p.village_code, 1, 9) || '000'
            where p.training_need and p.id %% 6 = 0""",
            [year_start, span, year_start, span, year_start, span],
        )
        cur.execute(
            """
            insert into registry_statuschange
                (household_id, village_code, old_status, new_status, effective_date, reason, changed_at)
            select h.id, h.village_code, 'poor', 'exited_policy', %s::date + (h.id %% %s)::int, '年度动态调整', now()
            from registry_household h where h.status = 'exited_policy'""",
            [year_start, span],
        )
        for table in (
            "registry_person",
            "employment_recommendation",
            "employment_referral",
            "employment_followupvisit",
            "training_enrolment",
            "registry_statuschange",
        ):
            cur.execute(f"analyze {table}")
    print(f"services added for {len(towns)} townships; county user {county.username}")


def timed(client, url: str, n: int, clear: bool) -> tuple[float, float]:
    from django.core.cache import cache

    samples = []
    for _ in range(n):
        if clear:
            cache.clear()
        t = time.perf_counter()
        r = client.get(url)
        samples.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument(
        "--requests",
        type=int,
        default=40,
        help="requests for each page served from cache or a snapshot",
    )
    ap.add_argument("--keep", action="store_true", help=f"reuse an existing {DB} database")
    ap.add_argument(
        "--bulletin-only", action="store_true", help="time the bulletin only (no PDF, no pages)"
    )
    ap.add_argument(
        "--backfill", type=int, default=11, help="previous month-ends to snapshot (trends)"
    )
    ap.add_argument(
        "--reuse-snapshots", action="store_true", help="keep the snapshots of an earlier run"
    )
    args = ap.parse_args()
    os.environ["DATABASE_URL"] = f"{BASE}/{DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fupin.settings"
    os.environ.setdefault("FUPIN_SECRET_KEY", "bench-only-not-secret")  # a throwaway database
    sys.path.insert(0, str(HERE.parent / "src"))
    reg = _registry_bench()
    fresh = reg.prepare_database(args.keep)
    import django

    django.setup()
    from django.test import Client

    from fupin.access.models import User
    from fupin.management import bulletins, periods, services, snapshots
    from fupin.management.loading import load_indicators
    from fupin.management.models import Bulletin, BulletinRead, Indicator, Plan, SnapshotRun
    from fupin.registry.models import Person

    today = dt.date.today()
    if not fresh:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # a kept database meets today's schema
    if fresh:
        t = time.perf_counter()
        reg.fill(args.persons)
        add_services(today)
        print(f"fill time {time.perf_counter() - t:.1f} s")
    load_indicators()
    county = User.objects.get(username="county")
    plan = Plan.objects.filter(name="基准测试方案").first()
    if plan is None:
        plan = services.save_plan(
            user=county,
            name="基准测试方案",
            starts_on=today.replace(month=1, day=1),
            ends_on=today.replace(month=12, day=31),
        )
        for code, total in (
            ("workshops", 17),
            ("welfare_posts", 293),
            ("job_fairs", 3),
            ("trained", 200),
            ("persons_out", 1500),
            ("emp_service_coverage", 100),
            ("medical_coverage", 100),
        ):
            services.decompose(
                user=county, plan=plan, indicator=Indicator.objects.get(code=code), total=total
            )
    print(
        f"{Person.objects.count():,} persons; {Indicator.objects.filter(active=True).count()} indicators; load {load()}"
    )

    if not (args.reuse_snapshots and SnapshotRun.objects.filter(day=today).exists()):
        t = time.perf_counter()
        run = snapshots.build(day=today)
        print(
            f"snapshot of today ({run.rows:,} rows, {len(run.windows)} windows): "
            f"{time.perf_counter() - t:.1f} s; load {load()}"
        )
        spent = []
        for p in periods.months_back(today, args.backfill + 1)[:-1]:
            t = time.perf_counter()
            snapshots.build(day=p.end)
            spent.append(time.perf_counter() - t)
        if spent:
            print(
                f"snapshots of the {len(spent)} previous month-ends: median {statistics.median(spent):.1f} s each, "
                f"{sum(spent):.0f} s in all; load {load()}"
            )
    month = today.replace(day=1)
    times = []
    for _ in range(args.runs):
        BulletinRead.objects.filter(
            bulletin__month=month
        ).delete()  # the bench's own database: start afresh
        Bulletin.objects.filter(month=month).delete()
        t = time.perf_counter()
        b = bulletins.generate(user=county, month=month, plan=plan)
        times.append(time.perf_counter() - t)
    sections = len(b.data["sections"])
    print(
        f"bulletin ({sections} indicators × {len(b.data['sections'][0]['rows'])} townships, ranked against targets): "
        f"median {statistics.median(times):.2f} s, min {min(times):.2f} s, "
        f"max {max(times):.2f} s over {args.runs} runs; load {load()}"
    )
    if args.bulletin_only:
        return
    t = time.perf_counter()
    pdf = bulletins.pdf_bytes(b)
    print(
        f"bulletin PDF: {len(pdf) / 1024:.0f} KB in {time.perf_counter() - t:.2f} s; load {load()}"
    )
    bulletins.publish(user=county, bulletin=b)

    clients = {}
    for name in ("county", "town-360222100"):
        c = Client()
        c.force_login(User.objects.get(username=name))
        c.get("/")  # warm templates and code paths
        clients[name] = c
    fast = args.requests
    cases = [
        (
            "dashboard home, county, cold (every cache cleared each request)",
            "county",
            "/",
            True,
            fast,
        ),
        ("dashboard home, township, cold", "town-360222100", "/", True, fast),
        ("dashboard home, county, warm", "county", "/", False, fast),
        ("dashboard home, township, warm", "town-360222100", "/", False, fast),
        (
            "bulletin page, township",
            "town-360222100",
            f"/management/bulletins/{b.pk}/",
            False,
            fast,
        ),
        (
            "indicator table, county, this month (from the snapshot), cold",
            "county",
            "/management/indicators/",
            True,
            fast,
        ),
        (
            "plan progress page, county (from the snapshot), cold",
            "county",
            f"/management/plans/{plan.pk}/",
            True,
            fast,
        ),
    ]
    for label, who, url, clear, n in cases:
        p50, p95 = timed(clients[who], url, n, clear)
        print(f"{label}: p50 {p50:.0f} ms, p95 {p95:.0f} ms ({n} requests); load {load()}")


if __name__ == "__main__":
    main()
