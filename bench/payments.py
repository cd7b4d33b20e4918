"""Payment batches (发放批次) at county scale on PostgreSQL: a 300,000-line batch.

    nice -n 10 .venv/bin/python bench/payments.py [--lines 300000] [--runs 5] [--keep]

Creates (or reuses with --keep) the database $BENCH_DB (default `fupin_bench_payments`) on the
local PostgreSQL, fills the registry with `--lines` persons (bench/registry.py's COPY filler)
and then times, each `--runs` times, the real services as a county user would call them:

- approve + export the bank 代发 CSV (the issue's target: under 10 s for 300,000 lines);
- approve + export the agency xlsx (the one export helper, xlsxwriter in constant memory);
- prepare: the kind's provider lists 300,000 entitlements, the batch inserts them (the unique
  index checked on every row), totals per township (then the batch is cancelled again);
- reconcile: a 300,000-row return file (CSV) read through fupin.sheets.read in a child process,
  checked row by row and classified (1% refused, 1% amount differs).

Prints the median and every run, and the load average (the machine is shared).
"""

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
BASE = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_DB", "fupin_bench_payments")
FEN = 50_000


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def bench_lines(*, user, period, area_code):
    from fupin.access.scope import scoped
    from fupin.areas.models import village_code_range
    from fupin.payments.providers import EntitlementLine
    from fupin.registry.models import Person

    qs = scoped(
        Person.objects.filter(village_code__range=village_code_range(area_code)), user
    ).values_list("id", "village_code")
    for pk, village in qs.iterator(chunk_size=20_000):
        yield EntitlementLine(
            kind="bench_post",
            person_id=pk,
            period=period,
            amount_fen=FEN,
            rule="fuliang-2018 employment.welfare_post_monthly_subsidy",
            source="假设：压测",
            village_code=village,
        )


