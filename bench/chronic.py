"""The chronic class of 1,000,000 claims (person, admission date) read from PostgreSQL.

`fupin.appraisal.selectors.chronic_classes_for(pairs)` — what the settlement calls for a stored year
of claims — against the peer a caller would write first: `chronic_class_on(person, day)` once per
claim (one query each), timed on a sample and scaled to the same number of claims (said so in the
output). Both answers are compared on the sample. A registry of 100,000 persons, 20,000 of them
certified on dates through 2018, 4,000 amended later with a heavier class and 1,000 revoked.

    nice -n 10 .venv/bin/python bench/chronic.py [--claims 1000000] [--runs 3] [--sample 2000]

Needs PostgreSQL at $BENCH_PG (default postgres://postgres@127.0.0.1:5432); it creates and drops
the database fupin_bench_chronic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "fupin_bench_chronic"
PERSONS, HOLDERS, AMENDED, REVOKED = 100_000, 20_000, 4_000, 1_000
YEAR_START = dt.date(2018, 1, 1)


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def fresh_database() -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {DB}")


def build(rng: random.Random) -> list[int]:
    from fupin.access.models import Role, User
    from fupin.appraisal.models import Application, Certificate, CertificateChange
    from fupin.areas.models import Area, Level
    from fupin.areas.services import load_divisions, read_bundled
    from fupin.registry.models import Household, Person

    load_divisions(read_bundled("360222"))
    user = User.objects.create_user(
        username="bench",
        password="bench-only-pass-1",
        role=Role.COUNTY,
        area=Area.objects.get(code="360222"),
    )
    villages = list(Area.objects.filter(level=Level.VILLAGE, code__startswith="360222"))
    households = Household.objects.bulk_create(
        [
            Household(
                number=f"B{i:07d}",
                village=villages[i % len(villages)],
                village_code=villages[i % len(villages)].code,
                year_identified=2016,
                main_cause="illness",
            )
            for i in range(PERSONS // 4)
        ],
        batch_size=5000,
    )
    persons = Person.objects.bulk_create(
        [
            Person(
                household=h,
                village_code=h.village_code,
                id_number=f"B{i:017d}",
                name=f"人{i}",
                sex="男",
                birth_date=dt.date(1950 + i % 50, 1, 1),
                relation="head" if i % 4 == 0 else "child",
            )
            for i, h in ((i, households[i // 4]) for i in range(PERSONS))
        ],
        batch_size=5000,
    )
    holders = rng.sample(persons, HOLDERS)
    issued = {p.pk: YEAR_START + dt.timedelta(days=rng.randint(-400, 300)) for p in holders}
    apps = Application.objects.bulk_create(
        [
            Application(
                person=p,
                village_code=p.village_code,
                chronic_class="II",
                diseases="高血压",
                applied_on=issued[p.pk] - dt.timedelta(days=20),
                submitted_by=user,
                stage="certified",
                approved=True,
                concluded_class="II",
                concluded_diseases="高血压",
                appraised_on=issued[p.pk] - dt.timedelta(days=10),
            )
            for p in holders
        ],
        batch_size=5000,
    )
    certs = Certificate.objects.bulk_create(
        [
            Certificate(
                person_id=a.person_id,
                village_code=a.village_code,
                application=a,
                number=f"B{a.pk:010d}",
                chronic_class="II",
                diseases="高血压",
                valid_from=issued[a.person_id],
                issued_on=issued[a.person_id],
                issued_by=user,
            )
            for a in apps
        ],
        batch_size=5000,
    )
    changes = [
        CertificateChange(
            certificate=c,
            person_id=c.person_id,
            village_code=c.village_code,
            kind="issued",
            effective_on=c.issued_on,
            chronic_class="II",
            diseases="高血压",
            summary="发证",
            recorded_by=user,
        )
        for c in certs
    ]
    for c in certs[:AMENDED]:
        changes.append(
            CertificateChange(
                certificate=c,
                person_id=c.person_id,
                village_code=c.village_code,
                kind="disease_added",
                effective_on=c.issued_on + dt.timedelta(days=rng.randint(30, 200)),
                chronic_class="I",
                diseases="高血压、尿毒症透析",
                summary="新增病种",
                recorded_by=user,
            )
        )
    for c in certs[AMENDED : AMENDED + REVOKED]:
        changes.append(
            CertificateChange(
                certificate=c,
                person_id=c.person_id,
                village_code=c.village_code,
                kind="revoked",
                effective_on=c.issued_on + dt.timedelta(days=rng.randint(30, 300)),
                chronic_class="",
                diseases="高血压",
                summary="注销",
                recorded_by=user,
            )
        )
    CertificateChange.objects.bulk_create(changes, batch_size=5000)
    return [p.pk for p in holders] + [p.pk for p in rng.sample(persons, PERSONS // 10)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample", type=int, default=2000)
    args = parser.parse_args()
    fresh_database()
    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fupin.settings"
    os.environ.setdefault("FUPIN_SECRET_KEY", "bench-only-not-secret")  # a throwaway database
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from fupin.appraisal.selectors import chronic_class_on, chronic_classes_for

    try:
        call_command("migrate", verbosity=0)
        rng = random.Random(10)
        started = time.perf_counter()
        claimants = build(rng)
        print(
            f"built {PERSONS:,} persons, {HOLDERS:,} certificates ({AMENDED:,} amended, {REVOKED:,} revoked) in "
            f"{time.perf_counter() - started:.1f} s; load {load()}",
            flush=True,
        )
        pairs = [
            (rng.choice(claimants), YEAR_START + dt.timedelta(days=rng.randint(0, 364)))
            for _ in range(args.claims)
        ]
        ours, cpu = [], []
        for run in range(args.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            found = chronic_classes_for(pairs)
            ours.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            print(
                f"run {run + 1}: chronic_classes_for {args.claims:,} claims "
                f"{ours[-1]:.2f} s wall, {cpu[-1]:.2f} s CPU of this process "
                f"({len(found):,} with a class); load {load()}",
                flush=True,
            )
        sample = pairs[: args.sample]
        t0 = time.perf_counter()
        one_by_one = {pair: code for pair in sample if (code := chronic_class_on(*pair))}
        per_claim = (time.perf_counter() - t0) / len(sample)
        assert one_by_one == {pair: found[pair] for pair in sample if pair in found}, (
            "the two answers differ"
        )
        median = statistics.median(ours)
        print(
            f"chronic_classes_for: median {median:.2f} s wall "
            f"({statistics.median(cpu):.2f} s CPU) for {args.claims:,} claims "
            f"({args.claims / median:,.0f} claims/s; runs {', '.join(f'{x:.2f}' for x in ours)})"
        )
        print(
            f"peer, chronic_class_on once per claim: {per_claim * 1000:.2f} ms per claim "
            f"on {len(sample):,} claims, scaled to "
            f"{args.claims:,} claims ≈ {per_claim * args.claims:,.0f} s; ratio ≈ "
            f"{per_claim * args.claims / median:,.0f}×; "
            f"same answers on the sample; load {load()}"
        )
    finally:
        connections.close_all()
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
