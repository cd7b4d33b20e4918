"""信息比对 as the page starts it (`services.run_comparison`), on PostgreSQL: the set-based path
(COPY reads, Polars results, COPY writes, one UPDATE per scheme) against the row-by-row path it
replaced (bench/compare_job_old.py), on the same data, for the county user.

    nice -n 10 .venv/bin/python bench/compare_job.py [--persons 100000] [--rows 2000000] [--runs 3]
        [--keep] [--lock /work/wt/.bench.lock] [--only new|old|reads] [--reads]

Creates (or reuses with --keep) the database $BENCH_DB (default `bench_compare_job`), fills the
registry with bench/registry.py's generator (`--persons` in the county) and the enrolment extract
with `--rows` rows by INSERT … SELECT (untimed): each registered person's pension and medical rows
— 1 in 20 missing (not enrolled), 1 in 29 suspended, 1 in 31 enrolled in another county, 1 in 23
under an ID with two digits swapped (a likely same person), the poverty tag from the person's
status with 1 in 37 flipped — and the rest people of 40 other counties with valid IDs (outside
the job's area: compared, then dropped). Each timed run (flock on `--lock` around it only) is a
fresh job; its results are deleted afterwards (untimed). `--reads` also times the two reads alone
(registry + extract) of each path. Prints every run, the medians and the load average before and
after each run.
"""

import argparse
import contextlib
import datetime as dt
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("BENCH_DB", "bench_compare_job")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643 check character
AS_OF = dt.date(2026, 6, 30)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def check_sql(body: str) -> str:
    """SQL for the check character of the 17-digit text expression `body`."""
    total = " + ".join(f"substr({body}, {i + 1}, 1)::int * {w}" for i, w in enumerate(WEIGHTS))
    return f"substr('10X98765432', (({total}) % 11) + 1, 1)"


