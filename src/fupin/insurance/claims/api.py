"""API routes of stored claims: imports of claims and of 低保/特困 lists (upload → background check →
preview → confirm), claims and township totals,
re-settlements (政策测算), official re-settles with the identity as it now stands (按新身份重算) and
the high self-pay list — thin over services and selectors (scoped)."""

from __future__ import annotations

from types import ModuleType

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import StrictStr, field_validator
from pydantic_core import PydanticCustomError

from fupin.bounds import MAX_ID, Id, Year
from fupin.policy.params import CATEGORY_NAMES
from fupin.registry.idnumber import mask
from fupin.registry.models import Person
from fupin.sheets import reader

from . import exports, identity_import, imports, official, resettle, selectors, trails
from .models import (
    ClaimImport,
    IdentityImport,
    IdentityImportRow,
    MedicalClaim,
    OfficialChange,
    OfficialResettlement,
    Resettlement,
    VisitType,
)

router = Router(tags=["医疗费用结算单"])
MAX_LIMIT = 500


def _422(message: str, field: str) -> HttpError:
    err = HttpError(422, message)
    err.errors = {field: [message]}
    return err


class ImportOut(Schema):
    id: int
    filename: str
    state: str
    state_name: str
    message: str
    rows_total: int
    rows_done: int = Field(
        description="后台读取校验当前这一步已处理的行数（state 为 reading 时；总数为 rows_total）"
    )
    percent: int = Field(description="读取校验当前这一步的进度（%）")
    rows_rejected: int
    unknown_persons: list = Field(description="[[行号, 脱敏身份证号, 文件中的姓名], …]")
    step: str = Field(
        description="读取校验进行到哪一步（state 为 reading 时），如“第 2/4 步：查找人员（按身份证号）”"
    )
    faults: list[dict] = Field(
        description="有误的行（最多 500 行；全部见页面的错误清单 xlsx）：行号、列、原因"
    )

    @staticmethod
    def resolve_state_name(obj: ClaimImport) -> str:
        return obj.get_state_display()

    @staticmethod
    def resolve_faults(obj: ClaimImport) -> list[dict]:
        rows = obj.rows.exclude(errors=[]).order_by("row_no")[:MAX_LIMIT]
        return [
            {"row": r.row_no, "column": c, "reason": reason} for r in rows for c, reason in r.errors
        ]


class StepOut(Schema):
    layer: str
    rule: str
    detail: str
    amount_fen: int
    source: str


class ClaimOut(Schema):
    id: int
    claim_no: str
    person_id: int
    name: str
    id_number: str
    village_code: str
    hospital: str
    visit_type: str
    hospital_level: int
    disease_code: str
    admission_date: str
    category: str
    category_name: str
    category_basis: str
    chronic_class: str
    policy: str
    period: str
    total_fen: int
    in_policy_fen: int
    basic_fen: int
    critical_fen: int
    assistance_fen: int
    fallback_fen: int
    self_fen: int

    @staticmethod
    def resolve_name(obj: MedicalClaim) -> str:
        return obj.person.name

    @staticmethod
    def resolve_id_number(obj: MedicalClaim) -> str:
        return mask(obj.person.id_number)

    @staticmethod
    def resolve_admission_date(obj: MedicalClaim) -> str:
        return obj.admission_date.isoformat()

    @staticmethod
    def resolve_category_name(obj: MedicalClaim) -> str:
        return CATEGORY_NAMES.get(obj.category, "")

    # The official split (ClaimSplit), read through selectors.with_split.
    @staticmethod
    def resolve_basic_fen(obj: MedicalClaim) -> int:
        return obj.split_basic_fen

    @staticmethod
    def resolve_critical_fen(obj: MedicalClaim) -> int:
        return obj.split_critical_fen

    @staticmethod
    def resolve_assistance_fen(obj: MedicalClaim) -> int:
        return obj.split_assistance_fen

    @staticmethod
    def resolve_fallback_fen(obj: MedicalClaim) -> int:
        return obj.split_fallback_fen

    @staticmethod
    def resolve_self_fen(obj: MedicalClaim) -> int:
        return obj.split_self_fen


