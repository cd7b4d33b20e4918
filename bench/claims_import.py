"""Import a hospital's settlement file of 100,000 claims on PostgreSQL, as the import page does.

    nice -n 10 .venv/bin/python bench/claims_import.py [--claims 100000] [--persons 25000] [--runs 3]
        [--format csv|xlsx|both] [--keep] [--lock /work/wt/.bench.lock]

Creates (or reuses with --keep) the database $BENCH_DB (default `fupin_bench_claims_import`) on
the local PostgreSQL and fills the registry with bench/registry.py's generator (`--persons`
persons); every 10th person gets a 慢性病医疗证 (class Ⅰ from 2017-12-01), untimed.

The file is written here, independently of fupin's code: the persons' ID numbers and names read
from the registry table with plain SQL, then `--claims` rows of 2018 from a seeded random
generator — ~10% chronic outpatient (门诊慢性病) for certified persons, the rest inpatient (住院) at
levels 一级/二级/三级 with a few disease codes, amounts in 元 with two decimals, the in-policy part
55–95% of the total, 转院接续 否 — in the columns and words hospitals send: a CSV (UTF-8 with BOM,
written by the csv module) and an xlsx (written by xlsxwriter directly).

Timed, `--runs` times for each format, through the services the import page calls, as its user:
`imports.create_import` (store the upload), `imports.stage` (read the file through the sheet reader,
check each row, and within it `_validate`: persons by ID number, the category and chronic class of
each admission day, the engine's validator — timed apart), then `imports.merge` (insert the claims
and settle every person-year they touch, one transaction). Between runs (untimed) the stored
claims, splits, trails and import jobs are removed. `--lock FILE` holds a flock around each timed
run only; `--merge csv` merges only the CSV's runs (the xlsx ones stop after stage: the merge reads
the staging table, not the file). Prints each run, the medians and the load average (the machine is
shared).
"""

import argparse
import contextlib
import csv
import datetime as dt
import fcntl
import io
import os
import random
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("BENCH_DB", "fupin_bench_claims_import")
HEADER = ["结算单号", "身份证号", "姓名", "医院名称", "就诊类型", "医院级别", "疾病编码", "入院日期",
          "总费用", "政策范围内费用", "转院接续"]  # fmt: skip
HOSPITALS = {1: ["鹅湖镇卫生院", "寿安镇卫生院", "浮梁镇卫生院"], 2: ["浮梁县人民医院", "浮梁县中医院"],
             3: ["景德镇市第一人民医院", "景德镇市第二人民医院"]}  # fmt: skip
DISEASES = ["", "", "", "", "", "J18", "K35", "I63", "C16", "C34", "E11", "N18"]
CERTIFIED_EVERY = 10  # every 10th person (by id) holds a chronic-disease certificate


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def persons() -> list[tuple[int, str, str]]:
    """(id, ID number, name) of every registry person, by plain SQL."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT id, id_number, name FROM registry_person ORDER BY id")
        return cur.fetchall()


def claim_rows(people: list[tuple[int, str, str]], n: int, seed: int = 7) -> list[list[str]]:
    """`n` claims of 2018 over `people`, as a hospital's file has them (text cells)."""
    rng = random.Random(seed)
    start = dt.date(2018, 1, 1)
    rows = []
    for i in range(n):
        pid, id_number, name = people[rng.randrange(len(people))]
        chronic = pid % CERTIFIED_EVERY == 0 and rng.random() < 0.5
        level = rng.choice((1, 1, 2, 2, 2, 3))
        day = start + dt.timedelta(days=rng.randrange(365))
        total = rng.randrange(20_000, 400_000) if chronic else rng.randrange(80_000, 3_000_000)
        in_policy = total * rng.randrange(55, 96) // 100
        rows.append([
            f"ZY2018{i:07d}", id_number, name, rng.choice(HOSPITALS[level]),
            "门诊慢性病" if chronic else "住院", ("一级", "二级", "三级")[level - 1],
            "" if chronic else rng.choice(DISEASES), day.isoformat(), yuan(total), yuan(in_policy), "否",
        ])  # fmt: skip
    return rows


