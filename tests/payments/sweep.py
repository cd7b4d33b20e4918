"""Payment batches in each township of the scope sweep (tests/access/test_scope_sweep.py)."""

from functools import partial

from fupin.payments.models import Batch, BatchJob, BatchLine, Difference, ReturnFile
from tests.access.marks import marker


def extend(world, users) -> None:
    for town, user in users.items():
        m = partial(marker, town)
        person = world[town]["person"]
        batch = Batch.objects.create(
            kind="welfare_post",
            period="2018-03",
            area_code=town.ljust(12, "0"),
            preparer=user,
            note=m(Batch),
            state="paid",
            paid_reference="PAY-1",
            line_count=1,
            total_fen=50_000,
            town_totals={town: [1, 50_000]},
        )
        line = BatchLine.objects.create(
            batch=batch,
            kind="sweep_kind",
            person=person,
            village_code=person.village_code,
            period="2018-03",
            amount_fen=50_000,
            rule="fuliang-2018 employment.welfare_post_monthly_subsidy",
            note=m(BatchLine),
            status="refused",
        )
        Difference.objects.create(
            batch=batch,
            line=line,
            village_code=person.village_code,
            kind="refused",
            row_number=2,
            name=person.name,
            expected_fen=50_000,
            returned_fen=0,
            returned_text=m(Difference),
        )
        ReturnFile.objects.create(
            batch=batch, area_code=batch.area_code, filename=m(ReturnFile), rows=1, imported_by=user
        )
        diff = Difference.objects.get(batch=batch)
        job = BatchJob.objects.create(
            job="reconcile",
            state="failed",
            area_code=batch.area_code,
            batch=batch,
            filename=m(BatchJob),
            message="回盘文件有 1 处错误，未导入",
            created_by=user,
        )
        world[town].update(
            payment_batch=batch, payment_line=line, payment_difference=diff, payment_job=job
        )


BATCH_URLS = [
    "payments:batch",
    "payments:batch_lines_export",
    "payments:review",
    "payments:approve",
    "payments:cancel",
    "payments:remove_line",
    "payments:bank_file",
    "payments:agency_file",
    "payments:pay",
    "payments:import_return",
    "/api/v1/payments/batches/{pk}",
    "/api/v1/payments/batches/{pk}/lines",
    "/api/v1/payments/batches/{pk}/differences",
    "/api/v1/payments/batches/{pk}/review",
    "/api/v1/payments/batches/{pk}/approve",
    "/api/v1/payments/batches/{pk}/cancel",
    "/api/v1/payments/batches/{pk}/remove",
    "/api/v1/payments/batches/{pk}/paid",
    "/api/v1/payments/batches/{pk}/return",
]
DIFFERENCE_URLS = ["payments:resolve", "/api/v1/payments/differences/{pk}/resolve"]
JOB_URLS = ["payments:job", "payments:job_progress", "/api/v1/payments/jobs/{pk}"]


def install(factory, extensions: list) -> None:
    extensions.append(extend)
    factory(*BATCH_URLS)(lambda world, town: {"pk": world[town]["payment_batch"].pk})
    factory(*DIFFERENCE_URLS)(lambda world, town: {"pk": world[town]["payment_difference"].pk})
    factory(*JOB_URLS)(lambda world, town: {"pk": world[town]["payment_job"].pk})
