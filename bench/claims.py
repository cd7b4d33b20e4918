"""Settle a stored year of medical claims on PostgreSQL and write the results back.

    nice -n 10 .venv/bin/python bench/claims.py [--claims 1000000] [--persons 200000] [--runs 3] [--keep]
        [--only official|resettle|identity] [--changed all|none|both] [--trails]
        [--lock /work/wt/.bench.lock] [--fill-only]

Creates (or reuses with --keep) the database $BENCH_DB (default `fupin_bench_claims`) on the
local PostgreSQL, fills the registry with bench/registry.py's generator and then `--claims`
stored claims of 2018 spread over the first `--persons` persons (INSERT … SELECT in the
database: ~10% chronic outpatient with class Ⅰ/Ⅱ, levels 1–3, categories general/poor/dibao/tekun,
a few of the 15 major diseases), each with the category and class of its day as the official
settlement records them. Then times, `--runs` times each:

- official: the whole year read with COPY … TO STDOUT (`store.read_year`), settled on the column
  path under the county region by date with the earlier claims its January transfers continue
  (`store.chain_context`, `store.settle_stored`), the split written as the year's
  official one (`store.write_back`: the other years' rows and a COPY of this year's into a fresh
  narrow table, indexes built once, swapped for the old table), in one transaction;
- 政策测算: the service a page starts (`resettle.execute`): read, settle under 济宁, results
  COPY'd into their own table in chunks with progress, one transaction.
- 按新身份重算 (`--only identity`): the task a page starts (`official.execute`) for the county.
  Every person with chronic claims first gets a 慢性病医疗证 of his claims' class. Two cases,
  `--runs` times each: "all changed" — before each run (untimed) every stored category is moved
  one step, so every claim changes and every person-year's identity is rewritten (the worst case);
  then "nothing changed" (the usual case: a few identities corrected). The run writes split and
  identity and deletes the changed person-years' trails; `--trails` then times, separately, the
  background fill (计算过程补写, `trails.execute`) the run queued; `--stored-trails` gives every claim
  a stored trail of ~2 KB before each run (untimed: the steady state a finished fill leaves), so
  the run's removal of the changed trails is timed. `--lock FILE` holds a flock only
  around each timed run (`--fill-only` fills the database without timing).

Prints every run with its steps, the medians and the load average (the machine is shared).
"""