def csv_file(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(HEADER)
    w.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_file(rows: list[list[str]]) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("结算单")
    sheet.write_row(0, 0, HEADER)
    amounts = (HEADER.index("总费用"), HEADER.index("政策范围内费用"))
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if c in amounts:
                sheet.write_number(
                    r, c, float(value)
                )  # hospitals' systems write amounts as numbers
            else:
                sheet.write_string(r, c, value)
    book.close()
    return out.getvalue()


def certify(user) -> int:
    """A class Ⅰ certificate from 2017-12-01 for every CERTIFIED_EVERY-th person (untimed)."""
    from fupin.appraisal.models import Application, Certificate, CertificateChange
    from fupin.registry.models import Person

    if CertificateChange.objects.exists():
        return 0
    day = dt.date(2017, 12, 1)
    people = [(pid, v) for pid, v in Person.objects.values_list("id", "village_code")
              if pid % CERTIFIED_EVERY == 0]  # fmt: skip
    apps = Application.objects.bulk_create(
        [Application(person_id=pid, village_code=v, chronic_class="I", diseases="高血压", applied_on=day,
                     submitted_by=user, stage="certified", appraised_on=day, approved=True, concluded_class="I",
                     concluded_diseases="高血压", notice_start=day, notice_end=day + dt.timedelta(days=6))
         for pid, v in people],
        batch_size=5000,
    )  # fmt: skip
    certs = Certificate.objects.bulk_create(
        [Certificate(person_id=a.person_id, village_code=a.village_code, application=a, number=f"B{a.pk:09d}",
                     chronic_class="I", diseases="高血压", valid_from=day, issued_on=day, issued_by=user)
         for a in apps],
        batch_size=5000,
    )  # fmt: skip
    CertificateChange.objects.bulk_create(
        [CertificateChange(certificate=c, person_id=c.person_id, village_code=c.village_code, kind="issued",
                           effective_on=day, chronic_class="I", diseases="高血压", application_id=c.application_id,
                           summary="发证", recorded_by=user)
         for c in certs],
        batch_size=5000,
    )  # fmt: skip
    return len(people)


def clear_claims() -> None:
    """Remove what an import stored (untimed), so each run imports into the same state."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE insurance_claimtrail, insurance_claimsplit, insurance_trailfill,"
            " insurance_claimimportrow, insurance_medicalclaim, insurance_claimimport CASCADE"
        )


@contextlib.contextmanager
def held(path: str | None):
    if not path:
        yield
        return
    with open(path, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def one_run(user, filename: str, content: bytes, merge: bool = True) -> dict:
    from fupin.insurance.claims import imports

    seconds = {"validate": 0.0}
    validate = imports._validate

    def timed_validate(*args, **kwargs):  # the step inside stage, timed apart
        t = time.perf_counter()
        try:
            return validate(*args, **kwargs)
        finally:
            seconds["validate"] += time.perf_counter() - t

    imports._validate = timed_validate
    try:
        t0 = time.perf_counter()
        job = imports.create_import(user=user, filename=filename, content=content)
        t1 = time.perf_counter()
        job = imports.stage(job, user=user)
        t2 = time.perf_counter()
        assert job.state == "ready" and job.rows_rejected == 0, (
            job.state, job.message, job.rows_rejected,
            list(job.rows.exclude(errors=[]).values_list("row_no", "errors")[:5]),
        )  # fmt: skip
        merged = imports.merge(job, user=user) if merge else {"claims": 0, "settled": 0}
        t3 = time.perf_counter()
    finally:
        imports._validate = validate
    return {"upload": t1 - t0, "stage": t2 - t1, "validate": seconds["validate"], "merge": t3 - t2,
            "total": t3 - t0, "claims": merged["claims"], "settled": merged["settled"]}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--persons", type=int, default=25_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--format", choices=("csv", "xlsx", "both"), default="both")
    ap.add_argument(
        "--merge",
        choices=("all", "csv"),
        default="all",
        help="csv: merge only the CSV's runs (the merge does not depend on the file format); the xlsx "
        "runs then time upload and stage only",
    )
    ap.add_argument("--keep", action="store_true", help="reuse an existing filled database")
    ap.add_argument("--lock", help="a lock file (flock) held around each timed run only")
    args = ap.parse_args()
    sys.path.insert(0, HERE)
    from registry import django_database, fill

    fresh = django_database(args.keep)
    from django.core.management import call_command

    from fupin.access.models import User

    if fresh:
        fill(args.persons)
    else:
        call_command("migrate", verbosity=0)
    user = User.objects.get(username="county")
    certified = certify(user)
    people = persons()
    rows = claim_rows(people, args.claims)
    files = {}
    if args.format in ("csv", "both"):
        files["csv"] = ("医院结算.csv", csv_file(rows))
    if args.format in ("xlsx", "both"):
        files["xlsx"] = ("医院结算.xlsx", xlsx_file(rows))
    chronic = sum(1 for r in rows if r[4] == "门诊慢性病")
    sizes = ", ".join(f"{k} {len(v[1]) / 1e6:.1f} MB" for k, v in files.items())
    print(f"registry: {len(people):,} persons ({certified:,} newly certified); file: {len(rows):,} claims "
          f"({chronic:,} chronic outpatient) — {sizes}")  # fmt: skip
    for kind, (filename, content) in files.items():
        runs = []
        for i in range(args.runs):
            clear_claims()
            with held(args.lock):
                before = load()
                r = one_run(user, filename, content, merge=args.merge == "all" or kind == "csv")
                after = load()
            runs.append(r)
            print(f"  {kind} run {i + 1}: {r['total']:.2f} s — upload {r['upload']:.2f}, stage {r['stage']:.2f} "
                  f"(of which validate {r['validate']:.2f}), merge {r['merge']:.2f}; {r['claims']:,} claims stored, "
                  f"{r['settled']:,} settled; load {before} → {after}")  # fmt: skip
        med = {
            k: statistics.median(r[k] for r in runs)
            for k in ("total", "upload", "stage", "validate", "merge")
        }
        print(f"{kind}: {args.claims:,} claims, median of {args.runs}: {med['total']:.2f} s "
              f"(upload {med['upload']:.2f}, stage {med['stage']:.2f} of which validate "
              f"{med['validate']:.2f}, merge {med['merge']:.2f}); "
              f"{args.claims / med['total']:,.0f} claims/s; load {load()}")  # fmt: skip
    clear_claims()


if __name__ == "__main__":
    main()
