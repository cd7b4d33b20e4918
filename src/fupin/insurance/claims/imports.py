"""结算数据导入: hospital or insurance settlement files through staging → validation → preview → merge.

The file is read only through `fupin.sheets.read.read_cells` (via `fupin.sheets.reader`), its
header found by synonyms as other imports do. Every row lands in staging (`ClaimImportRow`) with
its faults; each claim is linked to a registry person by the ID number (normalised by
`parse_id_number`) and never by name — an unknown number is listed, not guessed. The claim
columns are checked by the settlement engine's own validator (`fupin.policy.parse_claims`) with
the category and chronic class of the admission day read from the registry and the certificate.
A file with any faulty row cannot be merged; the merge inserts the claims and settles every
person-year they touch in one transaction — all or nothing.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django_tasks import task

from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import (
    OutOfScope,
    acting_user,
    area_code_in_scope,
    area_code_of,
    home_area_code,
    require_writer,
)
from fupin.bounds import today
from fupin.policy import ClaimsError, parse_claims
from fupin.policy.claims import COLUMNS, MAX_YUAN_DIGITS, OPTIONAL_COLUMNS
from fupin.policy.regions import admits_maternity, maternity_refusal
from fupin.registry.idnumber import IdNumberError, mask, parse_id_number
from fupin.registry.models import Person
from fupin.sheets import reader
from fupin.sheets.reader import Field, check_upload_size, norm, upload_limits

from . import settle, trails, uploadjob
from .models import ClaimImport, ClaimImportRow, ImportState, MedicalClaim, VisitType

VISITS = {norm(k): v for k, v in {
    "住院": VisitType.INPATIENT, "普通住院": VisitType.INPATIENT, "inpatient": VisitType.INPATIENT,
    "住院结算": VisitType.INPATIENT,
    "门诊慢性病": VisitType.CHRONIC, "门诊特殊慢性病": VisitType.CHRONIC, "慢性病门诊": VisitType.CHRONIC,
    "门诊慢特病": VisitType.CHRONIC,
    "特殊慢性病门诊": VisitType.CHRONIC, "chronic_outpatient": VisitType.CHRONIC,
    "住院分娩": VisitType.MATERNITY, "生育": VisitType.MATERNITY, "生育住院": VisitType.MATERNITY,
    "分娩": VisitType.MATERNITY,
    "住院分娩（含新生儿）": VisitType.MATERNITY, "maternity": VisitType.MATERNITY}.items()}  # fmt: skip
TRANSFERS = {
    norm(k): v for k, v in {"是": "1", "1": "1", "转院": "1", "否": "0", "0": "0", "": "0"}.items()
}
LEVELS = {norm(k): v for k, v in {"1": 1, "一级": 1, "一级医院": 1, "乡镇卫生院": 1, "2": 2, "二级": 2, "二级医院": 2,
                                  "3": 3, "三级": 3, "三级医院": 3}.items()}  # fmt: skip
FIELDS = [
    Field(
        "claim_no",
        "结算单号",
        ("结算单号", "结算编号", "结算流水号", "单据号", "结算单据号", "就诊流水号"),
        True,
        example="ZY2018000001",
    ),
    Field(
        "id_number",
        "身份证号",
        ("身份证号", "身份证号码", "公民身份号码", "证件号码", "证件号", "社会保障号码"),
        True,
        kind="id",
        example="{county}198001010014",
    ),
    Field("name", "姓名", ("姓名", "患者姓名", "参保人姓名", "人员姓名"), example="张三"),
    Field(
        "hospital",
        "医院名称",
        ("医院名称", "定点医疗机构", "医疗机构名称", "就诊医院", "医院"),
        example="浮梁县人民医院",
    ),
    Field(
        "visit_type",
        "就诊类型",
        ("就诊类型", "结算类型", "医疗类别", "就医类型"),
        True,
        choices=VISITS,
        example="住院",
    ),
    Field(
        "hospital_level",
        "医院级别",
        ("医院级别", "医疗机构级别", "医院等级"),
        True,
        choices={k: str(v) for k, v in LEVELS.items()},
        example="二级",
    ),
    Field(
        "disease_code", "疾病编码", ("疾病编码", "诊断编码", "ICD编码", "主诊断编码"), example="C16"
    ),
    Field(
        "admission_date",
        "入院日期",
        ("入院日期", "就诊日期", "入院时间"),
        True,
        example="2018-03-02",
    ),
    Field(
        "total_cost",
        "总费用",
        ("总费用", "医疗总费用", "费用总额", "总金额"),
        True,
        example="12000.00",
    ),
    Field(
        "in_policy_cost",
        "政策范围内费用",
        ("政策范围内费用", "政策内费用", "符合政策范围费用", "合规费用"),
        True,
        example="10000.00",
    ),
    Field(
        "rehab_cost",
        "康复项目费用",
        ("康复项目费用", "新增医疗康复项目费用", "医疗康复项目费用", "康复费用"),
        example="0.00",
    ),
    Field(
        "transfer",
        "转院接续",
        ("转院接续", "是否转院", "转院", "转院接续住院"),
        choices=TRANSFERS,
        example="否",
    ),
]
LIMITS = {"claim_no": 40, "name": 50, "hospital": 100, "disease_code": 20}
ENGINE_COLUMNS = {"claim_id": "claim_no", "person_id": "id_number", "category": "id_number",
                  "chronic_class": "visit_type",
                  "visit_type": "visit_type", "hospital_level": "hospital_level", "disease_code": "disease_code",
                  "admission_date": "admission_date", "total_cost": "total_cost", "in_policy_cost": "in_policy_cost",
                  "rehab_cost": "rehab_cost", "transfer": "transfer"}  # fmt: skip


class ImportRefused(ValueError):
    """The job cannot go on (wrong state, faulty rows, permission); Chinese message."""


def create_import(*, user: User, filename: str, content: bytes) -> ClaimImport:
    require_writer(user)
    check_upload_size(len(content))
    return ClaimImport.objects.create(
        filename=os.path.basename(filename)[:200],
        content=content,
        area_code=area_code_of(user) or "",
        created_by=user,
        step=uploadjob.QUEUED,
    )


def start_import(*, user: User, filename: str, content: bytes) -> ClaimImport:
    """Store the upload and queue its reading and checking once the job row is committed: the
    request returns at once, the page polls the job (a 300,000-row file never holds a request).

    PermissionDenied / FileFault (Chinese) as `create_import` raises them."""
    job = create_import(user=user, filename=filename, content=content)
    transaction.on_commit(lambda: stage_task.enqueue(job.pk, user.pk))
    return job


LIVENESS = "insurance.claimimport"
PROGRESS_EVERY = 500  # rows between progress reports (the reporter also throttles by time)
ABANDONED = "读取校验时后台进程意外退出（如内存耗尽或进程被终止），未写入任何结算单：请重新上传。"


def run_stage(job: ClaimImport, *, user: User) -> None:
    """The background reading and checking of an upload (`uploadjob.run`)."""
    uploadjob.run(ClaimImport, LIVENESS, job, stage, user=user)


def fail(job_id: int, message: str) -> None:
    uploadjob.fail(ClaimImport, job_id, message)


def recover_abandoned(job: ClaimImport) -> bool:
    """An upload left "reading" by a dead process → failed with the reason; True if it was."""
    return uploadjob.recover_abandoned(ClaimImport, LIVENESS, job, ABANDONED)


def _step(job: ClaimImport, text: str, **fields) -> None:
    ClaimImport.objects.filter(pk=job.pk).update(step=text, **fields)


def _cell(f: Field, raw: object) -> tuple[object, str | None]:
    if f.kind == "id":
        return (None if raw in (None, "") else reader.id_cell(raw)), None
    text = reader.cell_text(raw)
    if text is None:
        return None, None
    if f.choices:
        code = f.choices.get(norm(text))
        if code is None:
            labels = "、".join(dict.fromkeys(k for k in f.choices if not k.isascii()))
            return None, f"“{text}”无法识别，应为：{labels}"
        return code, None
    if f.name in LIMITS and len(text) > LIMITS[f.name]:
        return None, f"内容过长（最多{LIMITS[f.name]}个字）"
    if f.name in ("total_cost", "in_policy_cost", "rehab_cost") and len(text) > MAX_YUAN_DIGITS + 4:
        return None, f"不是金额（以元为单位，最多两位小数、{MAX_YUAN_DIGITS} 位整数）：{text[:20]}"
    return text, None


STEPS = (
    uploadjob.ROW_CHECK,
    "查找人员（按身份证号）",
    "核对入院当日的人员类别和慢性病医疗证",
    "查找已入库的结算单号",
    "按结算规则校验费用和日期",
    "写入预览",
)


def stage(job: ClaimImport, *, user: User) -> ClaimImport:
    """Read and check the file into staging, reporting each numbered step with rows done / total
    (`uploadjob.Steps`) so the page shows a percentage; nothing is stored as a claim yet."""
    _step(job, uploadjob.READING, rows_done=0)
    try:
        rows = reader.raw_rows(bytes(job.content), job.filename, upload_limits())
        table = reader.find_table(rows, FIELDS)
    except reader.FileFault as exc:
        ClaimImport.objects.filter(pk=job.pk).update(
            state=ImportState.FAILED, message=str(exc), step=""
        )
        job.refresh_from_db()
        return job
    by_name = {f.name: f for f in FIELDS}
    header = lambda name: table.headers.get(name, by_name[name].label)  # noqa: E731
    staged: list[dict] = []
    steps = uploadjob.Steps(ClaimImport, job.pk, STEPS, len(table.rows))
    try:
        for row_no, cells in table.rows:
            if len(staged) % PROGRESS_EVERY == 0:
                steps(uploadjob.ROW_CHECK, len(staged))
            values: dict = {"row_no": row_no, "errors": []}
            for name, j in table.columns.items():
                value, fault = _cell(by_name[name], cells[j] if j < len(cells) else None)
                if fault:
                    values["errors"].append([header(name), fault])
                elif value is None and by_name[name].required:
                    values["errors"].append([header(name), "必填项为空"])
                else:
                    values[name] = value
            if values.get("id_number") is not None:
                try:
                    values["id_number"] = parse_id_number(values["id_number"]).value
                except IdNumberError as exc:
                    values["errors"].append([header("id_number"), str(exc)])
                    values["id_number"] = None
            staged.append(values)
        steps(uploadjob.ROW_CHECK, len(staged))
        unknown = _validate(staged, header, user, steps)
        with transaction.atomic():
            ClaimImportRow.objects.filter(job=job).delete()
            for batch in steps.batches(STEPS[-1], staged):
                ClaimImportRow.objects.bulk_create(_row(job, v) for v in batch)
            steps.close()  # before the final state: never two writers of the job row at once
            ClaimImport.objects.filter(pk=job.pk).update(
                state=ImportState.READY if staged else ImportState.FAILED,
                rows_total=len(staged),
                rows_done=len(staged),
                rows_rejected=sum(1 for v in staged if v["errors"]),
                unknown_persons=unknown,
                validated_at=timezone.now(),
                message="" if staged else "文件中没有结算单",
                step="",
            )
    finally:
        steps.close()
    job.refresh_from_db()
    return job


def _row(job: ClaimImport, v: dict) -> ClaimImportRow:
    return ClaimImportRow(
        job=job,
        row_no=v["row_no"],
        errors=v["errors"],
        claim_no=v.get("claim_no"),
        id_number=v.get("id_number"),
        name=v.get("name"),
        person_id=v.get("person_id"),
        village_code=v.get("village_code"),
        hospital=v.get("hospital"),
        visit_type=v.get("visit_type"),
        hospital_level=v.get("hospital_level"),
        disease_code=v.get("disease_code"),
        admission_date=v.get("_date"),
        total_fen=v.get("_total"),
        in_policy_fen=v.get("_in"),
        rehab_fen=v.get("_rehab"),
        transfer=v.get("_transfer"),
    )


def _validate(
    staged: list[dict], header: Callable[[str], str], user: User, steps: uploadjob.Steps
) -> list[list]:
    """Set-based checks, in batches of the file's rows with each step's progress; faults go to
    each row's `errors`. Returns the unknown persons listed."""
    persons: dict[str, Person] = {}
    unknown: list[list] = []
    for batch in steps.batches(STEPS[1], staged):
        missing = uploadjob.link_persons(batch, persons, header, user, not_linked="：本行未导入")
        unknown += [[v["row_no"], mask(v["id_number"]), v.get("name") or ""] for v in missing]
    for v in staged:
        try:
            v["_day"] = dt.date.fromisoformat(v.get("admission_date") or "")
        except ValueError:
            v["_day"] = None
    policy = settle.county_policy()
    last = today()
    categories: dict = {}
    classes: dict = {}
    for batch in steps.batches(STEPS[2], staged):  # each person's days looked up on their own
        linked = [v for v in batch if v.get("person_id") and v["_day"]]
        day_of, class_of = settle.identity_of(
            {v["person_id"] for v in linked},
            [(v["person_id"], v["_day"], v.get("visit_type")) for v in linked],
        )
        categories |= day_of
        classes |= class_of
        for v in linked:
            if v["_day"] > last:
                v["errors"].append([header("admission_date"), f"入院日期 {v['_day']} 晚于今天"])
            elif policy.span_of(v["_day"]) is None:
                v["errors"].append([header("admission_date"), policy.refusal(v["_day"])])
            elif v.get("visit_type") == VisitType.MATERNITY:
                span = policy.spans[policy.span_of(v["_day"])]
                if not admits_maternity(span.pack):
                    v["errors"].append([header("visit_type"), maternity_refusal(span.text())])
            if (
                v.get("visit_type") == VisitType.CHRONIC
                and (v["person_id"], v["_day"]) not in classes
            ):
                v["errors"].append(
                    [
                        header("visit_type"),
                        f"该人员入院当日（{v['_day']}）无有效慢性病医疗证，不能按门诊慢性病结算",
                    ]
                )
    for batch in steps.batches(STEPS[3], staged):
        numbers = [v["claim_no"] for v in batch if v.get("claim_no")]
        taken = set(
            MedicalClaim.objects.filter(claim_no__in=numbers).values_list("claim_no", flat=True)
        )
        for v in batch:
            if v.get("claim_no") in taken:
                v["errors"].append(
                    [header("claim_no"), f"结算单号 {v['claim_no']} 已入库，不能重复导入"]
                )
    # The claim columns through the engine's own validator, the identity of the day filled in;
    # one call over the whole file (a claim number twice in it is a fault), so the step shows
    # its rows only when it is done.
    steps(STEPS[4], 0)
    some_class = (
        next(iter(policy.packs[-1].medical.chronic.classes), None)
        if policy.packs[-1].medical.chronic
        else None
    )
    records = []
    for v in staged:
        key = (v.get("person_id"), v.get("_day"))
        day = categories.get(key)
        records.append({
            "claim_id": v.get("claim_no"), "person_id": str(v.get("person_id") or v.get("id_number") or "?"),
            "category": day.category if day else "general", "visit_type": v.get("visit_type"),
            "hospital_level": v.get("hospital_level"), "chronic_class": classes.get(key, some_class),
            "disease_code": v.get("disease_code"), "admission_date": v.get("admission_date"),
            "total_cost": v.get("total_cost"), "in_policy_cost": v.get("in_policy_cost"),
            "rehab_cost": v.get("rehab_cost"), "transfer": v.get("transfer"),
        })  # fmt: skip
    names = (*COLUMNS, *OPTIONAL_COLUMNS)
    frame = pl.DataFrame(
        [{c: (None if r[c] is None else str(r[c])) for c in names} for r in records],
        schema=dict.fromkeys(names, pl.String),
        orient="row",
    )
    try:
        typed = parse_claims(frame, policy, first_row=0, max_faults=None)  # every row marked
    except ClaimsError as exc:
        steps(STEPS[4], len(staged))
        for fault in exc.faults:
            if fault.row is None:
                continue
            v = staged[fault.row]
            column = header(ENGINE_COLUMNS.get(fault.column or "", "claim_no"))
            if not any(e[0] == column for e in v["errors"]):  # the cell's own fault is said once
                v["errors"].append([column, fault.message])
        return unknown
    steps(STEPS[4], len(staged))
    for v, total, inpol, day, rehab, transfer in zip(
        staged, typed["total_cost"], typed["in_policy_cost"], typed["admission_date"],
        typed["rehab_cost"], typed["transfer"], strict=True,
    ):  # fmt: skip
        v["_total"], v["_in"], v["_date"], v["_rehab"], v["_transfer"] = (
            total,
            inpol,
            day,
            rehab,
            transfer,
        )
    return unknown


