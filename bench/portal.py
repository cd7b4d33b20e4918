r"""Resident portal latency on PostgreSQL with 1,000,000 persons (issue 15: p95 < 150 ms).

    flock -w 1800 /work/wt/.bench.lock nice -n 10 .venv/bin/python bench/portal.py \
        [--persons 1000000] [--residents 200] [--runs 3] [--keep]

Creates (or reuses with --keep) the database $BENCH_DB (default `fupin_bench_portal`) on the local
PostgreSQL, fills the registry with bench/registry.py's generator (COPY), then gives every resident page
something to read, by INSERT … SELECT over the whole person table: a pension record and a 2018 medical
enrolment for every person, a pension premium paid by government (代缴) for every person, a help-plan
measure for 1 in 5, a current job recommendation for 1 in 10 and a referral for 1 in 50, a training
enrolment with a certificate for 1 in 20, a payment line for 1 in 10, a stored medical claim (with its
settlement steps) for 1 in 10 and a resident request for 1 in 50.

Then it times server-side latency (Django test client, in process: sessions, middleware, the resident
session check, ORM, rendering, and the audit entry each view writes; no network) of the resident's pages
— home, 我的信息, 就业与培训, 补贴与贷款, 医疗费用 (list), one claim's explanation, 我的申请 — for
`--residents` residents drawn at random over the whole table (each logged in with its own session).
Each run asks every page once per resident: the first run is "cold" (rows not yet read by this run;
shared buffers and the OS cache are not dropped on a shared machine), later runs "warm". Prints p50/p95
per page and over all pages for each run, the medians over runs, and the load average.
"""

import argparse
import os
import random
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("BENCH_DB", "fupin_bench_portal")