class ClaimDetailOut(ClaimOut):
    steps: list[StepOut] = Field(
        description="计算过程（每一步、规则、金额〔分〕、出处）；核对不一致时为空"
    )
    steps_note: str = Field(
        description="空：已存的计算过程；否则说明此计算过程为现算（后台补写尚未完成）并已与正式分担核对一致"
    )
    steps_warning: str = Field(
        description="现算的计算过程与正式分担不一致时的提示（此时不给计算过程）"
    )

    @staticmethod
    def resolve_steps(obj: MedicalClaim) -> list[dict]:
        return [
            {
                "layer": s["layer"],
                "rule": s["rule"],
                "detail": s["detail"],
                "amount_fen": s["amount"],
                "source": s["source"],
            }
            for s in obj.shown.steps
        ]

    @staticmethod
    def resolve_steps_note(obj: MedicalClaim) -> str:
        return obj.shown.note

    @staticmethod
    def resolve_steps_warning(obj: MedicalClaim) -> str:
        return obj.shown.warning


class TotalsOut(Schema):
    town: str
    n: int
    persons: int
    total: int
    basic_fen: int
    critical_fen: int
    assistance_fen: int
    fallback_fen: int
    self_fen: int


class ResettleIn(Schema):
    year: Year
    policy: str = Field(
        max_length=40,
        description="地区编号（如 jining，按入院日期取当日政策）或 地区@日期 或 政策包编号",
    )
    area: str = Field(
        default="", max_length=12, description="范围：本辖区内的乡镇或村代码；空为本辖区全部"
    )
    note: str = Field(default="", max_length=200)


class ResettlementOut(Schema):
    id: int
    year: int
    policy: str
    area_code: str
    note: str
    state: str
    state_name: str
    message: str
    rows_total: int
    rows_done: int
    skipped: int
    percent: int

    @staticmethod
    def resolve_state_name(obj: Resettlement) -> str:
        return obj.get_state_display()


class ComparisonOut(Schema):
    town: str
    n: int
    total: int
    official: dict[str, int]
    resettled: dict[str, int]


class FlagOut(Schema):
    person_id: int
    name: str
    id_number: str
    village_code: str
    year: int
    self_pay_fen: int
    income_fen: int
    line_fen: int
    share_bp: int
    income_basis: str
    source: str


def _start_upload(request: HttpRequest, service: ModuleType, file: UploadedFile) -> Model:
    """An upload stored and its check queued through `service` (the claim or the 低保/特困 import):
    403 when the user may not import, 413 naming the fault when the file is too large."""
    try:
        service.check_upload_size(file.size)
        return service.start_import(
            user=request.user, filename=file.name or "upload", content=file.read()
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "无权导入") from None
    except reader.FileFault as exc:
        err = HttpError(413, str(exc))
        err.errors = {"file": [str(exc)]}
        raise err from None


@router.post("/insurance/claim-imports", response={201: ImportOut})
def upload(request: HttpRequest, file: File[UploadedFile]) -> Status:
    """上传结算数据文件：读取和校验在后台进行（state 为 reading 时轮询 `{pk}`），暂存、预览，不入库."""
    job = _start_upload(request, imports, file)
    return Status(201, selectors.claim_import(request.user, job.pk))


@router.get("/insurance/claim-imports/{pk}", response=ImportOut)
def import_status(request: HttpRequest, pk: Id) -> ClaimImport:
    job = selectors.claim_import(request.user, pk)
    imports.recover_abandoned(job)  # a check whose worker died is failed with the reason
    return job


@router.post("/insurance/claim-imports/{pk}/confirm", response=ImportOut)
def import_confirm(request: HttpRequest, pk: Id) -> ClaimImport:
    """确认入库并结算（一个事务，全部或全不）."""
    job = selectors.claim_import(request.user, pk)
    try:
        imports.merge(job, user=request.user, request=request)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "无权入库") from None
    except imports.ImportRefused as exc:
        raise _422(str(exc), "state") from None
    return selectors.claim_import(request.user, pk)


@router.get("/insurance/claims", response=list[ClaimOut])
def list_claims(request: HttpRequest, year: Year, town: str = Query("", max_length=12),
                category: str = Query("", max_length=10),
                visit_type: str = Query("", max_length=20), limit: int = Query(100, ge=1, le=1000),
                offset: int = Query(0, ge=0, le=MAX_ID)) -> list[MedicalClaim]:  # fmt: skip
    """本辖区某年度的结算单（身份证号脱敏）."""
    if category and category not in CATEGORY_NAMES:
        raise _422(f"未知人员类别 {category}", "category")
    if visit_type and visit_type not in VisitType.values:
        raise _422(f"未知就诊类型 {visit_type}", "visit_type")
    if town and not (town.isdigit() and len(town) in (9, 12)):
        raise _422("乡镇或村代码应为 9 或 12 位数字", "town")
    qs = selectors.claim_list(
        request.user, year=year, town=town, category=category, visit_type=visit_type
    )
    return list(qs[offset : offset + min(limit, MAX_LIMIT)])