def fill_enrolment(rows: int) -> None:
    from django.db import connection

    cols = (
        "id_number, name, area_code, village_code, insurance, enrolment_status, poverty_tag, "
        "premium_subsidy, deceased, updated_at"
    )
    swapped = (
        "substr(p.id_number, 1, 14) || substr(p.id_number, 16, 1) || substr(p.id_number, 15, 1) "
        "|| substr(p.id_number, 17)"
    )
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO exchange_enrolmentrecord ({cols})
            SELECT CASE WHEN p.id % 23 = 0 AND substr(p.id_number, 15, 1) <> substr(p.id_number, 16, 1)
                        THEN {swapped} ELSE p.id_number END,
                   p.name,
                   CASE WHEN p.id % 31 = 0 THEN '360281' || substr(p.village_code, 7) ELSE p.village_code END,
                   p.village_code, s.ins,
                   CASE WHEN p.id % 29 = 0 THEN 'suspended' ELSE 'active' END,
                   (p.status IN ('new', 'poor', 'exited_policy', 'returned')) <> (p.id % 37 = 0),
                   p.status IN ('new', 'poor', 'exited_policy', 'returned'), false, now()
            FROM registry_person p CROSS JOIN (VALUES ('pension'), ('medical')) s(ins)
            WHERE NOT (p.id % 20 = 0 AND s.ins = 'pension')
            """
        )
        have = cur.rowcount
        others = max(rows - have, 0)
        body = (
            "'3604' || lpad(((k % 40) * 2 + 2)::text, 2, '0') "
            "|| to_char(DATE '1940-01-01' + ((k / 40) % 29000)::int, 'YYYYMMDD') "
            "|| lpad(((k / 1160000) % 1000)::text, 3, '0')"
        )
        surnames = (
            "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
        )
        given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文玉梅红春燕德荣志明金凤海燕永福"
        cur.execute(
            f"""
            INSERT INTO exchange_enrolmentrecord ({cols})
            SELECT b.body || {check_sql("b.body")},
                   substr(%s, 1 + (k * 7 % {len(surnames)})::int, 1)
                   || substr(%s, 1 + (k * 13 % {len(given)})::int, 1)
                   || substr(%s, 1 + (k * 17 % {len(given)})::int, 1),
                   substr(b.body, 1, 6) || '100200', substr(b.body, 1, 6) || '100200',
                   CASE WHEN g % 2 = 0 THEN 'pension' ELSE 'medical' END,
                   'active', k % 50 = 0, false, k % 97 = 0, now()
            FROM generate_series(0::bigint, %s - 1) g
            CROSS JOIN LATERAL (SELECT g / 2 AS k) kk
            CROSS JOIN LATERAL (SELECT {body} AS body) b
            """.replace("%", "%%").replace("%%s", "%s"),  # only the parameters stay %s
            [surnames, given, given, others],
        )
    import psycopg

    from registry import BASE, DB

    with psycopg.connect(f"{BASE}/{DB}", autocommit=True) as conn:
        conn.execute("vacuum analyze exchange_enrolmentrecord")


@contextlib.contextmanager
def bench_lock(path: str | None):
    """Hold `path` (flock) for a timed run only; None: no lock."""
    if not path:
        yield
        return
    import fcntl

    with open(path, "a") as fd:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="reuse an existing filled database")
    ap.add_argument("--lock", help="a lock file (flock) held for each timed run only")
    ap.add_argument(
        "--only",
        choices=("new", "old", "reads"),
        help="time only one path's job, or only the two reads of each path",
    )
    ap.add_argument(
        "--reads", action="store_true", help="also time the two reads alone (registry + extract)"
    )
    args = ap.parse_args()
    sys.path.insert(0, HERE)
    from registry import django_database, fill

    fresh = django_database(args.keep)
    import compare_job_old
    from fupin.access.models import User
    from fupin.exchange import services
    from fupin.exchange.models import ComparisonJob, ComparisonResult
    from fupin.insurance.models import EnrolmentRecord

    t = time.perf_counter()
    if fresh:
        fill(args.persons)
    if not EnrolmentRecord.objects.exists():
        fill_enrolment(args.rows)
        print(f"fill time {time.perf_counter() - t:.1f} s (untimed)")
    user = User.objects.get(username="county")
    print(
        f"persons {services.Person.objects.count():,}, enrolment rows "
        f"{EnrolmentRecord.objects.count():,}; load average {load()}"
    )
    paths = {"new": services._run_comparison, "old": compare_job_old._run_comparison}
    times: dict[str, list[float]] = {}
    found: dict[str, dict] = {}
    for i in range(args.runs):
        for name, run in paths.items():
            if args.only and name != args.only:
                continue
            job = ComparisonJob.objects.create(area_code="360222", created_by=user, steps=9)
            before = load()
            with bench_lock(args.lock):
                t0 = time.perf_counter()
                summary = run(job, user, AS_OF)
                seconds = time.perf_counter() - t0
            after = load()
            times.setdefault(name, []).append(seconds)
            found[name] = summary
            n = ComparisonResult.objects.filter(job=job).count()
            print(
                f"run {i + 1} {name}: {seconds:.1f} s, {n:,} results; load before {before}, after {after}",
                flush=True,
            )
            ComparisonResult.objects.filter(job=job).delete()
    for i in range(args.runs if args.reads or args.only == "reads" else 0):
        for name, module in (("new", services), ("old", compare_job_old)):
            before = load()
            with bench_lock(args.lock):
                t0 = time.perf_counter()
                module._registry_table("360222", user)
                module._enrolment_table()
                seconds = time.perf_counter() - t0
            times.setdefault(f"{name} reads", []).append(seconds)
            print(
                f"run {i + 1} {name} reads: {seconds:.1f} s; load before {before}, after {load()}"
            )
    for name, values in times.items():
        print(f"{name}: median {statistics.median(values):.1f} s of {values}")
    if len(found) == 2:
        print("same summary:", found["new"] == found["old"])
    print("summary:", found.get("new") or found.get("old"))


if __name__ == "__main__":
    main()