PAGES = ["home", "me", "jobs", "money", "claims", "claim", "requests"]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def fill_sources() -> None:
    from django.db import connection

    from fupin.access.models import User
    from fupin.employment import occupations
    from fupin.employment.models import Employer, Posting
    from fupin.payments.models import Batch
    from fupin.training.models import Course

    occupations.load(occupations.BUNDLED)
    county = User.objects.get(username="county")
    emp = Employer.objects.create(name="基准测试单位", credit_code="91360222MA35PORTA1", kind="enterprise",
                                  area_code="360222000000", contact_phone="0798-2000000")  # fmt: skip
    post = Posting.objects.create(employer=emp, occupation_id="6-02-06-10", title="陶瓷成型工", positions=10**6,
                                  wage_min_fen=300000, wage_max_fen=400000, work_area_code="360222000000",
                                  work_place="县城", opens_on="2020-01-01", closes_on="2030-01-01")  # fmt: skip
    course = Course.objects.create(title="电工培训班", trade="电工", provider="县职校", area_code="360222000000",
                                   place="县城", starts_on="2018-03-01", ends_on="2018-04-01",
                                   certificate_kind="电工证")  # fmt: skip
    batch = Batch.objects.create(kind="job_seeking", period="2018", area_code="360222", state="paid",
                                 preparer=county, prepared_at=django_now())  # fmt: skip
    steps = (
        '[{"layer": "基本医保", "rule": "inpatient", "detail": "(25000.00 − 0) × 70%", "amount": 1750000, '
        '"source": "《浮梁县健康扶贫实施方案》：“…”"}, {"layer": "个人自付", "rule": "self", "detail": "剩余", '
        '"amount": 1250000, "source": ""}]'
    )
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO insurance_subsidyrun (year, insurance, area_code, pack_id, "
            "state, step, steps, step_label, counts, rules, "
            "message, created_by_id, created_at) VALUES (2018, 'pension', '360222', "
            "'fuliang-2018', 'done', 4, 4, '', '{}', '{}', '', %s, now()) "
            "RETURNING id",
            [county.pk],
        )
        run = cur.fetchone()[0]
        statements = [
            ("pension records",
             "INSERT INTO insurance_pensionrecord (person_id, village_code, status, tier_fen, paid_year, paid_by, "
             "years_paid, note, updated_at) SELECT id, village_code, 'paying', 10000, 2018, 'government', 3, '', "
             "now() FROM registry_person", []),
            ("medical enrolments",
             "INSERT INTO insurance_medicalenrolment (person_id, year, village_code, enrolled_on, benefits_from, "
             "paid_by, note, updated_at) SELECT id, 2018, village_code, '2018-01-05', '2018-02-01', 'government', "
             "'', now() FROM registry_person", []),
            ("premiums",
             "INSERT INTO insurance_subsidyentry (year, insurance, scheme, person_id, village_code, outcome, rule, "
             "reason, amount_fen, years, run_id) SELECT 2018, 'pension', 'premium', id, village_code, 'entitled', "
             "'poor', '', 10000, 0, %s FROM registry_person", [run]),
            ("help-plan measures",
             "INSERT INTO assistance_plannedmeasure (person_id, village_code, kind, description, cadre, due_on, "
             "status, created_at) SELECT id, village_code, 'training', '参加电工培训', '李干部', '2018-06-30', "
             "'planned', now() FROM registry_person WHERE id %% 5 = 0", []),
            ("recommendations",
             "INSERT INTO employment_recommendation (person_id, village_code, posting_id, rank, score, reasons, "
             "current, created_on) SELECT id, village_code, %s, 1, 0.8, '年龄、技能与岗位相符', true, CURRENT_DATE "
             "FROM registry_person WHERE id %% 10 = 1", [post.pk]),
            ("referrals",
             "INSERT INTO employment_referral (person_id, village_code, posting_id, status, referred_on, hired_on, "
             "wage_fen, note) SELECT id, village_code, %s, 'hired', CURRENT_DATE - 60, CURRENT_DATE - 50, 350000, "
             "'' FROM registry_person WHERE id %% 50 = 2", [post.pk]),
            ("training enrolments",
             "INSERT INTO training_enrolment (course_id, person_id, village_code, status, enrolled_on, attended, "
             "completed_on, certificate_no, certificate_kind, certificate_on) "
             "SELECT %s, id, village_code, 'completed', '2018-02-20', 10, '2018-04-01', 'DG' || id, '电工证', "
             "'2018-04-20' FROM registry_person WHERE id %% 20 = 3", [course.pk]),
            ("payment lines",
             "INSERT INTO payments_batchline (batch_id, kind, person_id, village_code, period, item, amount_fen, "
             "rule, source, payee_name, payee_code, note, status, live, status_reason) "
             "SELECT %s, 'job_seeking', id, village_code, '2018', '', 100000, "
             "'fuliang-2018 employment.job_seeking_subsidy', '', '', '', '', 'paid', true, '' FROM registry_person "
             "WHERE id %% 10 = 4",
             [batch.pk]),
            ("medical claims",
             "INSERT INTO insurance_medicalclaim (claim_no, person_id, village_code, hospital, visit_type, "
             "hospital_level, disease_code, admission_date, year, total_fen, in_policy_fen) SELECT 'P' || id, "
             "id, village_code, '浮梁县人民医院', 'inpatient', 2, '', '2018-05-04', 2018, 3000000, 2500000 "
             "FROM registry_person WHERE id %% 10 IN (5, 6)", []),
            ("official settlements",
             "INSERT INTO insurance_claimsplit (claim_id, person_id, year, village_code, basic_fen, critical_fen, "
             "assistance_fen, fallback_fen, self_fen, policy, period, category, category_basis, chronic_class, "
             "settled_at) SELECT id, person_id, year, village_code, 1750000, 0, 0, 0, 1250000, 'fuliang-2018', "
             "'2018', 'poor', '建档立卡', '', '2018-06-01 00:00+08' FROM insurance_medicalclaim "
             "WHERE claim_no LIKE 'P%%'", []),
            ("claim trails",
             "INSERT INTO insurance_claimtrail (claim_id, person_id, year, village_code, policy, period, steps, "
             "settled_at) SELECT claim_id, person_id, year, village_code, policy, period, %s::jsonb, settled_at "
             "FROM insurance_claimsplit WHERE claim_id IN (SELECT id FROM insurance_medicalclaim "
             "WHERE claim_no LIKE 'P%%')", [steps]),
            ("resident requests",
             "INSERT INTO portal_residentrequest (person_id, village_code, kind, detail, note, status, due_on, "
             "rule, created_at, answer) SELECT id, village_code, 'training', '{\"wished_trade\": \"电工\"}', '', "
             "'open', CURRENT_DATE + 15, 'fuliang-2018 portal.request_days', now(), '' FROM registry_person "
             "WHERE id %% 50 = 7", []),
        ]  # fmt: skip
        for label, sql, params in statements:
            t = time.perf_counter()
            cur.execute(sql, params)
            print(
                f"  {label}: {cur.rowcount:,} rows in {time.perf_counter() - t:.1f} s", flush=True
            )
    import psycopg

    from registry import BASE, DB

    with psycopg.connect(f"{BASE}/{DB}", autocommit=True) as conn:
        for t in ("insurance_pensionrecord", "insurance_medicalenrolment", "insurance_subsidyentry",
                  "assistance_plannedmeasure", "employment_recommendation", "employment_referral",
                  "training_enrolment", "payments_batchline", "insurance_medicalclaim",
                  "insurance_claimsplit", "insurance_claimtrail", "portal_residentrequest"):  # fmt: skip
            conn.execute(f"vacuum analyze {t}")