@router.get("/insurance/claims/totals", response=list[TotalsOut])
def totals(request: HttpRequest, year: Year) -> list[dict[str, object]]:
    """本辖区某年度各乡镇合计（分）."""
    return [
        {**r, **{k: r[k] or 0 for k in ("total", *selectors.PARTS)}}
        for r in selectors.township_totals(selectors.claims(request.user).filter(year=year))
    ]


@router.get("/insurance/claims/high-self-pay", response=list[FlagOut])
def high_self_pay(request: HttpRequest, year: Year) -> list[dict[str, object]]:
    """年度个人自付超过家庭收入预警比例的人员（因病致贫返贫风险）."""
    flags = selectors.high_self_pay(request.user, year)
    persons = {p.pk: p for p in Person.objects.filter(pk__in=[f.person_id for f in flags])}
    return [
        {
            "person_id": f.person_id,
            "name": persons[f.person_id].name,
            "id_number": mask(persons[f.person_id].id_number),
            "village_code": persons[f.person_id].village_code,
            "year": f.year,
            "self_pay_fen": f.self_pay_fen,
            "income_fen": f.income_fen,
            "line_fen": f.line_fen,
            "share_bp": f.share_bp,
            "income_basis": f.income_basis,
            "source": f.source,
        }
        for f in flags
    ]


@router.get("/insurance/claims/{pk}", response=ClaimDetailOut)
def claim(request: HttpRequest, pk: Id) -> MedicalClaim:
    """一笔结算单及其计算过程."""
    from fupin.access.scope import get_scoped

    from .models import MedicalClaim

    claim = get_scoped(
        selectors.with_split(MedicalClaim.objects.select_related("person")), request.user, pk=pk
    )
    claim.shown = trails.shown_trails([claim]).get(claim.pk, trails.Shown([], claim.period))
    return claim


@router.post("/insurance/resettlements", response={201: ResettlementOut})
def start_resettlement(request: HttpRequest, body: ResettleIn) -> Status:
    """发起政策测算（后台任务）；用 GET /insurance/resettlements/{pk} 查看进度与对照."""
    try:
        run = resettle.start(
            user=request.user,
            year=body.year,
            policy=body.policy,
            area_code=body.area,
            note=body.note,
            request=request,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "无权发起测算") from None
    except resettle.ResettleError as exc:
        raise _422(str(exc), "policy") from None
    return Status(201, selectors.resettlement(request.user, run.pk))


@router.get("/insurance/resettlements/{pk}", response=ResettlementOut)
def resettlement(request: HttpRequest, pk: Id) -> Resettlement:
    run = selectors.resettlement(request.user, pk)
    resettle.recover_abandoned(run)
    return run


@router.get("/insurance/resettlements/{pk}/comparison", response=list[ComparisonOut])
def comparison(request: HttpRequest, pk: Id) -> list[dict[str, object]]:
    """各乡镇正式结算与测算结果对照（分）."""
    run = selectors.resettlement(request.user, pk)
    return [
        {
            "town": r["town"],
            "n": r["n"],
            "total": r["total"] or 0,
            "official": {k: r[f"official_{k}"] or 0 for k in selectors.PARTS},
            "resettled": {k: r[k] or 0 for k in selectors.PARTS},
        }
        for r in selectors.comparison(request.user, run)
    ]


# -- 按新身份重算某年 ---------------------------------------------------------------------------------
class OfficialIn(Schema):
    year: Year
    area: StrictStr = Field(
        default="", max_length=12, description="范围：本辖区内的乡镇代码（9 位）；空为本辖区全部"
    )
    note: StrictStr = Field(default="", max_length=200, description="说明（如 民政名单更正）")

    @field_validator("area")
    @classmethod
    def _county_or_township(cls, value: str) -> str:
        value = value.strip()
        if value and not (value.isdigit() and len(value) in (6, 9)):
            raise PydanticCustomError(
                "out_of_range", "范围应为全县或一个乡镇（6 位县代码或 9 位乡镇代码）"
            )
        return value


class OfficialRunOut(Schema):
    id: int
    year: int
    area_code: str
    note: str
    state: str
    state_name: str
    step: str = Field(description="后台进行到哪一步（state 为 queued、running 时）")
    rows_total: int
    rows_done: int
    percent: int
    changed: int = Field(description="人员类别、慢性病类别或分担有变化的结算单笔数")
    message: str
    created_at: str
    finished_at: str | None

    @staticmethod
    def resolve_state_name(obj: OfficialResettlement) -> str:
        return obj.get_state_display()

    @staticmethod
    def resolve_created_at(obj: OfficialResettlement) -> str:
        return obj.created_at.isoformat()

    @staticmethod
    def resolve_finished_at(obj: OfficialResettlement) -> str | None:
        return obj.finished_at.isoformat() if obj.finished_at else None


