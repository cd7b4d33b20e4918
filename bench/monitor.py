"""The nightly return-to-poverty monitoring run on PostgreSQL for 1,000,000 persons.

    nice -n 10 .venv/bin/python bench/monitor.py [--persons 1000000] [--runs 3] [--keep]

Creates (or reuses with --keep) the database $BENCH_DB (default `fupin_bench_monitor`) on the
local PostgreSQL and fills the registry with bench/registry.py's generator (COPY); then gives
the data every signal reads: per-capita incomes so that about 3% of households are below the
monitoring line, serious illness for ~1% of heads, ~0.2% heads dead this year (a StatusChange
each), referrals that ended lately for ~1% of persons (a tenth on public-welfare posts) and
in-post checks "not in post" for ~0.5%, a finished county comparison with gaps for ~2%, and
settled medical claims for ~5% (some above the share of income).

Each of `--runs` rounds empties the monitoring tables, times the first run (everything new:
households and alerts written) and then a re-run on the same day (nothing new), both through
the same service the page, task and command use (`services.run_monitoring`, holding the
liveness lock). Prints every run, the medians and the load average.
"""

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("BENCH_DB", "fupin_bench_monitor")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def fill_sources() -> None:
    from django.db import connection

    from fupin.access.models import User
    from fupin.employment import occupations
    from fupin.employment.models import Employer, Posting

    occupations.load(occupations.BUNDLED)
    posts = []
    for kind, code in (("enterprise", "91360222MA35BENCH1"), ("welfare", "12360222MB35BENCH2")):
        emp = Employer.objects.create(
            name=f"基准测试单位{kind}",
            credit_code=code,
            kind=kind,
            area_code="360222000000",
            contact_phone="0798-2000000",
        )
        posts.append(
            Posting.objects.create(
                employer=emp,
                occupation_id="6-02-06-10",
                title="基准岗位",
                positions=10**6,
                wage_min_fen=300000,
                wage_max_fen=400000,
                work_area_code="360222000000",
                work_place="县城",
                opens_on="2020-01-01",
                closes_on="2030-01-01",
            )
        )
    county = User.objects.get(username="county")
    with connection.cursor() as cur:
        # Incomes: 5000–14999.99 元 per person (about 3% below 5300 元).
        cur.execute(
            "UPDATE registry_household SET income_wage_fen = 500000 + (id * 7919) % 1000000, income_year = 2025"
        )
        cur.execute(
            "UPDATE registry_person SET health = 'serious' WHERE relation = 'head' AND id % 97 = 0"
        )
        cur.execute(
            "UPDATE registry_person SET status = 'removed', removal_reason = 'death' "
            "WHERE relation = 'head' AND id % 499 = 0"
        )
        cur.execute(
            "INSERT INTO registry_statuschange (person_id, village_code, old_status, "
            "new_status, effective_date, reason, changed_at) "
            "SELECT id, village_code, 'exited_policy', 'removed', CURRENT_DATE - 30, "
            "'死亡', now() FROM registry_person "
            "WHERE relation = 'head' AND id % 499 = 0"
        )
        cur.execute(
            "INSERT INTO employment_referral (person_id, village_code, posting_id, "
            "status, referred_on, hired_on, ended_on, note) "
            "SELECT id, village_code, CASE WHEN id %% 10 = 0 THEN %s ELSE %s END, "
            "CASE WHEN id %% 2 = 0 THEN 'left' ELSE 'hired' END, "
            "CURRENT_DATE - 200, CURRENT_DATE - 190, CASE WHEN id %% 2 = 0 THEN "
            "CURRENT_DATE - (id %% 120)::int END, '' "
            "FROM registry_person WHERE id %% 50 IN (0, 1)",
            [posts[1].pk, posts[0].pk],
        )
        cur.execute(
            "INSERT INTO employment_employmentcheck (referral_id, village_code, checked_on, still_employed, note) "
            "SELECT id, village_code, CURRENT_DATE - (id % 60)::int, (id % 4 <> 1), '' "
            "FROM employment_referral WHERE status = 'hired'"
        )
        cur.execute(
            "INSERT INTO exchange_comparisonjob (area_code, created_by_id, created_at, "
            "finished_at, state, step, steps, step_label, message, "
            "registry_rows, enrolment_rows, summary, by_township) "
            "VALUES ('360222', %s, now(), now(), 'done', 1, 1, '完成', '', 0, 0, '{}', "
            "'{}') "
            "RETURNING id",
            [county.pk],
        )
        job = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO exchange_comparisonresult (job_id, category, insurance, "
            "village_code, person_id, id_number, name, enrol_id_number, "
            "enrol_name, enrol_area_code, detail, review) SELECT %s, (ARRAY['suspended', "
            "'not_enrolled_medical', 'not_enrolled_pension', 'matched'])"
            "[1 + id %% 4], CASE WHEN id %% 4 = 2 THEN 'pension' ELSE 'medical' END, "
            "village_code, id, id_number, name, '', '', '', '', '' "
            "FROM registry_person WHERE id %% 37 = 0",
            [job],
        )
        cur.execute(
            "INSERT INTO insurance_medicalclaim (claim_no, person_id, village_code, "
            "hospital, visit_type, hospital_level, disease_code, "
            "admission_date, year, total_fen, in_policy_fen) SELECT 'B' || id, id, village_code, "
            "'县医院', 'inpatient', 2, '', make_date(EXTRACT(YEAR FROM CURRENT_DATE)::int, 1, 10), "
            "EXTRACT(YEAR FROM CURRENT_DATE)::int, 3000000, 2500000 "
            "FROM registry_person WHERE id % 20 = 0"
        )
        # The official settlement (split and identity) is only in insurance_claimsplit (what the
        # medical self-pay signal reads).
        cur.execute(
            "INSERT INTO insurance_claimsplit (claim_id, person_id, year, village_code, "
            "basic_fen, critical_fen, assistance_fen, fallback_fen, self_fen, "
            "policy, period, category, category_basis, chronic_class, settled_at) "
            "SELECT id, person_id, year, village_code, "
            "3000000 - (person_id * 104729) % 1500000, 0, 0, 0, "
            "(person_id * 104729) % 1500000, 'fuliang-2018', '', 'poor', '', '', now() "
            "FROM insurance_medicalclaim WHERE claim_no LIKE 'B%'"
        )
    import psycopg

    from registry import BASE, DB

    with psycopg.connect(f"{BASE}/{DB}", autocommit=True) as conn:
        for t in (
            "registry_household",
            "registry_person",
            "registry_statuschange",
            "employment_referral",
            "employment_employmentcheck",
            "exchange_comparisonresult",
            "insurance_medicalclaim",
            "insurance_claimsplit",
        ):
            conn.execute(f"vacuum analyze {t}")


