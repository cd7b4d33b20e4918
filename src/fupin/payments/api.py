"""/api/v1/payments — 资金发放. Thin: JSON in, selectors and services, JSON out; refusals are
HTTP 422 with the Chinese reason; another township's batch is 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, File, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import StrictInt, StringConstraints

from fupin.access.scope import get_scoped
from fupin.bounds import MAX_ID, Date, text
from fupin.registry.idnumber import mask

from . import jobs, providers, selectors, services
from .models import Batch, BatchJob, BatchLine, Difference
from .services import PaymentError

router = Router(tags=["资金发放"])
MAX_LIMIT = 500
Version = Annotated[
    StrictInt, Field(ge=1, le=2**31 - 1, description="页面所见的批次版本；已被他人处理时拒绝")
]
LineId = Annotated[StrictInt, Field(ge=1, le=MAX_ID, description="明细号")]
Short = Annotated[str, StringConstraints(max_length=40, strict=True)]
Reason = Annotated[str, StringConstraints(max_length=200, strict=True)]


def _refused(exc: Exception) -> HttpError:
    return HttpError(422, str(exc))


class KindOut(Schema):
    code: str
    name: str
    unit: str
    channel: str
    payee: str


class BatchOut(Schema):
    id: int
    kind: str
    kind_name: str
    period: str
    period_label: str
    area_code: str
    state: str
    state_label: str
    note: str
    line_count: int
    total_fen: int
    town_totals: dict
    preparer: str
    reviewer: str | None
    approver: str | None
    prepared_at: dt.datetime
    reviewed_at: dt.datetime | None
    approved_at: dt.datetime | None
    exported_at: dt.datetime | None
    paid_on: dt.date | None
    paid_reference: str
    reconciled_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_kind_name(obj: Batch) -> str:
        return providers.kind_name(obj.kind)

    @staticmethod
    def resolve_period_label(obj: Batch) -> str:
        return providers.period_label(obj.period)

    @staticmethod
    def resolve_state_label(obj: Batch) -> str:
        return obj.get_state_display()

    @staticmethod
    def resolve_preparer(obj: Batch) -> str:
        return obj.preparer.username

    @staticmethod
    def resolve_reviewer(obj: Batch) -> str | None:
        return obj.reviewer.username if obj.reviewer else None

    @staticmethod
    def resolve_approver(obj: Batch) -> str | None:
        return obj.approver.username if obj.approver else None


class LineOut(Schema):
    id: int
    person_id: int
    name: str
    id_number: str
    village_code: str
    period: str
    item: str
    amount_fen: int
    rule: str
    source: str
    payee_name: str
    payee_code: str
    note: str
    status: str
    returned_fen: int | None

    @staticmethod
    def resolve_name(obj: BatchLine) -> str:
        return obj.person.name

    @staticmethod
    def resolve_id_number(obj: BatchLine) -> str:
        return mask(obj.person.id_number)


class DifferenceOut(Schema):
    id: int
    kind: str
    line_id: int | None
    row_number: int | None
    name: str
    id_number: str
    expected_fen: int | None
    returned_fen: int | None
    returned_text: str
    resolution: str
    reason: str
    resolved_at: dt.datetime | None

    @staticmethod
    def resolve_id_number(obj: Difference) -> str:
        return mask(obj.id_number) if obj.id_number else ""


class PrepareIn(Schema):
    kind: Short
    period: Annotated[str, StringConstraints(max_length=10, strict=True)]
    area_code: Annotated[str, StringConstraints(max_length=12, strict=True)]
    note: text(Batch, "note") = ""


class StepIn(Schema):
    version: Version | None = None


class CancelIn(Schema):
    reason: Reason
    version: Version | None = None


class RemoveIn(Schema):
    line_id: LineId
    reason: Reason
    version: Version | None = None


class PaidIn(Schema):
    reference: Annotated[str, StringConstraints(max_length=60, strict=True)]
    paid_on: Date
    version: Version | None = None


class ResolveIn(Schema):
    resolution: Short
    reason: Reason


class JobOut(Schema):
    """A background job (后台任务): preparing a batch or reconciling a return file."""

    id: int
    job: str
    job_name: str
    state: str
    state_label: str
    step: int
    steps: int
    step_label: str
    done: int
    total: int
    percent: int
    message: str
    faults: list
    batch_id: int | None
    filename: str
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_job_name(obj: BatchJob) -> str:
        return obj.get_job_display()

    @staticmethod
    def resolve_state_label(obj: BatchJob) -> str:
        return obj.get_state_display()


class BatchQuery(Schema):
    kind: str = Field("", max_length=40)
    period: str = Field("", max_length=10)
    state: str = Field("", max_length=12)
    area: str = Field("", max_length=12)
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10_000_000)


def _batch(request: HttpRequest, pk: int) -> Batch:
    return get_scoped(
        Batch.objects.select_related("preparer", "reviewer", "approver"), request.user, pk=pk
    )


@router.get("/payments/kinds", response=list[KindOut])
def kinds(request: HttpRequest) -> list[KindOut]:
    """已登记的发放项目。"""
    return [
        KindOut(code=k.code, name=k.name, unit=k.unit, channel=k.channel, payee=k.payee)
        for k in providers.kinds().values()
    ]


@router.get("/payments/batches", response=list[BatchOut])
def list_batches(request: HttpRequest, filters: Query[BatchQuery]) -> QuerySet[Batch]:
    qs, _ = selectors.filtered_batches(request.user, filters.dict())
    return qs[filters.offset : filters.offset + filters.limit]


def _job(request: HttpRequest, pk: int) -> BatchJob:
    job = get_scoped(BatchJob.objects.all(), request.user, pk=pk)
    jobs.recover_abandoned(job)
    return job


@router.post("/payments/batches", response={202: JobOut})
def prepare(request: HttpRequest, data: PrepareIn) -> Status:
    """编制发放批次（乡镇为本乡镇，县级为全县），后台执行：先即时核对发放项目、期间和区划，
    然后返回后台任务；GET /payments/jobs/{id} 查看进度，完成后 batch_id 为新批次。"""
    try:
        job = jobs.start_prepare(
            user=request.user,
            kind=data.kind,
            period=data.period,
            area_code=data.area_code,
            note=data.note,
            request=request,
        )
    except PaymentError as exc:
        raise _refused(exc) from None
    return Status(202, _job(request, job.pk))


@router.get("/payments/jobs/{int:pk}", response=JobOut)
def job_status(request: HttpRequest, pk: int) -> BatchJob:
    """后台任务（编制批次、导入回盘对账）的状态与进度：步骤、本步骤已处理行数/总行数、结果或出错的行列。"""
    return _job(request, pk)


@router.get("/payments/batches/{int:pk}", response=BatchOut)
def get_batch(request: HttpRequest, pk: int) -> Batch:
    return _batch(request, pk)


@router.get("/payments/batches/{int:pk}/lines", response=list[LineOut])
def batch_lines(
    request: HttpRequest,
    pk: int,
    status: str = Query("", max_length=10),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> QuerySet[BatchLine]:
    """发放明细（身份证号脱敏）。"""
    return selectors.lines(request.user, _batch(request, pk), status)[offset : offset + limit]


@router.get("/payments/batches/{int:pk}/differences", response=list[DifferenceOut])
def batch_differences(request: HttpRequest, pk: int) -> QuerySet[Difference]:
    return selectors.differences(request.user, _batch(request, pk))


def _run(request: HttpRequest, pk: int, action: Callable[..., object], **kwargs) -> Batch:
    _batch(request, pk)
    try:
        action(user=request.user, batch_id=pk, request=request, **kwargs)
    except PaymentError as exc:
        raise _refused(exc) from None
    return _batch(request, pk)


@router.post("/payments/batches/{int:pk}/review", response=BatchOut)
def review(request: HttpRequest, pk: int, data: StepIn) -> Batch:
    """复核（编制人不能复核）。"""
    return _run(request, pk, services.review, version=data.version)


@router.post("/payments/batches/{int:pk}/approve", response=BatchOut)
def approve(request: HttpRequest, pk: int, data: StepIn) -> Batch:
    """审批（县人社局；编制人、复核人不能审批）。"""
    return _run(request, pk, services.approve, version=data.version)


@router.post("/payments/batches/{int:pk}/cancel", response=BatchOut)
def cancel(request: HttpRequest, pk: int, data: CancelIn) -> Batch:
    return _run(request, pk, services.cancel, reason=data.reason, version=data.version)


@router.post("/payments/batches/{int:pk}/remove", response=BatchOut)
def remove_line(request: HttpRequest, pk: int, data: RemoveIn) -> Batch:
    """剔除明细（仅编制后、复核前）。"""
    return _run(
        request,
        pk,
        services.remove_line,
        line_id=data.line_id,
        reason=data.reason,
        version=data.version,
    )


@router.post("/payments/batches/{int:pk}/paid", response=BatchOut)
def paid(request: HttpRequest, pk: int, data: PaidIn) -> Batch:
    """登记已支付（支付凭证号、支付日期）。"""
    return _run(
        request,
        pk,
        services.mark_paid,
        reference=data.reference,
        paid_on=data.paid_on,
        version=data.version,
    )


@router.post("/payments/batches/{int:pk}/return", response={202: JobOut})
def import_return(request: HttpRequest, pk: int, file: File[UploadedFile]) -> Status:
    """导入回盘文件对账（xlsx 或 csv），后台执行：先即时核对批次能否导入和文件大小，然后返回后台任务；
    GET /payments/jobs/{id} 查看进度；有错误的文件整份不导入，任务的 faults 列出行、列和原因。"""
    _batch(request, pk)
    try:
        job = jobs.start_reconcile(
            user=request.user,
            batch_id=pk,
            data=file.read(),
            filename=file.name or "回盘文件",
            request=request,
        )
    except PaymentError as exc:
        raise _refused(exc) from None
    return Status(202, _job(request, job.pk))


@router.post("/payments/differences/{int:pk}/resolve", response=DifferenceOut)
def resolve(request: HttpRequest, pk: int, data: ResolveIn) -> Difference:
    """处理对账差异（须写明理由）。"""
    get_scoped(Difference.objects.all(), request.user, pk=pk)
    try:
        return services.resolve(
            user=request.user,
            difference_id=pk,
            resolution=data.resolution,
            reason=data.reason,
            request=request,
        )
    except PaymentError as exc:
        raise _refused(exc) from None