def timed(fn, runs: int, reset=None) -> list[float]:
    out = []
    for _ in range(runs):
        if reset:
            reset()
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def show(label: str, seconds: list[float]) -> None:
    runs = ", ".join(f"{s:.2f}" for s in seconds)
    print(f"{label:<58} median {statistics.median(seconds):6.2f} s   runs: {runs}   load {load()}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=300_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="reuse an existing database")
    args = ap.parse_args()
    os.environ["DATABASE_URL"] = f"{BASE}/{DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fupin.settings"
    os.environ.setdefault("FUPIN_SECRET_KEY", "bench-only-not-secret")  # a throwaway database
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    import registry as registry_bench

    registry_bench.DB = DB
    fresh = registry_bench.prepare_database(args.keep)
    import django

    django.setup()
    from django.db import connection

    from fupin.access.models import User
    from fupin.payments import providers, reconcile, services
    from fupin.payments.exports import agency_xlsx_response, bank_csv_response
    from fupin.payments.models import Batch, BatchLine, BatchState, Difference, ReturnFile
    from fupin.payments.providers import Kind
    from fupin.registry.models import Person

    if fresh:
        t = time.perf_counter()
        registry_bench.fill(args.lines)
        print(f"registry filled in {time.perf_counter() - t:.1f} s")
    providers.register(
        Kind(code="bench_post", name="压测岗位补贴", unit="month", provider=bench_lines)
    )
    county, insurance = User.objects.get(username="county"), User.objects.get(username="insurance")
    admin = User.objects.get(username="admin")
    n = Person.objects.count()
    print(
        f"{n:,} persons; PostgreSQL {connection.cursor().connection.info.server_version}; load {load()}"
    )

    # The batch under test: prepared by the county (for the whole county), reviewed by the agency.
    Batch.objects.filter(kind="bench_post").update(state=BatchState.CANCELLED)
    BatchLine.objects.filter(kind="bench_post").update(live=False)
    period = "2018-03"
    t = time.perf_counter()
    batch = services.prepare(user=county, kind="bench_post", period=period, area_code="360222")
    first_prepare = time.perf_counter() - t
    print(
        f"batch {batch.pk}: {batch.line_count:,} lines, {batch.total_fen / 100:,.2f} 元, "
        f"{len(batch.town_totals)} townships"
    )
    services.review(user=insurance, batch_id=batch.pk)

    def back_to_reviewed():
        Batch.objects.filter(pk=batch.pk).update(
            state=BatchState.REVIEWED, approver=None, approved_at=None, exported_at=None
        )

    last: dict = {}

    def approve_and(export):
        def run():
            services.approve(user=admin, batch_id=batch.pk)
            response = export(user=insurance, request=None, batch_id=batch.pk)
            body = b"".join(response.streaming_content)
            assert len(body) > batch.line_count * 10, len(body)  # compressed xlsx: ~19 bytes a line
            last["body"] = body

        return run

    show(
        f"approve + bank CSV, {batch.line_count:,} lines",
        timed(approve_and(bank_csv_response), args.runs, back_to_reviewed),
    )
    show(
        f"approve + agency xlsx, {batch.line_count:,} lines",
        timed(approve_and(agency_xlsx_response), args.runs, back_to_reviewed),
    )
    # Untimed: the last xlsx holds every line (read back with calamine).
    from python_calamine import CalamineWorkbook

    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(last["body"])).get_sheet_by_index(0).to_python()
    )
    assert len(rows) == batch.line_count + 1, len(rows)
    print(f"  agency xlsx read back: {len(rows) - 1:,} lines, {len(last['body']):,} bytes")

    # Prepare again and again: cancel the previous one first (that frees its lines).
    other = {"pk": None}

    def cancel_other():
        if other["pk"]:
            services.cancel(user=county, batch_id=other["pk"], reason="压测")

    def prepare_again():
        other["pk"] = services.prepare(
            user=county, kind="bench_post", period="2019-01", area_code="360222"
        ).pk

    show(
        f"prepare {batch.line_count:,} lines from the provider (first: {first_prepare:.2f} s)",
        timed(prepare_again, max(1, args.runs // 2), cancel_other),
    )
    cancel_other()

    # Reconcile a return file of every line: 1% refused, 1% paid with another amount.
    back_to_reviewed()
    services.approve(user=admin, batch_id=batch.pk)
    bank_csv_response(user=insurance, request=None, batch_id=batch.pk)
    services.mark_paid(
        user=insurance, batch_id=batch.pk, reference="BENCH", paid_on=dt.date.today()
    )
    buf = io.StringIO()
    buf.write("明细号,身份证号,姓名,金额(元),结果,说明\n")
    rows = (
        BatchLine.objects.filter(batch=batch, live=True)
        .order_by("id")
        .values_list("id", "person__id_number")
    )
    for i, (pk, id_number) in enumerate(rows.iterator(chunk_size=20_000)):
        if i % 100 == 1:
            buf.write(f"{pk},{id_number},,500.00,失败,账户冻结\n")
        elif i % 100 == 2:
            buf.write(f"{pk},{id_number},,499.00,成功,\n")
        else:
            buf.write(f"{pk},{id_number},,500.00,成功,\n")
    data = buf.getvalue().encode()

    def reset_paid():
        Difference.objects.filter(batch=batch).delete()
        ReturnFile.objects.filter(batch=batch).delete()
        BatchLine.objects.filter(batch=batch).update(
            status="pending", returned_fen=None, status_reason=""
        )
        Batch.objects.filter(pk=batch.pk).update(state=BatchState.PAID, reconciled_at=None)

    def run_reconcile():
        rf = reconcile.import_return(
            user=insurance, batch_id=batch.pk, data=data, filename="回盘.csv"
        )
        assert rf.paid + rf.differences == batch.line_count and rf.differences, (
            rf.paid,
            rf.differences,
        )

    show(
        f"reconcile a {batch.line_count:,}-row return file ({len(data) / 1e6:.1f} MB)",
        timed(run_reconcile, max(1, args.runs // 2), reset_paid),
    )


if __name__ == "__main__":
    main()