def empty_monitoring() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE monitoring_alert, monitoring_stagechange, monitoring_measure, "
            "monitoring_review, monitoring_decision, "
            "monitoring_check, monitoring_monitoredhousehold, monitoring_monitoringrun CASCADE"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="reuse an existing filled database")
    args = ap.parse_args()
    sys.path.insert(0, HERE)
    from registry import django_database, fill

    fresh = django_database(args.keep)
    from django.utils import timezone

    from fupin.access.models import User
    from fupin.monitoring import services
    from fupin.monitoring.models import MonitoredHousehold, MonitoringRun
    from fupin.monitoring.nightly import STEPS
    from fupin.registry.models import Person

    if fresh:
        t = time.perf_counter()
        fill(args.persons)
        fill_sources()
        print(f"fill time {time.perf_counter() - t:.1f} s")
    county = User.objects.get(username="county")
    print(f"persons {Person.objects.count():,}; load average before: {load()}")

    def one() -> tuple[float, MonitoringRun]:
        run = MonitoringRun.objects.create(
            area_code="360222",
            day=timezone.localdate(),
            steps=STEPS,
            created_by=county,
        )
        t = time.perf_counter()
        services.run_monitoring(run, user=county)
        seconds = time.perf_counter() - t
        run.refresh_from_db()
        assert run.state == "done", run.message
        return seconds, run

    firsts, reruns = [], []
    for i in range(args.runs):
        empty_monitoring()
        seconds, run = one()
        firsts.append(seconds)
        print(
            f"  round {i + 1} first run: {seconds:.2f} s — {run.new_alerts:,} alerts, "
            f"{MonitoredHousehold.objects.count():,} households, "
            f"hits {run.hits}; load {load()}"
        )
        seconds, run = one()
        reruns.append(seconds)
        print(
            f"  round {i + 1} re-run:    {seconds:.2f} s — {run.new_alerts:,} new alerts; load {load()}"
        )
    print(
        f"first run: median {statistics.median(firsts):.2f} s over {args.runs} (min "
        f"{min(firsts):.2f}, max {max(firsts):.2f})"
    )
    print(
        f"re-run:    median {statistics.median(reruns):.2f} s over {args.runs} (min "
        f"{min(reruns):.2f}, max {max(reruns):.2f})"
    )
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
