"""低保/特困期间导入: a civil-affairs list of dated 低保/特困 periods through staging → validation →
preview → merge, like the other imports. Columns: 身份证号, 姓名, 身份 (低保/特困), 起始日期, 终止日期
(blank: still so), 依据. Persons are linked by ID number only (never by name) inside the user's
area; dates are checked (real, not in the future, end ≥ start); a period overlapping one already
recorded, or another row of the file, for the same person and identity is refused. Any faulty row
keeps the whole file out; the merge records every period through
`registry.services.record_identity_period` in one transaction — all or nothing.

The file is read and checked in the background (`start_import` queues `tasks.identity_stage_task`
once the job row commits): the upload request only stores it, the page and `GET
/api/v1/insurance/identity-imports/{pk}` poll the numbered step and its rows done / total."""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import transaction
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
    require_writer,
)
from fupin.bounds import BoundsError, parse_date, today
from fupin.registry import services
from fupin.registry.choices import SpecialIdentity
from fupin.registry.idnumber import IdNumberError, parse_id_number
from fupin.registry.models import IdentityPeriod, Person
from fupin.sheets import reader
from fupin.sheets.reader import Field, check_upload_size, norm, upload_limits

from . import uploadjob
from .models import IdentityImport, IdentityImportRow, ImportState

IDENTITIES = {norm(k): v for k, v in {"低保": "dibao", "低保对象": "dibao", "低保户": "dibao", "dibao": "dibao",
                                      "特困": "tekun", "特困供养": "tekun", "特困供养人员": "tekun",
                                      "特困人员": "tekun",
                                      "tekun": "tekun"}.items()}  # fmt: skip
FIELDS = [
    Field("id_number", "身份证号", ("身份证号", "身份证号码", "公民身份号码", "证件号码"), True, kind="id",
          example="{county}198001010014"),
    Field("name", "姓名", ("姓名", "人员姓名", "保障对象姓名"), example="张三"),
    Field("identity", "身份", ("身份", "特殊身份", "保障类别", "救助类别"), True, choices=IDENTITIES, example="低保"),
    Field("start", "起始日期", ("起始日期", "开始日期", "享受起始日期", "认定日期", "纳入日期"), True,
          example="2018-07-01"),
    Field("end", "终止日期", ("终止日期", "结束日期", "退出日期", "享受终止日期"), example=""),
    Field("reason", "依据", ("依据", "审批文号", "批准文号", "认定依据"), True, example="浮民发〔2018〕12号"),
]  # fmt: skip
LIMITS = {"name": 50, "reason": 300}


class ImportRefused(ValueError):
    """The job cannot go on; Chinese message."""


LIVENESS = "insurance.identityimport"
ABANDONED = "读取校验时后台进程意外退出（如内存耗尽或进程被终止），未登记任何期间：请重新上传。"
PROGRESS_EVERY = 500  # rows between progress reports (the reporter also throttles by time)


def create_import(*, user: User, filename: str, content: bytes) -> IdentityImport:
    require_writer(user)
    check_upload_size(len(content))
    return IdentityImport.objects.create(filename=os.path.basename(filename)[:200], content=content,
                                         area_code=area_code_of(user) or "", created_by=user,
                                         step=uploadjob.QUEUED)  # fmt: skip


def start_import(*, user: User, filename: str, content: bytes) -> IdentityImport:
    """Store the upload and queue its reading and checking once the job row is committed; the
    request returns at once. PermissionDenied / FileFault (Chinese) as `create_import` raises them."""
    job = create_import(user=user, filename=filename, content=content)
    transaction.on_commit(lambda: identity_stage_task.enqueue(job.pk, user.pk))
    return job


def run_stage(job: IdentityImport, *, user: User) -> None:
    """The background reading and checking of an upload (`uploadjob.run`)."""
    uploadjob.run(IdentityImport, LIVENESS, job, stage, user=user)


def fail(job_id: int, message: str) -> None:
    uploadjob.fail(IdentityImport, job_id, message)


def recover_abandoned(job: IdentityImport) -> bool:
    """An upload left "reading" by a dead process → failed with the reason; True if it was."""
    return uploadjob.recover_abandoned(IdentityImport, LIVENESS, job, ABANDONED)


