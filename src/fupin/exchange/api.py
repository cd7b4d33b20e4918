"""API routes for imports and comparisons (数据导入与比对): translate HTTP to imports/services/selectors."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from fupin.bounds import MAX_ID, Id
from fupin.sheets.reader import FileFault

from . import imports as import_service
from . import selectors, services
from .comparison import CATEGORIES
from .models import ComparisonJob, ComparisonResult, ImportJob, Kind

router = Router(tags=["数据导入与信息比对"])
MAX_LIMIT = 500


def _422(message: str, field: str) -> HttpError:
    err = HttpError(422, message)
    err.errors = {field: [message]}
    return err


class ImportJobOut(Schema):
    id: int
    kind: str
    filename: str
    state: str
    message: str
    rows_total: int
    rows_read: int
    rows_validated: int
    rows_merged: int
    percent: int
    counts: dict


class RejectedOut(Schema):
    row_no: int
    column: str
    reason: str


class ComparisonJobOut(Schema):
    id: int
    area_code: str
    state: str
    step: int
    steps: int
    step_label: str
    percent: int
    message: str
    registry_rows: int
    enrolment_rows: int
    seconds: float | None
    summary: dict
    by_township: dict


class ResultOut(Schema):
    id: int
    category: str
    insurance: str
    village_code: str
    person_id: int | None
    id_number: str
    name: str
    enrol_id_number: str
    enrol_name: str
    enrol_area_code: str
    score: float | None
    detail: str
    review: str
    id_difference: str  # where the two numbers differ, positions only (no hidden digit)

    @staticmethod
    def resolve_id_difference(obj: ComparisonResult) -> str:
        from .review import id_diff

        return (
            id_diff(obj.id_number, obj.enrol_id_number).text
            if obj.id_number and obj.enrol_id_number
            else ""
        )

    @staticmethod
    def resolve_id_number(obj: ComparisonResult) -> str:
        from fupin.registry.idnumber import mask

        return mask(obj.id_number) if obj.id_number else ""

    @staticmethod
    def resolve_enrol_id_number(obj: ComparisonResult) -> str:
        from fupin.registry.idnumber import mask

        return mask(obj.enrol_id_number) if obj.enrol_id_number else ""


class Decision(Schema):
    decision: str


@router.get("/exchange/imports", response=list[ImportJobOut])
def list_imports(request: HttpRequest) -> list[ImportJob]:
    """导入任务列表（本辖区）."""
    jobs = list(selectors.import_jobs(request.user)[:100])
    for job in jobs:
        import_service.recover_interrupted(job)
    return jobs


@router.post("/exchange/imports", response={201: ImportJobOut})
def upload(request: HttpRequest, kind: Form[str], file: File[UploadedFile]) -> Status:
    """上传文件并开始读取、校验（后台任务）；用 GET /exchange/imports/{pk} 查看进度."""
    if kind not in Kind.values:
        raise _422(f"数据来源“{kind}”无效，应为 {'/'.join(Kind.values)}", "kind")
    try:
        import_service.check_upload_size(file.size)
        job = services.start_import(
            user=request.user, kind=kind, filename=file.name or "upload", content=file.read()
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    except FileFault as exc:  # the page's limit, the same setting (MAX_UPLOAD_BYTES)
        err = HttpError(413, str(exc))
        err.errors = {"file": [str(exc)]}
        raise err from None
    return Status(201, selectors.import_job(request.user, job.pk))


@router.get("/exchange/imports/{pk}", response=ImportJobOut)
def import_status(request: HttpRequest, pk: Id) -> ImportJob:
    """导入任务状态、进度与预览统计."""
    job = selectors.import_job(request.user, pk)
    import_service.recover_interrupted(job)
    return job


@router.get("/exchange/imports/{pk}/rejected", response=list[RejectedOut])
def import_rejected(
    request: HttpRequest,
    pk: Id,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> list[dict[str, object]]:
    """被拒绝的行：行号、列、原因."""
    job = selectors.import_job(request.user, pk)
    out = []
    for r in selectors.rejected_rows(job)[offset : offset + min(limit, MAX_LIMIT)]:
        out.extend({"row_no": r.row_no, "column": c, "reason": reason} for c, reason in r.errors)
    return out


@router.post("/exchange/imports/{pk}/confirm", response={202: ImportJobOut})
def import_confirm(request: HttpRequest, pk: Id) -> Status:
    """确认合并（一个事务，全部成功或全部不写）."""
    job = selectors.import_job(request.user, pk)
    if request.user.read_only or not import_service.may_import(request.user, job.kind):
        raise HttpError(403, "无权导入该类数据")
    if not services.confirm_import(user=request.user, job=job):
        job.refresh_from_db()
        raise _422(f"导入任务当前状态为“{job.get_state_display()}”，不能确认", "state")
    return Status(202, selectors.import_job(request.user, pk))


@router.get("/exchange/comparisons", response=list[ComparisonJobOut])
def list_comparisons(request: HttpRequest) -> list[ComparisonJob]:
    jobs = list(selectors.comparison_jobs(request.user)[:100])
    for job in jobs:
        services.recover_abandoned(job)
    return jobs


@router.post("/exchange/comparisons", response={201: ComparisonJobOut})
def start(request: HttpRequest) -> Status:
    """发起信息比对（本辖区的建档立卡 ↔ 参保数据），后台运行."""
    try:
        job = services.start_comparison(user=request.user, request=request)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    return Status(201, selectors.comparison_job(request.user, job.pk))


@router.get("/exchange/comparisons/{pk}", response=ComparisonJobOut)
def comparison_status(request: HttpRequest, pk: Id) -> ComparisonJob:
    """比对任务状态、进度、各类别与分乡镇数量."""
    job = selectors.comparison_job(request.user, pk)
    services.recover_abandoned(job)
    return job


@router.get("/exchange/comparisons/{pk}/results", response=list[ResultOut])
def comparison_results(
    request: HttpRequest,
    pk: Id,
    category: str = "",
    area: str = "",
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> list[ComparisonResult]:
    """比对结果（可按类别、区划筛选；身份证号脱敏）."""
    job = selectors.comparison_job(request.user, pk)
    if category and category not in CATEGORIES:
        raise _422(f"类别“{category}”无效", "category")
    qs = selectors.results(request.user, job, category, area).order_by("village_code", "id")
    return list(qs[offset : offset + min(max(limit, 1), MAX_LIMIT)])


@router.post("/exchange/results/{pk}/review", response=ResultOut)
def review(request: HttpRequest, pk: Id, body: Decision) -> ComparisonResult:
    """审核疑似同一人：confirmed（确认）或 rejected（否定），记入审计日志."""
    try:
        return services.decide(
            user=request.user, result_id=pk, decision=body.decision, request=request
        )
    except ValueError as exc:
        raise _422(str(exc), "decision") from None
