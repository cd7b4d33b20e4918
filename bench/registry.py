"""Registry latency on PostgreSQL with 1,000,000 persons (~350,000 households).

    nice -n 10 .venv/bin/python bench/registry.py [--persons 1000000] [--requests 200] [--keep]

Creates (or reuses with --keep) the database $BENCH_DB (default `fupin_bench`) on the local
PostgreSQL, fills it with COPY, then times server-side latency (Django test client, in
process: middleware, ORM, rendering; no network) of the household list (filtered; page 1 and
deep pages), search by ID number and by name, and the person detail — over the API and the
HTML page. Every request of a case asks for something different: `--requests` persons, names,
filters and cursors drawn at random over the whole table. Each case runs twice over the same
list: "cold" is the first time each row is asked for (after a warm-up of the code paths on
other URLs), "warm" the second. Cold means not yet read by this run: PostgreSQL's shared
buffers and the OS page cache are not dropped (a shared machine; that needs a server restart
and root). Prints p50/p95 and the load average.
"""

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import time

BASE = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_DB", "fupin_bench")


def prepare_database(keep: bool) -> bool:
    import psycopg

    with psycopg.connect(f"{BASE}/postgres", autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname=%s", (DB,)).fetchone()
        if exists and keep:
            return False
        if exists:
            conn.execute(f"drop database {DB} with (force)")
        conn.execute(f"create database {DB}")
    return True


def django_database(keep: bool) -> bool:
    """Point Django at the bench database $BENCH_DB on $BENCH_PG — created afresh, or reused when
    `keep` and it exists — and set Django up (the bench's own src first on the path); True when
    the database is new (the caller fills it)."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    os.environ["DATABASE_URL"] = f"{BASE}/{DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fupin.settings"
    os.environ.setdefault("FUPIN_SECRET_KEY", "bench-only-not-secret")  # a throwaway database
    fresh = prepare_database(keep)
    import django

    django.setup()
    return fresh


def fill(persons: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from fupin.areas.models import Area
    from fupin.demo.builder import COUNTY, ensure_areas, ensure_users
    from fupin.registry.idnumber import check_char

    call_command("migrate", verbosity=0)
    ensure_areas()
    ensure_users()
    villages = list(Area.objects.filter(level=5, code__startswith=COUNTY).values_list("id", "code"))
    rng = random.Random(1)
    statuses = (
        ["poor"] * 6
        + ["exited_policy"] * 84
        + ["exited"] * 4
        + ["new", "new", "returned", "removed", "removed", "removed"]
    )
    causes = (
        ["illness"] * 40
        + ["disability"] * 16
        + ["no_skills"] * 9
        + ["no_labour"] * 10
        + ["no_capital"] * 8
        + ["schooling"] * 7
        + ["other"] * 10
    )
    skills = ["general"] * 5 + ["skilled", "weak", "weak", "lost", "none"]
    surnames = (
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
        "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎"
        "贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    )
    given = (
        "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文玉梅红春燕德荣志明金凤海燕永福"
    )
    hh_buf, p_buf = io.StringIO(), io.StringIO()
    now = dt.datetime.now(dt.UTC).isoformat()
    hh_id = pid = 0
    seq = 0
    while pid < persons:
        hh_id += 1
        vid, vcode = villages[rng.randrange(len(villages))]
        size = min(rng.choice([1, 2, 2, 2, 3, 3, 3, 4, 4, 5]), persons - pid)
        surname = surnames[rng.randrange(len(surnames))]
        head = surname + given[rng.randrange(len(given))] + given[rng.randrange(len(given))]
        status = statuses[rng.randrange(len(statuses))]
        hh_buf.write(
            f"{hh_id}\tB{hh_id:09d}\t{vid}\t{vcode}\t\t{head}"
            f"\t\tgeneral\tnational\t2016\t{causes[rng.randrange(len(causes))]}\t\t\t{status}"
            f"\t\\N\t2019\t0\t0\t0\t0\tsafe\tt\t\t\t\t{size}\t{now}\t{now}\n"
        )
        for i in range(size):
            pid += 1
            seq += 1
            born = dt.date(1940, 1, 1) + dt.timedelta(days=seq % 29000)
            first17 = f"{COUNTY}{born:%Y%m%d}{(seq // 29000) % 1000:03d}"
            sex = "男" if int(first17[16]) % 2 else "女"
            name = (
                head
                if i == 0
                else surname + given[rng.randrange(len(given))] + given[rng.randrange(len(given))]
            )
            p_buf.write(
                f"{pid}\t{hh_id}\t{vcode}\t{first17}{check_char(first17)}\t{name}\t{sex}\t{born}"
                f"\t汉族\t{'head' if i == 0 else 'child'}"
                f"\t\tnone\thealthy\t\t\\N\t\t{skills[rng.randrange(len(skills))]}"
                f"\tnot_working\t0\tnone\tf\t\tf\tf\tf\tf\tf\tf\tunknown\tunknown\t\t{status}"
                f"\t\t{now}\t{now}\n"
            )
    hh_cols = (
        "id, number, village_id, village_code, address, head_name, phone, attribute, "
        "standard, year_identified, main_cause, cause_2, cause_3, status, exit_year, "
        "income_year, income_wage_fen, income_business_fen, income_transfer_fen, "
        "income_property_fen, housing, water_safe, cadre_name, cadre_unit, cadre_phone, "
        "member_count, created_at, updated_at"
    )
    p_cols = (
        "id, household_id, village_code, id_number, name, sex, birth_date, ethnicity, "
        "relation, education, schooling, health, disability_type, disability_grade, "
        "disability_cert, labour_skill, work_status, months_worked, intention, "
        "training_need, wished_trade, dibao, tekun, wubao, severe_disability, poor_graduate, "
        "technical_student, pension_status, medical_status, phone, status, removal_reason, "
        "created_at, updated_at"
    )
    with connection.cursor() as cur:
        raw = cur.cursor
        for table, cols, buf in (
            ("registry_household", hh_cols, hh_buf),
            ("registry_person", p_cols, p_buf),
        ):
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                copy.write(buf.getvalue())
        cur.execute(
            "select setval('registry_household_id_seq', (select max(id) from registry_household))"
        )
        cur.execute(
            "select setval('registry_person_id_seq', (select max(id) from registry_person))"
        )
    import psycopg

    # What autovacuum does on a live server: visibility map and statistics for index-only scans.
    with psycopg.connect(f"{BASE}/{DB}", autocommit=True) as conn:
        conn.execute("vacuum analyze registry_household")
        conn.execute("vacuum analyze registry_person")
    print(f"filled {hh_id:,} households and {pid:,} persons")


def timed(client, urls: list[str]) -> tuple[float, float]:
    """p50 and p95 in milliseconds over one pass of `urls`, each asked once."""
    samples = []
    for url in urls:
        t = time.perf_counter()
        r = client.get(url)
        samples.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--keep", action="store_true", help="reuse an existing fupin_bench database")
    args = ap.parse_args()
    os.environ["DATABASE_URL"] = f"{BASE}/{DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fupin.settings"
    os.environ.setdefault("FUPIN_SECRET_KEY", "bench-only-not-secret")  # a throwaway database
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    fresh = prepare_database(args.keep)
    import django

    django.setup()
    from django.test import Client

    from fupin.access.models import User
    from fupin.registry.models import Household, Person

    if fresh:
        t = time.perf_counter()
        fill(args.persons)
        print(f"fill time {time.perf_counter() - t:.1f} s")
    n_hh, n_p = Household.objects.count(), Person.objects.count()
    county = Client()
    county.force_login(User.objects.get(username="county"))
    town = Client()
    town.force_login(User.objects.get(username="town-360222100"))
    rng = random.Random(7)
    n = args.requests
    hh_ids = list(Household.objects.order_by("-id").values_list("id", flat=True))
    town_ids = list(
        Household.objects.filter(village_code__startswith="360222100")
        .order_by("-id")
        .values_list("id", flat=True)
    )
    max_pid = Person.objects.order_by("-id").values_list("id", flat=True).first()
    # Separate draws for the page and the API, so neither reads rows the other has just read.
    people = list(
        Person.objects.filter(id__in=rng.sample(range(1, max_pid + 1), 2 * n)).values_list(
            "id", "id_number", "name"
        )
    )
    rng.shuffle(people)
    ph, pa = people[:n], people[n : 2 * n]
    filters = [
        (st, c)
        for st in ("poor", "exited_policy", "exited", "new", "returned")
        for c in (
            "illness",
            "disability",
            "no_skills",
            "no_labour",
            "no_capital",
            "schooling",
            "other",
        )
    ]
    filters = (filters * (n // len(filters) + 1))[:n]
    cursors = rng.sample(hh_ids[50:], 2 * n)
    town_cursors = rng.sample(town_ids[50:], min(2 * n, len(town_ids) - 50))
    ch, ca, th, ta = (
        cursors[:n],
        cursors[n:],
        town_cursors[: len(town_cursors) // 2],
        town_cursors[len(town_cursors) // 2 :],
    )
    cases = [
        (
            "household list, filtered, page 1 (county)",
            [f"/registry/households/?status={st}&cause={c}" for st, c in filters],
            [f"/api/v1/households?status={st}&cause={c}" for st, c in filters],
        ),
        (
            "household list, deep pages (county)",
            [f"/registry/households/?after={a}&page=5000" for a in ch],
            [f"/api/v1/households?after={a}" for a in ca],
        ),
        (
            "household list, pages (township)",
            [f"/registry/households/?after={a}&page=50" for a in th],
            [f"/api/v1/households?after={a}" for a in ta],
        ),
        (
            "search by ID number",
            [f"/registry/households/?q={i}" for _, i, _ in ph],
            [f"/api/v1/persons?q={i}" for _, i, _ in pa],
        ),
        (
            "search by name",
            [f"/registry/households/?q={m}" for _, _, m in ph],
            [f"/api/v1/persons?q={m}" for _, _, m in pa],
        ),
        (
            "person detail",
            [f"/registry/persons/{p}/" for p, _, _ in ph],
            [f"/api/v1/persons/{p}" for p, _, _ in pa],
        ),
    ]
    # Warm the code paths (templates, URL resolver, first queries) on rows the cases do not ask for.
    for url in (
        "/registry/households/",
        "/api/v1/households",
        "/registry/households/?q=无此人",
        "/api/v1/persons?q=无此人",
    ):
        for _ in range(3):
            county.get(url)
            town.get(url)
    print(
        f"\nPostgreSQL, {n_hh:,} households, {n_p:,} persons; {n} different requests per case; milliseconds; "
        f"load average {load()} ({os.cpu_count()} CPUs)"
    )
    print(f"{'case':44} {'':5} {'HTML p50':>9} {'HTML p95':>9} {'API p50':>8} {'API p95':>8}")
    for label, html, api_urls in cases:
        client = town if "township" in label else county
        for run in ("cold", "warm"):
            hp50, hp95 = timed(client, html)
            ap50, ap95 = timed(client, api_urls)
            print(
                f"{label if run == 'cold' else '':44} {run:5} {hp50:9.1f} {hp95:9.1f} {ap50:8.1f} {ap95:8.1f}"
            )
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