def merge(job: ClaimImport, *, user: User, request: HttpRequest | None = None) -> dict:
    """Store the staged claims and settle every person-year they touch — one transaction."""
    require_writer(user)
    try:
        with transaction.atomic():
            job = ClaimImport.objects.select_for_update().get(pk=job.pk)
            if job.state != ImportState.READY:
                raise ImportRefused(f"导入任务当前状态为“{job.get_state_display()}”，不能确认入库")
            if job.rows_rejected:
                raise ImportRefused(
                    f"文件有 {job.rows_rejected} 行有误：全部改正后重新上传，整个文件才能入库（全部或全不）"
                )
            if job.area_code and not area_code_in_scope(user, job.area_code):
                raise PermissionDenied("该导入任务不在本辖区")
            rows = list(ClaimImportRow.objects.filter(job=job).order_by("row_no"))
            claims = [MedicalClaim(claim_no=r.claim_no, person_id=r.person_id, village_code=r.village_code, job=job,
                                   hospital=r.hospital or "", visit_type=r.visit_type, hospital_level=r.hospital_level,
                                   disease_code=(r.disease_code or "").upper(), admission_date=r.admission_date,
                                   year=r.admission_date.year, total_fen=r.total_fen, in_policy_fen=r.in_policy_fen,
                                   rehab_fen=r.rehab_fen or 0, transfer=bool(r.transfer))
                      for r in rows]  # fmt: skip
            MedicalClaim.objects.bulk_create(claims, batch_size=2000)
            settled = settle.settle_person_years({(c.person_id, c.year) for c in claims})
            # The trails of the person-years settled: written in the background after commit.
            trails.queue_fill(
                user=user, area_code=job.area_code or home_area_code(user), claim_import=job
            )
            ClaimImport.objects.filter(pk=job.pk).update(
                state=ImportState.DONE, merged_at=timezone.now(), merged_by=user
            )
            record(
                AuditAction.IMPORT,
                user=user,
                request=request,
                obj=job,
                summary=f"导入医疗费用结算数据“{job.filename}”：新增结算单 {len(claims)} 笔，重新结算 {settled} 笔",
            )
    except IntegrityError as exc:
        raise ImportRefused(
            "预览之后有结算单号已被其他导入入库：请重新上传文件校验后再确认"
        ) from exc
    except ClaimsError as exc:
        raise ImportRefused(f"结算未通过，未入库：{exc.text(codes=False)}") from exc
    job.refresh_from_db()
    return {"claims": len(claims), "settled": settled}


# The job the start above queues after commit, acting for the user who started it; defined here,
# beside the code it runs, and listed in `tasks` for the worker.
@task()
def stage_task(job_id: int, user_id: int) -> dict:
    job = ClaimImport.objects.get(pk=job_id)
    try:
        user = acting_user(user_id, job.area_code or None)
    except OutOfScope as exc:
        fail(job_id, f"不能读取校验：{exc}")
        return {}
    run_stage(job, user=user)
    return {}
