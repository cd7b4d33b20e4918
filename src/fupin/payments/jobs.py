"""Preparing a batch and reconciling it against a return file, in the background (后台任务).

At 300,000 lines both take longer than a page request should. The page checks what can be
checked at once (who, which kind, period and area; whether a return file may be imported) and
queues a `BatchJob` when the transaction commits (`transaction.on_commit`); the task worker runs
the same service the API calls (`services.prepare`, `reconcile.import_return`) as the user who
asked, and writes the outcome on the job: the batch, or the Chinese message with the faulty rows.
Nothing is written to a batch unless its service succeeds (each is one transaction).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import get_scoped

from . import reconcile, services
from .job_run import ABANDONED as ABANDONED
from .job_run import LIVENESS as LIVENESS
from .job_run import fail_unstartable as fail_unstartable
from .job_run import recover_abandoned as recover_abandoned
from .job_run import run as run
from .models import Batch, BatchJob, JobKind
from .services import PaymentError


def _enqueue(job: BatchJob, user: User) -> None:
    from .tasks import batch_job_task

    transaction.on_commit(lambda: batch_job_task.enqueue(job.pk, user.pk))


def start_prepare(
    *,
    user: User,
    kind: str,
    period: str,
    area_code: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> BatchJob:
    k, period, area = services.check_prepare(
        user=user, kind=kind, period=period, area_code=area_code, note=note
    )
    with transaction.atomic():
        job = BatchJob.objects.create(
            job=JobKind.PREPARE,
            area_code=area.code.ljust(12, "0"),
            params={"kind": k.code, "period": period, "area": area.code, "note": note},
            step_label="等待后台编制",
            steps=4,
            created_by=user,
        )
        record(
            AuditAction.CREATE,
            user=user,
            request=request,
            obj=job,
            summary=f"发起编制发放批次（后台）：{k.name}，{area.name}",
            area_code=job.area_code,
        )
        _enqueue(job, user)
    return job


def start_reconcile(
    *, user: User, batch_id: int, data: bytes, filename: str, request: HttpRequest | None = None
) -> BatchJob:
    services._require_county(user, "导入回盘文件")
    batch = get_scoped(Batch.objects.all(), user, pk=batch_id)
    reconcile._may_import(batch)
    if not data:
        raise PaymentError("回盘文件是空的")
    if len(data) > settings.MAX_UPLOAD_BYTES:
        raise PaymentError(f"回盘文件超过 {settings.MAX_UPLOAD_BYTES // (1024 * 1024)} MB，未导入")
    with transaction.atomic():
        job = BatchJob.objects.create(
            job=JobKind.RECONCILE,
            area_code=batch.area_code,
            batch=batch,
            filename=(filename or "")[:200],
            data=data,
            step_label="等待后台对账",
            steps=3,
            created_by=user,
        )
        record(
            AuditAction.CREATE,
            user=user,
            request=request,
            obj=job,
            summary=f"上传回盘文件（后台对账）：批次 {batch.pk}，{job.filename}",
            area_code=batch.area_code,
        )
        _enqueue(job, user)
    return job