import argparse
import contextlib
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("BENCH_DB", "fupin_bench_claims")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def fill_claims(claims: int, persons: int) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        # g numbers the claim; person = g mod persons; days spread over the year; amounts vary by g.
        cur.execute(
            """
            WITH stored AS (
            INSERT INTO insurance_medicalclaim (claim_no, person_id, village_code, hospital, visit_type, hospital_level,
                disease_code, admission_date, year, total_fen, in_policy_fen)
            SELECT 'B' || g, p.id, p.village_code, '', v.visit, v.lvl,
                CASE WHEN g %% 37 = 0 THEN 'C16' WHEN g %% 41 = 0 THEN 'I63' ELSE '' END,
                DATE '2018-01-01' + (g * 7919 %% 365)::int, 2018, v.total, v.total * (60 + g %% 36) / 100
            FROM generate_series(0::bigint, %s - 1) g
            JOIN (SELECT id, village_code, row_number() OVER (ORDER BY id) - 1 AS k FROM registry_person) p
                ON p.k = g %% %s
            CROSS JOIN LATERAL (SELECT CASE WHEN g %% 10 = 0 THEN 'chronic_outpatient' ELSE 'inpatient' END AS visit,
                                       1 + (g * 31 %% 3) AS lvl,
                                       CASE WHEN g %% 10 = 0 THEN 20000 + (g * 131 %% 400000)
                                            ELSE 80000 + (g * 7877 %% 3000000) END AS total) v
            RETURNING id, claim_no, person_id, village_code, year, visit_type, total_fen)
            -- Each claim's official settlement as stored: the identity of its day (the parts a
            -- placeholder, all self-paid, until the first re-settle computes them).
            INSERT INTO insurance_claimsplit (claim_id, person_id, year, village_code, basic_fen, critical_fen,
                assistance_fen, fallback_fen, self_fen, policy, period, category, category_basis, chronic_class,
                settled_at)
            SELECT id, person_id, year, village_code, 0, 0, 0, 0, total_fen, 'fuliang', '',
                (ARRAY['general', 'poor', 'poor', 'dibao', 'tekun'])[1 + (person_id %% 5)], '',
                CASE WHEN visit_type = 'chronic_outpatient'
                     THEN (ARRAY['I', 'II'])[1 + (substr(claim_no, 2)::bigint / 10) %% 2] ELSE '' END, now()
            FROM stored
            """,
            [claims, persons],
        )
    import psycopg

    from registry import BASE, DB

    with psycopg.connect(f"{BASE}/{DB}", autocommit=True) as conn:
        conn.execute("vacuum analyze insurance_medicalclaim")
        conn.execute("vacuum analyze insurance_claimsplit")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, default=1_000_000)
    ap.add_argument("--persons", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="reuse an existing filled database")
    ap.add_argument(
        "--fill-only",
        action="store_true",
        help="fill the database (and certificates), time nothing",
    )
    ap.add_argument(
        "--lock",
        help="a lock file (flock) held for each timed 按新身份重算 run only, not while preparing",
    )
    ap.add_argument(
        "--changed",
        choices=("both", "all", "none"),
        default="both",
        help="按新身份重算: time every claim changed, nothing changed, or both",
    )
    ap.add_argument(
        "--only", choices=("official", "resettle", "identity"), help="time only one of them"
    )
    ap.add_argument(
        "--stored-trails",
        action="store_true",
        help="按新身份重算: before each run (untimed) give every claim without one a stored trail of ~2 KB, "
        "as a finished background fill leaves them (the steady state), so the run's deletes are timed",
    )
    ap.add_argument(
        "--trails",
        action="store_true",
        help="按新身份重算: after each run, time the background trail fill (计算过程补写) it queued",
    )
    args = ap.parse_args()
    sys.path.insert(0, HERE)
    from registry import django_database, fill

    fresh = django_database(args.keep)
    from django.db import connection, transaction

    from fupin.access.models import User
    from fupin.insurance.claims import resettle, store
    from fupin.insurance.claims.models import MedicalClaim, ResettledClaim, Resettlement
    from fupin.insurance.claims.settle import county_policy

    t = time.perf_counter()
    if fresh:
        fill(max(args.persons, 1000))
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # a kept database may predate the split table
    if not MedicalClaim.objects.exists():
        fill_claims(args.claims, args.persons)
        print(f"fill time {time.perf_counter() - t:.1f} s")
    n = MedicalClaim.objects.filter(year=2018).count()
    print(f"stored claims of 2018: {n:,}; load average before: {load()}")
    policy = county_policy()

    if args.fill_only:
        t = time.perf_counter()
        certified = certify_chronic(User.objects.filter(username="county").first())
        print(f"certificates for {certified:,} persons: {time.perf_counter() - t:.1f} s")
        return None
    official, steps, chain_seconds = [], [], []
    if args.only == "identity":
        cases = {"both": ("all changed", "nothing changed"), "all": ("all changed",),
                 "none": ("nothing changed",)}[args.changed]  # fmt: skip
        return identity_runs(args.runs, n, args.lock, cases, args.trails, args.stored_trails)
    for i in range(args.runs if args.only != "resettle" else 0):
        t0 = time.perf_counter()
        with transaction.atomic():
            frame = store.read_year(2018)
            t1 = time.perf_counter()
            context = store.chain_context(frame)
            chain_seconds.append(time.perf_counter() - t1)
            results, skipped = store.settle_stored(frame, policy, context)
            t2 = time.perf_counter()
            written = store.write_back(2018, results)
        t3 = time.perf_counter()
        official.append(t3 - t0)
        steps.append((t1 - t0, t2 - t1, t3 - t2))
        print(
            f"  official run {i + 1}: {t3 - t0:.2f} s (read {t1 - t0:.2f}, "
            f"settle {t2 - t1:.2f} of which transfer-chain context {chain_seconds[-1]:.3f} "
            f"({context.height:,} earlier claims), write back {t3 - t2:.2f}); "
            f"{written:,} written, {skipped:,} left out; load {load()}"
        )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), bool_and(s.basic_fen + s.critical_fen + s.assistance_fen + "
            "s.fallback_fen + s.self_fen = c.total_fen)"
            " FROM insurance_claimsplit s JOIN insurance_medicalclaim c ON c.id = s.claim_id"
        )
        count, adds_up = cur.fetchone()
        assert not official or (count and adds_up), "parts do not add up to the total"
    if official:
        med = [statistics.median(s[k] for s in steps) for k in range(3)]
        print(
            f"official settlement of {n:,} claims: median {statistics.median(official):.2f} s over {args.runs} runs "
            f"(read {med[0]:.2f}, settle {med[1]:.2f} of which transfer-chain context "
            f"{statistics.median(chain_seconds):.3f}, write back {med[2]:.2f}); load average {load()}"
        )

    user = User.objects.filter(username="county").first()
    times = []
    for i in range(args.runs if args.only != "official" else 0):
        run = Resettlement.objects.create(
            year=2018, policy="jining", area_code="360222", created_by=user
        )
        t0 = time.perf_counter()
        resettle.execute(run)
        seconds = time.perf_counter() - t0
        run.refresh_from_db()
        times.append(seconds)
        print(
            f"  政策测算 run {i + 1}: {seconds:.2f} s — {run.get_state_display()}, {run.message}; load {load()}"
        )
        ResettledClaim.objects.filter(run=run).delete()
    if times:
        print(
            f"政策测算 (济宁) of {n:,} claims: median {statistics.median(times):.2f} s over "
            f"{args.runs} runs; load average {load()}"
        )


