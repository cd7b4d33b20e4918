"""Roster import benchmark: a 100,000-row 花名册 xlsx into PostgreSQL, end to end.

fupin's import (calamine → staging → set-based validation → one-transaction merge, with
history rows and audit) against django-import-export 4 importing the same whole file into
the same models (households, then members), set up for speed as its documentation advises
(use_bulk, skip_diff, CachedInstanceLoader) with foreign keys from a per-import cache. Both
are timed from the file on disk to committed rows (each reads the xlsx its own way), on
emptied tables, `--runs` times each, alternating; medians and the load average are printed.

    nice -n 10 .venv/bin/python bench/import.py [--rows 100000] [--runs 3]

Needs PostgreSQL at $BENCH_PG (default postgres://postgres@127.0.0.1:5432); it creates and
drops the database fupin_bench_import.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
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


def run_import_export(path: Path) -> tuple[float, float, int]:
    """The whole file through django-import-export 4, set up as its documentation advises for
    large imports ("Import performance"): use_bulk with batch_size, skip_diff, a
    CachedInstanceLoader, and foreign keys resolved from one dict loaded per import rather
    than a query per row. Timed like fupin's: from the file's bytes on disk to committed rows."""
    import tablib
    from import_export import fields, resources, widgets
    from import_export.instance_loaders import CachedInstanceLoader

    from fupin.areas.models import Area
    from fupin.registry.idnumber import parse_id_number
    from fupin.registry.models import Household, Person

    class CachedForeignKey(widgets.ForeignKeyWidget):
        """ForeignKeyWidget answering from one query for the whole import."""

        def __init__(self, model, field):
            super().__init__(model, field)
            self.cache: dict[str, object] | None = None

        def clean(self, value, row=None, **kwargs):
            if self.cache is None:
                self.cache = {
                    getattr(o, self.field): o for o in self.get_queryset(value, row, **kwargs)
                }
            return self.cache.get(value) if value else None

    class Bulk:
        use_bulk = True
        batch_size = 5000
        skip_diff = True
        instance_loader_class = CachedInstanceLoader

    class HouseholdResource(resources.ModelResource):
        number = fields.Field(attribute="number", column_name="户编号")
        village = fields.Field(
            attribute="village", column_name="村代码", widget=CachedForeignKey(Area, "code")
        )
        year_identified = fields.Field(
            attribute="year_identified", column_name="识别年度", widget=widgets.IntegerWidget()
        )
        main_cause = fields.Field(attribute="main_cause", column_name="主要致贫原因")
        head_name = fields.Field(attribute="head_name", column_name="姓名")

        class Meta(Bulk):
            model = Household
            import_id_fields = ("number",)
            fields = ("number", "village", "year_identified", "main_cause", "head_name")

        def skip_row(self, instance, original, row, import_validation_errors=None):
            return row["与户主关系"] != "head"

        def before_save_instance(self, instance, row, **kwargs):
            instance.village_code = (
                instance.village.code
            )  # Household.save() does this; bulk_create does not call it

    class PersonResource(resources.ModelResource):
        household = fields.Field(
            attribute="household",
            column_name="户编号",
            widget=CachedForeignKey(Household, "number"),
        )
        id_number = fields.Field(attribute="id_number", column_name="身份证号")
        name = fields.Field(attribute="name", column_name="姓名")
        relation = fields.Field(attribute="relation", column_name="与户主关系")

        class Meta(Bulk):
            model = Person
            import_id_fields = ("id_number",)
            fields = ("household", "id_number", "name", "relation")

        def before_save_instance(self, instance, row, **kwargs):
            parsed = parse_id_number(instance.id_number)
            instance.sex, instance.birth_date = parsed.sex, parsed.birth_date
            instance.village_code = instance.household.village_code

    started = time.perf_counter()
    with open(path, "rb") as f:
        data = tablib.Dataset().load(f.read(), format="xlsx")
    # The title row above the header: import-export expects the header first.
    data = tablib.Dataset(*[tuple(r) for r in data][1:], headers=list(data[0]))
    read = time.perf_counter() - started
    for resource in (HouseholdResource(), PersonResource()):
        result = resource.import_data(data, dry_run=False, raise_errors=True, use_transactions=True)
        assert not result.has_errors()
    return time.perf_counter() - started, read, len(data)


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> str:
    return f"median {median(values):6.1f} s (runs: {', '.join(f'{v:.1f}' for v in values)})"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--runs", type=int, default=3, help="runs of each import; medians are reported"
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

    print(f"load average before: {load()} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster.xlsx"
        t0 = time.perf_counter()
        households = make_file(path, args.rows, villages)
        print(
            f"file: {args.rows} rows, {households} households, {path.stat().st_size / 1e6:.1f} MB "
            f"(written in {time.perf_counter() - t0:.1f} s)"
        )
        ours, stage, again, peer, peer_read = [], [], [], [], []
        for run in range(args.runs):
            truncate()
            seconds, counts = run_fupin(path)
            ours.append(seconds)
            stage.append(counts["seconds_stage"])
            n = (Household.objects.count(), Person.objects.count(), StatusChange.objects.count())
            assert n[1] == args.rows, n
            if run == 0:
                seconds, counts2 = run_fupin(path)
                again.append(seconds)
                print(
                    f"fupin re-import of the same file: {seconds:.1f} s, "
                    f"unchanged {counts2['unchanged']}, new {counts2['new']}"
                )
            truncate()
            seconds, read, rows = run_import_export(path)
            peer.append(seconds)
            peer_read.append(read)
            assert (Household.objects.count(), Person.objects.count()) == (households, args.rows)
            print(
                f"run {run + 1}: fupin {ours[-1]:.1f} s, django-import-export {seconds:.1f} s (of "
                f"which reading the xlsx {read:.1f} s); load {load()}"
            )
        print(
            f"fupin import:          {spread(ours)}  (read+validate+stage median {median(stage):.1f} s, rest merge; "
            f"→ {n[0]} households, {n[1]} persons, {n[2]} history rows)"
        )
        print(
            f"django-import-export:  {spread(peer)}  (reading the xlsx with tablib median {median(peer_read):.1f} s; "
            f"use_bulk, skip_diff, CachedInstanceLoader, cached foreign keys; whole file)"
        )
        print(
            f"ratio of medians: django-import-export / fupin = {median(peer) / median(ours):.1f}×; "
            f"without the file reading on the peer's side {(median(peer) - median(peer_read)) / median(ours):.1f}×"
        )
        print(f"goal: < 20 s for fupin → {'met' if median(ours) < 20 else 'NOT met'}")
    print(f"load average after: {load()}")
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