def django_now():
    from django.utils import timezone

    return timezone.now()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--residents", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="reuse an existing filled database")
    args = ap.parse_args()
    sys.path.insert(0, HERE)
    from registry import django_database, fill

    os.environ.setdefault("FUPIN_ALLOWED_HOSTS", "testserver")
    fresh = django_database(args.keep)
    from django.test import Client
    from django.urls import reverse

    from fupin.insurance.claims.models import MedicalClaim
    from fupin.portal.auth import HOUSEHOLD_KEY, PERSON_KEY
    from fupin.registry.models import Person

    if fresh:
        t = time.perf_counter()
        fill(args.persons)
        fill_sources()
        print(f"fill time {time.perf_counter() - t:.1f} s")
    else:  # a kept database: bring its schema up to this checkout's
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    print(f"persons {Person.objects.count():,}; load average before: {load()}", flush=True)

    # Residents at random over the whole table, among those with a claim (so the claim page has one).
    top = Person.objects.order_by("-id").values_list("id", flat=True).first()
    rng = random.Random(15)
    residents = []
    while len(residents) < args.residents:
        pid = rng.randrange(0, top // 10) * 10 + 5  # ids ending in 5 have a claim
        p = Person.objects.exclude(status="removed").filter(pk=pid).first()
        if p is None:
            continue
        claim = MedicalClaim.objects.filter(
            person_id__in=Person.objects.filter(household_id=p.household_id).values("id")
        ).first()
        if claim is None:
            continue
        c = Client()
        s = c.session
        s[PERSON_KEY], s[HOUSEHOLD_KEY] = p.pk, p.household_id
        s.save()
        residents.append((c, claim.pk))
    urls = {
        "home": lambda _: reverse("portal:home"),
        "me": lambda _: reverse("portal:me"),
        "jobs": lambda _: reverse("portal:jobs"),
        "money": lambda _: reverse("portal:money"),
        "claims": lambda _: reverse("portal:claims"),
        "claim": lambda pk: reverse("portal:claim", args=[pk]),
        "requests": lambda _: reverse("portal:requests"),
    }
    for fn in urls.values():  # warm the code paths (imports, templates) once
        residents[0][0].get(fn(residents[0][1]))

    per_run: list[dict[str, tuple[float, float]]] = []
    for run in range(args.runs):
        samples: dict[str, list[float]] = {p: [] for p in PAGES}
        for client, claim_pk in residents:
            for page in PAGES:
                url = urls[page](claim_pk)
                t = time.perf_counter()
                r = client.get(url)
                samples[page].append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, (url, r.status_code)
        stats = {}
        for page, xs in [*samples.items(), ("all", [x for v in samples.values() for x in v])]:
            xs.sort()
            stats[page] = (statistics.median(xs), xs[max(0, int(len(xs) * 0.95) - 1)])
        per_run.append(stats)
        label = "cold" if run == 0 else "warm"
        print(
            f"run {run + 1} ({label}), {len(residents)} residents × {len(PAGES)} pages; load {load()}"
        )
        for page in [*PAGES, "all"]:
            p50, p95 = stats[page]
            print(f"  {page:9s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
    print("median over runs:")
    for page in [*PAGES, "all"]:
        p50 = statistics.median(s[page][0] for s in per_run)
        p95 = statistics.median(s[page][1] for s in per_run)
        print(f"  {page:9s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