class OfficialChangeOut(Schema):
    claim_id: int
    claim_no: str
    person_id: int
    name: str
    id_number: str = Field(description="脱敏身份证号")
    village_code: str
    admission_date: str
    visit_type: str
    old_category: str
    new_category: str
    old_category_name: str
    new_category_name: str
    old_chronic_class: str
    new_chronic_class: str
    before: dict[str, int] = Field(description="重算前各部分（分）：basic_fen … self_fen")
    after: dict[str, int] = Field(description="重算后各部分（分）")

    @staticmethod
    def resolve_claim_no(obj: OfficialChange) -> str:
        return obj.claim.claim_no

    @staticmethod
    def resolve_person_id(obj: OfficialChange) -> int:
        return obj.claim.person_id

    @staticmethod
    def resolve_name(obj: OfficialChange) -> str:
        return obj.claim.person.name

    @staticmethod
    def resolve_id_number(obj: OfficialChange) -> str:
        return mask(obj.claim.person.id_number)

    @staticmethod
    def resolve_admission_date(obj: OfficialChange) -> str:
        return obj.claim.admission_date.isoformat()

    @staticmethod
    def resolve_visit_type(obj: OfficialChange) -> str:
        return obj.claim.visit_type

    @staticmethod
    def resolve_old_category_name(obj: OfficialChange) -> str:
        return CATEGORY_NAMES.get(obj.old_category, obj.old_category)

    @staticmethod
    def resolve_new_category_name(obj: OfficialChange) -> str:
        return CATEGORY_NAMES.get(obj.new_category, obj.new_category)

    @staticmethod
    def resolve_before(obj: OfficialChange) -> dict[str, int]:
        return {p: getattr(obj, f"old_{p}") for p in selectors.PARTS}

    @staticmethod
    def resolve_after(obj: OfficialChange) -> dict[str, int]:
        return {p: getattr(obj, p) for p in selectors.PARTS}


class OfficialChangePage(Schema):
    count: int
    items: list[OfficialChangeOut]


def _official_run(request: HttpRequest, pk: int) -> OfficialResettlement:
    run = selectors.official_run(request.user, pk)
    official.recover_abandoned(run)  # a run whose worker died is failed with the reason
    return run


@router.post("/insurance/official-resettlements", response={202: OfficialRunOut})
def start_official_resettlement(request: HttpRequest, body: OfficialIn) -> Status:
    """发起按新身份重算某年（后台任务，改写正式结算）；用 GET …/{pk} 查看进度，…/{pk}/changes 查看变化."""
    try:
        run = official.start(
            user=request.user,
            year=body.year,
            area_code=body.area,
            note=body.note,
            request=request,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "无权重算") from None
    except official.OfficialResettleError as exc:
        raise _422(str(exc), "year") from None
    return Status(202, selectors.official_run(request.user, run.pk))


@router.get("/insurance/official-resettlements", response=list[OfficialRunOut])
def official_resettlements(
    request: HttpRequest, limit: int = Query(50, ge=1, le=MAX_LIMIT)
) -> list[OfficialResettlement]:
    """本辖区的按新身份重算（新的在前）."""
    runs = list(selectors.official_runs(request.user)[:limit])
    for run in runs:
        official.recover_abandoned(run)
    return runs


@router.get("/insurance/official-resettlements/{pk}", response=OfficialRunOut)
def official_resettlement(request: HttpRequest, pk: Id) -> OfficialResettlement:
    """一次按新身份重算：状态、步骤、已重算/总笔数、有变化笔数、结果说明."""
    return _official_run(request, pk)