def _cell(f: Field, raw: object) -> tuple[object, str | None]:
    if f.kind == "id":
        return (None if raw in (None, "") else reader.id_cell(raw)), None
    text = reader.cell_text(raw)
    if text is None:
        return None, None
    if f.choices:
        code = f.choices.get(norm(text))
        if code is None:
            return None, f"“{text[:20]}”无法识别，应为：低保、特困"
        return code, None
    if f.name in LIMITS and len(text) > LIMITS[f.name]:
        return None, f"内容过长（最多{LIMITS[f.name]}个字）"
    if f.name in ("start", "end"):
        try:
            day = parse_date(text, f.label)
        except BoundsError as exc:
            return None, str(exc)
        if day > today():
            return None, f"{f.label} {day} 晚于今天"
        return day, None
    return text, None


STEPS = (uploadjob.ROW_CHECK, "查找人员（按身份证号）", "核对期间重叠", "写入预览")


def stage(job: IdentityImport, *, user: User) -> IdentityImport:
    """Read and check the file into staging, reporting each numbered step with rows done / total
    (`uploadjob.Steps`); no period is recorded yet."""
    IdentityImport.objects.filter(pk=job.pk).update(step=uploadjob.READING, rows_done=0)
    try:
        rows = reader.raw_rows(bytes(job.content), job.filename, upload_limits())
        table = reader.find_table(rows, FIELDS)
    except reader.FileFault as exc:
        IdentityImport.objects.filter(pk=job.pk).update(
            state=ImportState.FAILED, message=str(exc), step=""
        )
        job.refresh_from_db()
        return job
    by_name = {f.name: f for f in FIELDS}
    header = lambda name: table.headers.get(name, by_name[name].label)  # noqa: E731
    staged: list[dict] = []
    steps = uploadjob.Steps(IdentityImport, job.pk, STEPS, len(table.rows))
    try:
        for row_no, cells in table.rows:
            if len(staged) % PROGRESS_EVERY == 0:
                steps(uploadjob.ROW_CHECK, len(staged))
            staged.append(_check_row(row_no, cells, table, by_name, header))
        steps(uploadjob.ROW_CHECK, len(staged))
        _validate(staged, header, user, steps)
        with transaction.atomic():
            IdentityImportRow.objects.filter(job=job).delete()
            for batch in steps.batches(STEPS[-1], staged):
                IdentityImportRow.objects.bulk_create(_row(job, v) for v in batch)
            steps.close()  # before the final state: never two writers of the job row at once
            IdentityImport.objects.filter(pk=job.pk).update(
                state=ImportState.READY if staged else ImportState.FAILED, rows_total=len(staged),
                rows_rejected=sum(1 for v in staged if v["errors"]), message="" if staged else "文件中没有数据行",
                rows_done=len(staged), step="",
            )  # fmt: skip
    finally:
        steps.close()
    job.refresh_from_db()
    return job


def _check_row(
    row_no: int,
    cells: list,
    table: reader.Table,
    by_name: dict[str, Field],
    header: Callable[[str], str],
) -> dict:
    """One row of the file with the faults of its own cells."""
    v: dict = {"row_no": row_no, "errors": []}
    for name, j in table.columns.items():
        value, fault = _cell(by_name[name], cells[j] if j < len(cells) else None)
        if fault:
            v["errors"].append([header(name), fault])
        elif value is None and by_name[name].required:
            v["errors"].append([header(name), "必填项为空"])
        else:
            v[name] = value
    for name in ("id_number", "identity", "start", "reason"):  # a required column not in the file
        if name not in table.columns:
            v["errors"].append([by_name[name].label, "文件中没有这一列"])
    if v.get("id_number") is not None:
        try:
            v["id_number"] = parse_id_number(v["id_number"]).value
        except IdNumberError as exc:
            v["errors"].append([header("id_number"), str(exc)])
            v["id_number"] = None
    if v.get("start") and v.get("end") and v["end"] < v["start"]:
        v["errors"].append([header("end"), f"终止日期 {v['end']} 早于起始日期 {v['start']}"])
    return v


