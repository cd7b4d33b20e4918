"""The yearly 代缴 run on PostgreSQL for 1,000,000 persons.

    nice -n 10 .venv/bin/python bench/subsidy.py [--persons 1000000] [--runs 5] [--keep]

Creates (or reuses with --keep) the database $BENCH_DB (default `fupin_bench_subsidy`) on the
local PostgreSQL and fills the registry with bench/registry.py's generator (COPY); then gives
about 60% of the people a pension record (paying at the minimum tier, the 60+ partly drawing,
some with years paid), a medical enrolment for 2017 and 2018 for most (a few self-paid), and
低保/特困/五保/disability flags to a few percent. It runs the county's 2017 lists once
(last year's, for 新增/减少), then times, for the 2018 medical list and the 2018 pension list
(premiums + 60+ back-pay + early pension), `--runs` first runs of the year (the year's rows
deleted before each, untimed) and `--runs` runs again over unchanged data, through the same service
the command, page and task use (`services.execute_run`: the county-wide run builds the year's list
as a fresh table — INSERT … SELECT per scheme joined to the stored list — and swaps it in as the
year's partition when anything differs, then the changes against last year and the tally; one
transaction).
Prints a calibration write, every run, the medians and the load average.
"""

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("BENCH_DB", "fupin_bench_subsidy")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def fill_insurance() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        # Flags: ~3% 低保, 1% 特困, 0.5% 五保, 2% disability grade 1–4 (by id, deterministic).
        cur.execute(
            "UPDATE registry_person SET dibao = (id % 31 = 0), tekun = (id % 97 = 0), wubao = (id % 199 = 0), "
            "disability_grade = CASE WHEN id % 53 = 0 THEN 1 + (id / 53) % 4 ELSE NULL END, "
            "disability_type = CASE WHEN id % 53 = 0 THEN 'physical' ELSE '' END, "
            "removal_reason = CASE WHEN status = 'removed' THEN (ARRAY['death', 'moved', "
            "'other'])[1 + id % 3] ELSE '' END"
        )
        cur.execute(
            "INSERT INTO insurance_pensionrecord (person_id, village_code, status, "
            "tier_fen, paid_year, paid_by, years_paid, "
            "drawing_since, monthly_amount_fen, note, updated_at) "
            "SELECT id, village_code, CASE WHEN birth_date <= '1958-01-01' "
            "AND id % 3 = 0 THEN 'drawing' ELSE 'paying' END, "
            "10000, 2017, CASE WHEN id % 10 = 0 THEN 'self' ELSE 'government' END, id % 16, "
            "CASE WHEN birth_date <= '1958-01-01' AND id % 3 = 0 THEN DATE '2015-01-01' END, "
            "CASE WHEN birth_date <= '1958-01-01' AND id % 3 = 0 THEN 10500 END, '', now() "
            "FROM registry_person WHERE id % 5 <> 0 AND id % 5 <> 1"
        )
        for year in (2017, 2018):
            cur.execute(
                "INSERT INTO insurance_medicalenrolment (person_id, year, village_code, "
                "enrolled_on, benefits_from, paid_by, note, updated_at) "
                "SELECT id, %s, village_code, make_date(%s - 1, 12, 1), make_date(%s, 1, 1), "
                "CASE WHEN id %% 20 = 0 THEN 'self' ELSE 'government' END, '', now() "
                "FROM registry_person WHERE id %% 10 <> %s",
                [year, year, year, year % 10],
            )
    import psycopg

    from registry import BASE, DB

    with psycopg.connect(f"{BASE}/{DB}", autocommit=True) as conn:
        for t in ("registry_person", "insurance_pensionrecord", "insurance_medicalenrolment"):
            conn.execute(f"vacuum analyze {t}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="reuse an existing filled database")
    args = ap.parse_args()
    sys.path.insert(0, HERE)
    from registry import django_database, fill

    fresh = django_database(args.keep)
    from fupin.insurance import services
    from fupin.registry.models import Person

    if not fresh:
        from django.core.management import call_command
        from django.db import connection as c0

        with c0.cursor() as cur:  # the lists are recomputed below; a migration need not copy them
            cur.execute("TRUNCATE insurance_subsidyentry, insurance_subsidychange")
        call_command("migrate", verbosity=0)
    if fresh:
        t = time.perf_counter()
        fill(args.persons)
        fill_insurance()
        print(f"fill time {time.perf_counter() - t:.1f} s")
    print(f"persons {Person.objects.count():,}; load average before: {load()}")
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        # Calibration: what this machine gives right now to the simplest 1,000,000-row write.
        cur.execute("CREATE TEMP TABLE bench_calibration (a int, b int, c text) ON COMMIT DROP")
        t = time.perf_counter()
        cur.execute(
            "INSERT INTO bench_calibration SELECT g, g, 'x' FROM generate_series(1, 1000000) g"
        )
        print(
            "calibration: 1,000,000 narrow rows into an unindexed temporary table: "
            f"{time.perf_counter() - t:.2f} s; load {load()}"
        )

    def one(year: int, insurance: str) -> tuple[float, dict]:
        run = services.create_run(user=None, year=year, insurance=insurance, pack_id="fuliang-2018")
        t = time.perf_counter()
        counts = services.execute_run(run)
        return time.perf_counter() - t, counts

    seconds, counts = one(2017, "medical")
    print(f"2017 medical (last year's list): {seconds:.2f} s")
    seconds, counts = one(2017, "pension")
    print(f"2017 pension (last year's list): {seconds:.2f} s")
    from django.db import connection as conn

    def clear(insurance: str) -> None:
        with transaction.atomic(), conn.cursor() as cur:
            if conn.vendor == "postgresql":  # the year's partition (migration 0006)
                cur.execute(f"DROP TABLE IF EXISTS insurance_subsidyentry_{insurance}_2018")
            cur.execute(
                "DELETE FROM insurance_subsidyentry WHERE year = 2018 AND insurance = %s",
                [insurance],
            )

    for insurance in ("medical", "pension"):
        for label, fresh in (
            ("first run of the year (empty list)", True),
            ("run again (nothing changed)", False),
        ):
            times = []
            for i in range(args.runs):
                if fresh:
                    clear(insurance)
                seconds, counts = one(2018, insurance)
                times.append(seconds)
                s = counts["by_scheme"]["premium"]
                w = counts["written"]
                print(
                    f"  2018 {insurance}, {label}, run {i + 1}: {seconds:.2f} s — "
                    f"entitled {s['entitled']:,}, excluded {s['excluded']:,}, "
                    f"新增 {counts['added']:,}, 减少 {counts['removed']:,}; rows inserted "
                    f"{w['inserted']:,}, updated {w['updated']:,}, "
                    f"deleted {w['deleted']:,}; load {load()}"
                )
            print(
                f"2018 {insurance}, {label}: median {statistics.median(times):.2f} s over {args.runs} runs "
                f"(min {min(times):.2f}, max {max(times):.2f}); load average {load()}"
            )


if __name__ == "__main__":
    main()