def certify_chronic(user) -> int:
    """A certificate (class Ⅰ for even person ids, Ⅱ for odd) from 2017-12-01 for every person with
    chronic claims, and those claims' class set to it."""
    import datetime as dt

    from django.db import connection

    from fupin.appraisal.models import Application, Certificate, CertificateChange
    from fupin.insurance.claims.models import MedicalClaim
    from fupin.registry.models import Person

    if CertificateChange.objects.exists():
        return 0
    day = dt.date(2017, 12, 1)
    pids = sorted(
        set(
            MedicalClaim.objects.filter(visit_type="chronic_outpatient").values_list(
                "person_id", flat=True
            )
        )
    )
    persons = dict(Person.objects.filter(pk__in=pids).values_list("id", "village_code"))
    cls = {pid: "I" if pid % 2 == 0 else "II" for pid in pids}
    apps = Application.objects.bulk_create(
        [
            Application(
                person_id=pid,
                village_code=persons[pid],
                chronic_class=cls[pid],
                diseases="高血压",
                applied_on=day,
                submitted_by=user,
                stage="certified",
                appraised_on=day,
                approved=True,
                concluded_class=cls[pid],
                concluded_diseases="高血压",
                notice_start=day,
                notice_end=day + dt.timedelta(days=6),
            )
            for pid in pids
        ],
        batch_size=5000,
    )
    certs = Certificate.objects.bulk_create(
        [
            Certificate(
                person_id=a.person_id,
                village_code=a.village_code,
                application=a,
                number=f"B{a.pk:09d}",
                chronic_class=a.chronic_class,
                diseases="高血压",
                valid_from=day,
                issued_on=day,
                issued_by=user,
            )
            for a in apps
        ],
        batch_size=5000,
    )
    CertificateChange.objects.bulk_create(
        [
            CertificateChange(
                certificate=c,
                person_id=c.person_id,
                village_code=c.village_code,
                kind="issued",
                effective_on=day,
                chronic_class=c.chronic_class,
                diseases="高血压",
                application_id=c.application_id,
                summary="发证",
                recorded_by=user,
            )
            for c in certs
        ],
        batch_size=5000,
    )
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE insurance_claimsplit s SET chronic_class = CASE WHEN s.person_id % 2 = 0 THEN 'I' ELSE 'II' END"
            " FROM insurance_medicalclaim c WHERE c.id = s.claim_id AND c.visit_type = 'chronic_outpatient'"
        )
    return len(pids)


