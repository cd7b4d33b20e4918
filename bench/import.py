"""Roster import benchmark: a 100,000-row 花名册 xlsx into PostgreSQL, end to end.

fupin's import (calamine → staging → set-based validation → one-transaction merge, with
history rows and audit) against django-import-export 4 importing the same file into the
same models (households, then members), in the same run, on a fresh database each time.

    .venv/bin/python bench/import.py [--rows 100000] [--peer-rows N]

Needs PostgreSQL at $BENCH_PG (default postgres://postgres@127.0.0.1:5432); it creates and
drops the database fupin_bench_import. --peer-rows limits the rows given to
django-import-export (its time is then reported for that many rows and per row).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "fupin_bench_import"
HEADER = ["户编号", "村代码", "识别年度", "主要致贫原因", "身份证号", "姓名", "与户主关系"]


def fresh_database() -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {DB}")


def make_file(path: Path, rows: int, villages: list[str]) -> int:
    import xlsxwriter

    from fupin.registry.idnumber import check_char

    rng = random.Random(4)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("花名册")
    sheet.write_string(0, 0, "浮梁县建档立卡贫困户花名册（基准测试）")
    sheet.write_row(1, 0, HEADER)
    used: set[str] = set()
    r, h = 0, 0
    while r < rows:
        h += 1
        village = villages[h % len(villages)]
        size = min(rng.choice([1, 2, 3, 3, 4, 5]), rows - r)
        for k in range(size):
            while True:
                born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 80 * 365))
                body = f"360222{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
                value = body + check_char(body)
                if value not in used:
                    used.add(value)
                    break
            head = k == 0
            sheet.write_row(
                r + 2,
                0,
                [
                    f"B{h:07d}",
                    village if head else "",
                    str(2016) if head else "",
                    "illness" if head else "",
                    value,
                    f"成员{h}-{k}",
                    "head" if head else "child",
                ],
            )
            r += 1
    book.close()
    return h


def truncate() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE registry_statuschange, registry_person, registry_household, exchange_importrow, "
            "exchange_importjob, access_auditentry RESTART IDENTITY CASCADE"
        )


def run_fupin(path: Path) -> tuple[float, dict]:
    from fupin.exchange import imports

    started = time.perf_counter()
    job = imports.create_job(
        user=None, kind="roster", filename=path.name, content=path.read_bytes()
    )
    counts = imports.stage(job)
    t_stage = time.perf_counter() - started
    imports.merge(job)
    return time.perf_counter() - started, {**counts, "seconds_stage": round(t_stage, 2)}


def run_import_export(path: Path, limit: int | None) -> tuple[float, int]:
    import tablib
    from import_export import fields, resources, widgets

    from fupin.areas.models import Area
    from fupin.registry.idnumber import parse_id_number
    from fupin.registry.models import Household, Person

    class HouseholdResource(resources.ModelResource):
        number = fields.Field(attribute="number", column_name="户编号")
        village = fields.Field(
            attribute="village", column_name="村代码", widget=widgets.ForeignKeyWidget(Area, "code")
        )
        year_identified = fields.Field(
            attribute="year_identified", column_name="识别年度", widget=widgets.IntegerWidget()
        )
        main_cause = fields.Field(attribute="main_cause", column_name="主要致贫原因")
        head_name = fields.Field(attribute="head_name", column_name="姓名")

        class Meta:
            model = Household
            import_id_fields = ("number",)
            fields = ("number", "village", "year_identified", "main_cause", "head_name")

        def skip_row(self, instance, original, row, import_validation_errors=None):
            return row["与户主关系"] != "head"

    class PersonResource(resources.ModelResource):
        household = fields.Field(
            attribute="household",
            column_name="户编号",
            widget=widgets.ForeignKeyWidget(Household, "number"),
        )
        id_number = fields.Field(attribute="id_number", column_name="身份证号")
        name = fields.Field(attribute="name", column_name="姓名")
        relation = fields.Field(attribute="relation", column_name="与户主关系")

        class Meta:
            model = Person
            import_id_fields = ("id_number",)
            fields = ("household", "id_number", "name", "relation")

        def before_save_instance(self, instance, row, **kwargs):
            parsed = parse_id_number(instance.id_number)
            instance.sex, instance.birth_date = parsed.sex, parsed.birth_date

    started = time.perf_counter()
    with open(path, "rb") as f:
        data = tablib.Dataset().load(f.read(), format="xlsx")
    # The title row above the header: import-export expects the header first.
    data = tablib.Dataset(*[tuple(r) for r in data][1:], headers=list(data[0]))
    if limit:
        data = data.subset(rows=range(min(limit, len(data))))
    for resource in (HouseholdResource(), PersonResource()):
        result = resource.import_data(data, dry_run=False, raise_errors=True)
        assert not result.has_errors()
    return time.perf_counter() - started, len(data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--peer-rows",
        type=int,
        default=None,
        help="rows given to django-import-export (default: all)",
    )
    args = parser.parse_args()
    fresh_database()
    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fupin.settings"
    os.environ.setdefault("FUPIN_SECRET_KEY", "bench-only-not-secret")  # a throwaway database
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from fupin.areas.models import Area, Level
    from fupin.areas.services import load_divisions, read_bundled

    load_divisions(read_bundled("360222"))
    villages = list(
        Area.objects.filter(level=Level.VILLAGE).order_by("code").values_list("code", flat=True)
    )
    from fupin.registry.models import Household, Person, StatusChange

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster-100k.xlsx"
        t0 = time.perf_counter()
        households = make_file(path, args.rows, villages)
        print(
            f"file: {args.rows} rows, {households} households, {path.stat().st_size / 1e6:.1f} MB (written in {time.perf_counter() - t0:.1f} s)"
        )
        ours, counts = run_fupin(path)
        n_p, n_h, n_s = (
            Person.objects.count(),
            Household.objects.count(),
            StatusChange.objects.count(),
        )
        print(
            f"fupin import:            {ours:7.1f} s  ({counts['seconds_stage']} s read+validate+stage, rest merge) "
            f"→ {n_h} households, {n_p} persons, {n_s} history rows; rejected {counts['rejected']}"
        )
        again, counts2 = run_fupin(path)
        print(
            f"fupin re-import (same):  {again:7.1f} s  unchanged {counts2['unchanged']}, new {counts2['new']}, changed {counts2['changed']}"
        )
        truncate()
        peer, peer_rows = run_import_export(path, args.peer_rows)
        print(
            f"django-import-export:    {peer:7.1f} s  for {peer_rows} rows → {Household.objects.count()} households, {Person.objects.count()} persons"
        )
        per_row_ours, per_row_peer = ours / args.rows, peer / peer_rows
        print(
            f"per row: fupin {per_row_ours * 1e3:.3f} ms, django-import-export {per_row_peer * 1e3:.3f} ms → {per_row_peer / per_row_ours:.1f}× faster"
        )
        print(
            f"goal: < 20 s → {'met' if ours < 20 else 'NOT met'}; ≥ 10× → {'met' if per_row_peer / per_row_ours >= 10 else 'NOT met'}"
        )
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