@router.get("/insurance/official-resettlements/{pk}/changes", response=OfficialChangePage)
def official_resettlement_changes(
    request: HttpRequest,
    pk: Id,
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> dict:
    """重算改变了的结算单（身份证号脱敏）：人员类别、慢性病类别和各部分（分）重算前 → 后；按区划排序分页."""
    run = _official_run(request, pk)
    changes = selectors.official_changes(request.user, run)
    return {"count": changes.count(), "items": list(changes[offset : offset + limit])}


@router.get("/insurance/official-resettlements/{pk}/changes.xlsx")
def official_resettlement_export(
    request: HttpRequest, pk: Id, unmasked: bool = False
) -> HttpResponse:
    """重算变化导出 xlsx（与页面相同）；unmasked=true 为完整身份证号（需权限，记入审计日志）."""
    run = _official_run(request, pk)
    if unmasked and not request.user.may_unmask:
        raise HttpError(403, "无权导出完整身份证号")
    return exports.official_changes_xlsx(request, request.user, run, unmasked=unmasked)


# -- 低保/特困名单导入 ------------------------------------------------------------------------------
class IdentityRowOut(Schema):
    row: int
    id_number: str = Field(description="脱敏身份证号")
    name: str
    identity: str = Field(description="dibao（低保）或 tekun（特困）；有误时可为空")
    start: str | None
    end: str | None = Field(description="空为至今")
    reason: str
    errors: list[dict] = Field(description="本行的问题：列、原因")

    @staticmethod
    def resolve_row(obj: IdentityImportRow) -> int:
        return obj.row_no

    @staticmethod
    def resolve_id_number(obj: IdentityImportRow) -> str:
        return mask(obj.id_number) if obj.id_number else ""

    @staticmethod
    def resolve_name(obj: IdentityImportRow) -> str:
        return obj.name or ""

    @staticmethod
    def resolve_identity(obj: IdentityImportRow) -> str:
        return obj.identity or ""

    @staticmethod
    def resolve_start(obj: IdentityImportRow) -> str | None:
        return obj.start.isoformat() if obj.start else None

    @staticmethod
    def resolve_end(obj: IdentityImportRow) -> str | None:
        return obj.end.isoformat() if obj.end else None

    @staticmethod
    def resolve_reason(obj: IdentityImportRow) -> str:
        return obj.reason or ""

    @staticmethod
    def resolve_errors(obj: IdentityImportRow) -> list[dict]:
        return [{"column": c, "reason": reason} for c, reason in obj.errors]


class IdentityImportOut(Schema):
    id: int
    filename: str
    state: str
    state_name: str
    step: str = Field(
        description="读取校验进行到哪一步（state 为 reading 时），如“第 2/4 步：查找人员（按身份证号）”"
    )
    message: str
    rows_total: int
    rows_done: int = Field(
        description="后台读取校验当前这一步已处理的行数（state 为 reading 时；总数为 rows_total）"
    )
    percent: int = Field(description="读取校验当前这一步的进度（%）")
    rows_rejected: int
    faults: list[dict] = Field(
        description="有误的行（最多 500 行；全部见页面的错误清单 xlsx）：行号、列、原因"
    )
    preview: list[IdentityRowOut] = Field(description="预览：前 500 行（身份证号脱敏）")

    @staticmethod
    def resolve_state_name(obj: IdentityImport) -> str:
        return obj.get_state_display()

    @staticmethod
    def resolve_faults(obj: IdentityImport) -> list[dict]:
        rows = obj.rows.exclude(errors=[]).order_by("row_no")[:MAX_LIMIT]
        return [
            {"row": r.row_no, "column": c, "reason": reason} for r in rows for c, reason in r.errors
        ]

    @staticmethod
    def resolve_preview(obj: IdentityImport) -> list[IdentityImportRow]:
        return list(obj.rows.order_by("row_no")[:MAX_LIMIT])


def _identity_job(request: HttpRequest, pk: int) -> IdentityImport:
    job = selectors.identity_import(request.user, pk)
    identity_import.recover_abandoned(job)  # a check whose worker died is failed with the reason
    return job


@router.post("/insurance/identity-imports", response={201: IdentityImportOut})
def identity_upload(request: HttpRequest, file: File[UploadedFile]) -> Status:
    """上传低保、特困名单（xlsx/xls/csv）：后台读取校验（state 为 reading 时轮询 `{pk}`），暂存、预览，不登记."""
    job = _start_upload(request, identity_import, file)
    return Status(201, selectors.identity_import(request.user, job.pk))


@router.get("/insurance/identity-imports/{pk}", response=IdentityImportOut)
def identity_import_status(request: HttpRequest, pk: Id) -> IdentityImport:
    """一次名单导入：状态、步骤（第 n/N 步）及其已处理/总行数、有误的行和预览."""
    return _identity_job(request, pk)


@router.post("/insurance/identity-imports/{pk}/confirm", response=IdentityImportOut)
def identity_import_confirm(request: HttpRequest, pk: Id) -> IdentityImport:
    """确认登记全部期间（一个事务，全部或全不）；结算按每笔入院当日的身份."""
    job = _identity_job(request, pk)
    try:
        identity_import.merge(job, user=request.user, request=request)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "无权登记") from None
    except identity_import.ImportRefused as exc:
        raise _422(str(exc), "state") from None
    return selectors.identity_import(request.user, pk)