def scramble_categories() -> None:
    """Every stored claim's category moved one step (general → poor → dibao → tekun → general), so
    the next re-settle finds every claim changed (untimed)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "UPDATE insurance_claimsplit SET category = CASE category WHEN 'general' THEN 'poor'"
            " WHEN 'poor' THEN 'dibao' WHEN 'dibao' THEN 'tekun' ELSE 'general' END WHERE year = 2018"
        )
    import psycopg

    from registry import BASE, DB

    with psycopg.connect(f"{BASE}/{DB}", autocommit=True) as conn:
        conn.execute("vacuum analyze insurance_claimsplit")


def store_trails() -> int:
    """Every claim without a stored trail gets one of ~2 KB (16 steps), untimed — what a finished
    background fill leaves; the number of trails stored."""
    from django.db import connection

    step = (
        '{"layer": "基本医保", "rule": "住院（二级医院）", "detail": "(政策范围内 8000.00 − 起付线 400.00) × 75% '
        '= 5700.00，本年累计 5700.00", "amount": 570000, "source": "浮人社发[2018]6号"}'
    )
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO insurance_claimtrail (claim_id, person_id, year, village_code, policy, period, steps,"
            " settled_at) SELECT s.claim_id, s.person_id, s.year, s.village_code, s.policy, s.period, %s::jsonb,"
            " s.settled_at FROM insurance_claimsplit s ON CONFLICT (claim_id) DO NOTHING",
            ["[" + ", ".join([step] * 10) + "]"],
        )
        cur.execute("SELECT count(*) FROM insurance_claimtrail")
        return cur.fetchone()[0]


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


def identity_runs(
    runs: int, n: int, lock: str | None, cases: tuple[str, ...], fill_trails: bool, stored: bool
) -> None:
    from django.conf import settings

    from fupin.access.models import User
    from fupin.insurance.claims import official, trails
    from fupin.insurance.claims.models import ClaimTrail, OfficialResettlement, TrailFill

    user = User.objects.filter(username="county").first()
    t = time.perf_counter()
    certified = certify_chronic(user)
    print(
        f"certificates for {certified:,} persons with chronic claims: {time.perf_counter() - t:.1f} s; load {load()}"
    )
    medians = {}
    fills: list[float] = []
    for case in cases:
        times = []
        for i in range(runs):
            if case == "all changed":
                scramble_categories()
            if stored:
                print(f"  stored trails before the run: {store_trails():,}", flush=True)
            run = OfficialResettlement.objects.create(
                year=2018, area_code=settings.COUNTY_CODE, created_by=user
            )
            with bench_lock(lock):
                before = load()
                t0, c0 = time.perf_counter(), time.process_time()
                out = official.execute(run, user=user)
                seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
                after = load()
            run.refresh_from_db()
            assert run.state == "done", run.message
            print(
                f"  按新身份重算 {case} run {i + 1}: {seconds:.2f} s (this process's CPU {cpu:.1f} s) — {run.message}; "
                f"load {before} → {after}",
                "\n    " + ", ".join(f"{k} {v:.1f}" for k, v in out.get("seconds", {}).items()),
                flush=True,
            )
            times.append(seconds)
            fill = TrailFill.objects.filter(official_run=run).first()
            if fill_trails and fill is not None:
                with bench_lock(lock):
                    before = load()
                    t0, c0 = time.perf_counter(), time.process_time()
                    trails.execute(fill, user=user)
                    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
                    after = load()
                fill.refresh_from_db()
                fills.append(seconds)
                print(
                    f"  计算过程补写 after run {i + 1}: {seconds:.2f} s (this process's CPU {cpu:.1f} s) — "
                    f"{fill.get_state_display()}, {fill.message}; trails stored {ClaimTrail.objects.count():,}; "
                    f"load {before} → {after}",
                    flush=True,
                )
        medians[case] = statistics.median(times)
        print(
            f"按新身份重算 of {n:,} claims, {case}: median {medians[case]:.2f} s over {runs} runs; "
            f"load average {load()}",
            flush=True,
        )
    if fills:
        print(
            f"计算过程补写 (background) of the changed claims: median {statistics.median(fills):.2f} s over "
            f"{len(fills)} runs; load average {load()}",
            flush=True,
        )


if __name__ == "__main__":
    main()