def _row(job: IdentityImport, v: dict) -> IdentityImportRow:
    return IdentityImportRow(
        job=job,
        row_no=v["row_no"],
        errors=v["errors"],
        id_number=v.get("id_number"),
        name=v.get("name"),
        person_id=v.get("person_id"),
        identity=v.get("identity"),
        start=v.get("start"),
        end=v.get("end"),
        reason=v.get("reason"),
    )


def _overlaps(
    a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None
) -> bool:
    far = today().replace(year=9999)
    return a_start <= (b_end or far) and b_start <= (a_end or far)


def _validate(
    staged: list[dict], header: Callable[[str], str], user: User, steps: uploadjob.Steps
) -> None:
    """The whole-file checks, in batches of the file's rows with each step's progress."""
    persons: dict[str, Person] = {}
    for batch in steps.batches(STEPS[1], staged):
        uploadjob.link_persons(batch, persons, header, user)
    existing: dict[tuple[int, str], list[IdentityPeriod]] = defaultdict(list)
    read: set[int] = set()
    seen: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for batch in steps.batches(STEPS[2], staged):
        # the recorded periods of the batch's persons not read yet: a later row of a person
        # meets the same periods as the first
        linked = {v["person_id"] for v in batch if v.get("person_id")} - read
        read |= linked
        for period in IdentityPeriod.objects.filter(person_id__in=sorted(linked)):
            existing[(period.person_id, period.identity)].append(period)
        for v in batch:
            if not (v.get("person_id") and v.get("identity") and v.get("start")) or v["errors"]:
                continue
            key = (v["person_id"], v["identity"])
            label = SpecialIdentity(v["identity"]).label
            for other in existing[key]:
                if _overlaps(v["start"], v.get("end"), other.start, other.end):
                    v["errors"].append([header("start"), f"{label}期间与已登记的 {other} 重叠"])
                    break
            for earlier in seen[key]:
                if _overlaps(v["start"], v.get("end"), earlier["start"], earlier.get("end")):
                    v["errors"].append(
                        [header("start"), f"与本文件第 {earlier['row_no']} 行的{label}期间重叠"]
                    )
                    break
            seen[key].append(v)


def merge(job: IdentityImport, *, user: User, request: HttpRequest | None = None) -> int:
    """Record every staged period — one transaction, all or nothing. Returns the number recorded."""
    require_writer(user)
    with transaction.atomic():
        job = IdentityImport.objects.select_for_update().get(pk=job.pk)
        if job.state != ImportState.READY:
            raise ImportRefused(f"导入任务当前状态为“{job.get_state_display()}”，不能确认入库")
        if job.rows_rejected:
            raise ImportRefused(
                f"文件有 {job.rows_rejected} 行有误：全部改正后重新上传，整个文件才能入库（全部或全不）"
            )
        if job.area_code and not area_code_in_scope(user, job.area_code):
            raise PermissionDenied("该导入任务不在本辖区")
        rows = list(
            IdentityImportRow.objects.filter(job=job).select_related("person").order_by("row_no")
        )
        for r in rows:
            try:
                services.record_identity_period(
                    user=user,
                    person=r.person,
                    identity=r.identity,
                    start=r.start,
                    end=r.end,
                    reason=r.reason,
                    request=request,
                )
            except services.Conflict as exc:  # recorded by someone else since the preview
                raise ImportRefused(
                    f"第 {r.row_no} 行：{exc}；整个文件未入库，请重新上传校验"
                ) from exc
        IdentityImport.objects.filter(pk=job.pk).update(
            state=ImportState.DONE, merged_at=timezone.now(), merged_by=user
        )
        record(AuditAction.IMPORT, user=user, request=request, obj=job,
               summary=f"导入低保特困期间“{job.filename}”：{len(rows)} 段")  # fmt: skip
    return len(rows)


# The background check of a list (queued by `start_import` once the job row commits), defined
# beside the code it runs, and listed in `tasks` for the worker.
@task()
def identity_stage_task(job_id: int, user_id: int) -> dict:
    job = IdentityImport.objects.get(pk=job_id)
    try:
        user = acting_user(user_id, job.area_code or None)
    except OutOfScope as exc:
        fail(job_id, f"不能读取校验：{exc}")
        return {}
    run_stage(job, user=user)
    return {}
