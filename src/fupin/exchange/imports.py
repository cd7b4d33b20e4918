"""Imports (导入): read → staging → set-based validation → preview → merge in one transaction.

The openIMIS pattern: every data row lands in the staging table (ImportRow) with its
verdict (new / changed / unchanged / rejected and why); the registry is only touched when
the user confirms, and then in one transaction — all or nothing. Nothing here loops over
the ORM row by row: the registry is read in a few chunked queries into Polars frames,
checks are joins and group-bys, and the merge is bulk inserts plus UPDATE … FROM staging.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field

import polars as pl
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from fupin import liveness
from fupin.access.audit import record
from fupin.access.models import AuditAction, Role
from fupin.access.scope import area_code_of
from fupin.areas.models import Area, Level
from fupin.registry.choices import TRANSITIONS, Relation, Status
from fupin.registry.duplicates import registered_elsewhere
from fupin.registry.idnumber import PROVINCES, IdNumberError, clean, mask, parse_id_number
from fupin.registry.models import Household, Person, StatusChange
from fupin.registry.services import refresh_household_summary

from . import bulk, reader
from .models import Action, EnrolmentRecord, ImportJob, ImportRow, JobState, Kind
from .sources import BOOL, FIELDS, Field, norm

Progress = Callable[[str, int, int], None]
CHUNK = 2000
ENROLMENT_KINDS = {Kind.PENSION, Kind.MEDICAL}
LIST_FLAGS = {Kind.DIBAO: "dibao", Kind.TEKUN: "tekun"}
GRADES = {
    "1": 1,
    "一级": 1,
    "1级": 1,
    "2": 2,
    "二级": 2,
    "2级": 2,
    "3": 3,
    "三级": 3,
    "3级": 3,
    "4": 4,
    "四级": 4,
    "4级": 4,
}
MAX_LENGTH = {
    f.name: f.max_length for f in ImportRow._meta.concrete_fields if getattr(f, "max_length", None)
}
# The household and person columns a roster may overwrite (NULL in staging = not given).
HOUSEHOLD_COLUMNS = ["village_code", "address", "phone", "attribute", "standard", "year_identified",
                     "main_cause", "exit_year"]  # fmt: skip
PERSON_COLUMNS = [
    "name",
    "relation",
    "ethnicity",
    "education",
    "health",
    "labour_skill",
    "work_status",
]
ENROLMENT_COLUMNS = [
    "name",
    "area_code",
    "enrolment_status",
    "poverty_tag",
    "premium_subsidy",
    "deceased",
]


class ImportRefused(ValueError):
    """The job cannot go on (wrong state, changed registry, no permission); Chinese message."""


@dataclass
class StagedRow:
    row_no: int
    values: dict = field(default_factory=dict)
    errors: list[list[str]] = field(default_factory=list)  # [[column header, reason], …]


def _noop(stage: str, done: int, total: int) -> None:
    pass


def upload_limits() -> reader.Limits:
    """The configured upload size and parser memory (settings), with the reader's other limits."""
    return reader.Limits(
        max_bytes=settings.MAX_UPLOAD_BYTES, memory_bytes=settings.READER_MEMORY_MB * 1024 * 1024
    )


def check_upload_size(size: int) -> None:
    """The one upload-size rule of the page, the API and the command line (FileFault, Chinese)."""
    reader.check_size(size, upload_limits())


def may_import(user, kind: str) -> bool:
    if getattr(user, "read_only", True):
        return False
    if kind in ENROLMENT_KINDS:
        return user.is_superuser or user.role in (Role.ADMIN, Role.COUNTY, Role.INSURANCE)
    return True


# ---------------------------------------------------------------------------------------
# Reading a row's cells into staging values


def _value(f: Field, raw: object) -> tuple[object, str | None]:
    """(normalised value, fault) of one cell."""
    if f.kind == "id":
        if raw is None or raw == "":
            return None, None
        return reader.id_cell(raw), None  # checked later, with the whole column
    text = reader.cell_text(raw)
    if text is None:
        return None, None
    if f.choices:
        code = f.choices.get(norm(text))
        if code is None:
            labels = "、".join(dict.fromkeys(k for k in f.choices if not k.isascii()))
            return None, f"“{text}”无法识别，应为：{labels}"
        return code, None
    if f.kind == "year":
        if not (text.isdigit() and len(text) == 4 and 1980 <= int(text) <= 2100):
            return None, f"“{text}”不是有效年份（应为四位数字，如2016）"
        return int(text), None
    if f.kind == "grade":
        grade = GRADES.get(norm(text))
        if grade is None:
            return None, f"“{text}”不是有效残疾等级（应为1–4级）"
        return grade, None
    if f.kind == "bool":
        flag = BOOL.get(norm(text))
        if flag is None:
            return None, f"“{text}”应为“是”或“否”"
        return flag, None
    if f.kind in ("code12", "area"):
        code = clean(text)
        lengths = (12,) if f.kind == "code12" else (6, 9, 12)
        if not code.isdigit() or len(code) not in lengths:
            return None, f"“{text}”不是有效区划代码（应为{'或'.join(map(str, lengths))}位数字）"
        if code[:2] not in PROVINCES:
            return None, f"区划代码“{code}”的省份代码不存在"
        return code, None
    limit = MAX_LENGTH.get(f.name, 200)
    if len(text) > limit:
        return None, f"内容过长（最多{limit}个字）"
    return text, None


def read_rows(job: ImportJob, progress: Progress = _noop) -> tuple[list[StagedRow], dict[str, str]]:
    fields = FIELDS[job.kind]
    rows = reader.raw_rows(bytes(job.content), job.filename, upload_limits())
    table = reader.find_table(rows, fields)
    by_name = {f.name: f for f in fields}
    total = len(table.rows)
    progress("read", 0, total)
    staged: list[StagedRow] = []
    id_col = table.columns.get("id_number")
    for n, (row_no, cells) in enumerate(table.rows, start=1):
        s = StagedRow(row_no)
        for name, j in table.columns.items():
            raw = cells[j] if j < len(cells) else None
            value, fault = _value(by_name[name], raw)
            if fault:
                s.errors.append([table.headers[name], fault])
            elif value is None and by_name[name].required and name != "village_code":
                s.errors.append([table.headers[name], "必填项为空"])
            else:
                s.values[name] = value
        if id_col is not None and s.values.get("id_number") is not None:
            _check_id(s, table.headers["id_number"], enrolment=job.kind in ENROLMENT_KINDS)
        staged.append(s)
        if n % 5000 == 0:
            progress("read", n, total)
    progress("read", total, total)
    return staged, table.headers


def _check_id(s: StagedRow, header: str, *, enrolment: bool) -> None:
    raw = s.values.pop("id_number")
    try:
        parsed = parse_id_number(raw)
    except IdNumberError as exc:
        text = clean(raw) if not isinstance(raw, float) else ""
        lost = isinstance(raw, float) or "E+" in text
        if (
            enrolment
            and not lost
            and len(text) == 18
            and text[:17].isdigit()
            and text[17] in "0123456789X"
        ):
            # The insurance system's own faulty number is kept: the comparison reports it
            # (invalid_id) and looks for the person it belongs to.
            s.values["id_number"] = text
            return
        s.errors.append([header, str(exc)])
        return
    s.values["id_number"] = parsed.value
    s.values["sex"] = parsed.sex
    s.values["birth_date"] = parsed.birth_date


# ---------------------------------------------------------------------------------------
# Set-based validation


def _chunks(values: list, size: int = CHUNK):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _frame(staged: list[StagedRow], columns: list[str]) -> pl.DataFrame:
    data = {"row_no": [s.row_no for s in staged], "ok": [not s.errors for s in staged]}
    for c in columns:
        data[c] = [s.values.get(c) for s in staged]
    return pl.DataFrame(
        data,
        schema_overrides={
            c: pl.Utf8
            for c in columns
            if c in ("id_number", "household_number", "village_code", "relation")
        },
    )


def _reject(
    by_row: dict[int, StagedRow],
    row_nos,
    column: str,
    reason: str | Callable[[dict], str],
    rows: list[dict] | None = None,
) -> None:
    for i, row_no in enumerate(row_nos):
        text = reason(rows[i]) if callable(reason) else reason
        by_row[row_no].errors.append([column, text])


def _duplicates(df: pl.DataFrame, key: str, by_row, header: str, what: str) -> None:
    dup = (df.filter(pl.col(key).is_not_null()).group_by(key)
           .agg(pl.col("row_no").sort().alias("rows")).filter(pl.col("rows").list.len() > 1))  # fmt: skip
    for rows in dup["rows"].to_list():
        listed = "、".join(map(str, rows))
        _reject(by_row, rows, header, f"{what}在文件中重复出现（第{listed}行）")


def _scope_ok(code: str | None, own: str | None) -> bool:
    return own is None or (code or "").startswith(own)


def validate(
    job: ImportJob,
    staged: list[StagedRow],
    headers: dict[str, str],
    user,
    progress: Progress = _noop,
) -> None:
    """Set-based checks; each fault lands in the row's `errors`, each row gets its action."""
    total = len(staged)
    progress("validate", 0, total)
    own = area_code_of(user) if user is not None else None
    by_row = {s.row_no: s for s in staged}
    h = lambda name: headers.get(name, name)  # noqa: E731
    if job.kind == Kind.ROSTER:
        _validate_roster(staged, by_row, h, own)
    elif job.kind in ENROLMENT_KINDS:
        _validate_enrolment(job, staged, by_row, h)
    else:
        _validate_list(job, staged, by_row, h, own)
    progress("validate", total, total)


def _persons_by_id(ids: list[str]) -> dict[str, dict]:
    cols = ["id", "id_number", "name", "household_id", "household__number", "household__village_code", "village_code", "status",
            "dibao", "tekun", "severe_disability", "health", "disability_type", "disability_grade", "disability_cert",
            *PERSON_COLUMNS[1:]]  # fmt: skip
    out = {}
    for chunk in _chunks(sorted(set(ids))):
        for row in Person.objects.filter(id_number__in=chunk).values(*cols):
            out[row["id_number"]] = row
    return out


def _households_by_number(numbers: list[str]) -> dict[str, dict]:
    cols = ["id", "number", "status", *HOUSEHOLD_COLUMNS]
    out = {}
    for chunk in _chunks(sorted(set(numbers))):
        for row in Household.objects.filter(number__in=chunk).values(*cols):
            out[row["number"]] = row
    return out


def _validate_roster(staged, by_row, h, own) -> None:
    df = _frame(
        staged,
        [
            "id_number",
            "household_number",
            "relation",
            "village_code",
            "year_identified",
            "main_cause",
        ],
    )
    _duplicates(df, "id_number", by_row, h("id_number"), "身份证号")
    heads = df.filter(pl.col("relation") == Relation.HEAD)
    multi = (
        heads.group_by("household_number")
        .agg(pl.col("row_no").sort().alias("rows"))
        .filter(pl.col("rows").list.len() > 1)
    )
    for rows in multi["rows"].to_list():
        _reject(
            by_row, rows, h("relation"), f"同一户编号有多个户主（第{'、'.join(map(str, rows))}行）"
        )
    numbers = [n for n in df["household_number"].drop_nulls().unique().to_list()]
    known_hh = _households_by_number(numbers)
    persons = _persons_by_id(df["id_number"].drop_nulls().to_list())
    villages = set(
        Area.objects.filter(
            level=Level.VILLAGE, code__in=df["village_code"].drop_nulls().unique().to_list()
        ).values_list("code", flat=True)
    )
    head_rows: dict[str, StagedRow] = {}
    for s in staged:
        v = s.values
        if v.get("relation") == Relation.HEAD and v.get("household_number"):
            head_rows.setdefault(v["household_number"], s)
    # Household-level checks on the head rows.
    for number, s in head_rows.items():
        v = s.values
        reg = known_hh.get(number)
        code = v.get("village_code") or (reg or {}).get("village_code")
        if reg is None:
            for name in ("village_code", "year_identified", "main_cause"):
                if v.get(name) is None and not any(e[0] == h(name) for e in s.errors):
                    s.errors.append([h(name), "新户的户主行此项必填"])
        if v.get("village_code") and v["village_code"] not in villages:
            s.errors.append(
                [h("village_code"), f"村代码“{v['village_code']}”不存在（不是已知的村级区划代码）"]
            )
        elif code and not _scope_ok(code, own):
            s.errors.append([h("village_code"), f"村代码“{code}”不在本辖区"])
        if (
            reg is not None
            and v.get("household_status")
            and v["household_status"] != reg["status"]
            and v["household_status"] not in TRANSITIONS.get(reg["status"], set())
        ):
            s.errors.append(
                [
                    h("household_status"),
                    f"户状态不能从“{Status(reg['status']).label}”变为“{Status(v['household_status']).label}”",
                ]
            )
        if reg is not None and not _scope_ok(reg["village_code"], own):
            s.errors.append([h("household_number"), f"户编号“{number}”所在村不在本辖区"])
    # Person-level checks against the registry, and membership.
    for s in staged:
        v = s.values
        number = v.get("household_number")
        if number is None:
            continue
        head = head_rows.get(number)
        reg_hh = known_hh.get(number)
        if head is None and reg_hh is None:
            s.errors.append(
                [
                    h("household_number"),
                    f"户编号“{number}”在文件中没有户主行，建档立卡中也不存在：成员没有所属户",
                ]
            )
        elif reg_hh is None and head is not s and head.errors:
            s.errors.append(
                [h("household_number"), f"所属户的户主行（第{head.row_no}行）有误，本行未导入"]
            )
        elif reg_hh is not None and head is None and not _scope_ok(reg_hh["village_code"], own):
            s.errors.append([h("household_number"), f"户编号“{number}”所在村不在本辖区"])
        reg_p = persons.get(v.get("id_number") or "")
        if reg_p is not None:
            if reg_p["household__number"] != number:
                # Whose it is may be said only inside the user's area.
                s.errors.append(
                    [
                        h("id_number"),
                        f"身份证号{mask(reg_p['id_number'])}已登记在户“{reg_p['household__number']}”（{reg_p['name']}），不能重复登记"
                        if _scope_ok(reg_p["village_code"], own)
                        else registered_elsewhere("身份证号"),
                    ]
                )
            elif (
                v.get("status")
                and v["status"] != reg_p["status"]
                and v["status"] not in TRANSITIONS.get(reg_p["status"], set())
            ):
                s.errors.append(
                    [
                        h("status"),
                        f"人员状态不能从“{Status(reg_p['status']).label}”变为“{Status(v['status']).label}”",
                    ]
                )
    # Verdicts.
    for s in staged:
        v = s.values
        if s.errors:
            continue
        number = v["household_number"]
        reg_hh = known_hh.get(number)
        reg_p = persons.get(v["id_number"])
        hh_changed = False
        if v.get("relation") == Relation.HEAD and head_rows.get(number) is s:
            if reg_hh is None:
                v["household_action"] = Action.NEW
            else:
                v["target_household_id"] = reg_hh["id"]
                hh_changed = any(
                    v.get(c) is not None and v[c] != reg_hh[c] for c in HOUSEHOLD_COLUMNS
                ) or (
                    v.get("household_status") is not None
                    and v["household_status"] != reg_hh["status"]
                )
                v["household_action"] = Action.CHANGED if hh_changed else Action.UNCHANGED
        elif reg_hh is not None:
            v["target_household_id"] = reg_hh["id"]
        if reg_p is None:
            v["action"] = Action.NEW
        else:
            v["target_person_id"] = reg_p["id"]
            v["old_status"] = reg_p["status"]
            changed = any(v.get(c) is not None and v[c] != reg_p[c] for c in PERSON_COLUMNS) or (
                v.get("status") is not None and v["status"] != reg_p["status"]
            )
            v["action"] = Action.CHANGED if changed or hh_changed else Action.UNCHANGED


def _validate_list(job, staged, by_row, h, own) -> None:
    df = _frame(staged, ["id_number"])
    _duplicates(df, "id_number", by_row, h("id_number"), "身份证号")
    persons = _persons_by_id(df["id_number"].drop_nulls().to_list())
    flag = LIST_FLAGS.get(job.kind)
    for s in staged:
        v = s.values
        if s.errors or v.get("id_number") is None:
            continue
        reg = persons.get(v["id_number"])
        if reg is None:
            s.errors.append([h("id_number"), "身份证号不在建档立卡名单中（非建档立卡人员不导入）"])
            continue
        if not _scope_ok(reg["village_code"], own):
            s.errors.append([h("id_number"), "该人员不在本辖区"])
            continue
        if v.get("name") and v["name"] != reg["name"]:
            s.errors.append([h("name"), f"姓名“{v['name']}”与建档立卡登记的“{reg['name']}”不一致"])
            continue
        v["target_person_id"] = reg["id"]
        if flag:
            changed = not reg[flag]
        else:
            changed = (reg["disability_type"] != v["disability_type"] or reg["disability_grade"] != v["disability_grade"]
                       or (v.get("disability_cert") is not None and reg["disability_cert"] != v["disability_cert"])
                       or reg["severe_disability"] != (v["disability_grade"] <= 2) or reg["health"] != "disabled")  # fmt: skip
        v["action"] = Action.CHANGED if changed else Action.UNCHANGED


def _validate_enrolment(job, staged, by_row, h) -> None:
    df = _frame(staged, ["id_number"])
    _duplicates(df, "id_number", by_row, h("id_number"), "身份证号")
    existing = {}
    ids = sorted(set(df["id_number"].drop_nulls().to_list()))
    cols = ["id", "id_number", *ENROLMENT_COLUMNS]
    for chunk in _chunks(ids):
        for row in EnrolmentRecord.objects.filter(insurance=job.kind, id_number__in=chunk).values(
            *cols
        ):
            existing[row["id_number"]] = row
    for s in staged:
        v = s.values
        if s.errors:
            continue
        v["insurance"] = job.kind
        for flag in ("poverty_tag", "premium_subsidy", "deceased"):
            v[flag] = bool(v.get(flag))
        reg = existing.get(v["id_number"])
        if reg is None:
            v["action"] = Action.NEW
        else:
            v["target_enrolment_id"] = reg["id"]
            v["action"] = (
                Action.CHANGED
                if any(v[c] != reg[c] for c in ENROLMENT_COLUMNS)
                else Action.UNCHANGED
            )


# ---------------------------------------------------------------------------------------
# The job: stage, then merge


STAGING_FIELDS = [
    f.name
    for f in ImportRow._meta.concrete_fields
    if f.name not in ("id", "job", "row_no", "action", "errors")
]


LIVENESS = "exchange.importjob"  # the lock a process holds while it reads and validates a job
ABANDONED = ("读取或校验时后台进程意外退出（如内存耗尽或进程被终止），本任务已停止，建档立卡数据未作任何修改："
             "请检查文件后重新上传。")  # fmt: skip


def stage(job: ImportJob, *, user=None, progress: Progress = _noop) -> dict:
    """Read the file into staging and validate it; the registry is not touched.

    The job's lock is held throughout (`fupin.liveness`), so a job whose process died while
    reading is recognised (`recover_interrupted`) rather than left "reading" for ever."""
    try:
        with liveness.holding(LIVENESS, job.pk):
            ImportJob.objects.filter(pk=job.pk).update(state=JobState.READING)
            return _stage(job, user, progress)
    except liveness.AlreadyRunning:
        return {}  # another live process is reading this very job (enqueued twice)


def _stage(job: ImportJob, user, progress: Progress) -> dict:
    started = time.monotonic()

    def report(stage_name: str, done: int, total: int) -> None:
        field_name = "rows_read" if stage_name == "read" else "rows_validated"
        ImportJob.objects.filter(pk=job.pk).update(
            rows_total=total,
            **{field_name: done},
            state=JobState.READING if stage_name == "read" else JobState.VALIDATING,
        )
        progress(stage_name, done, total)

    try:
        staged, headers = read_rows(job, report)
        validate(job, staged, headers, user, report)
    except reader.FileFault as exc:
        ImportJob.objects.filter(pk=job.pk).update(state=JobState.FAILED, message=str(exc))
        job.refresh_from_db()
        return {}
    counts = {a.value: 0 for a in Action}
    objs: list[dict] = []
    for s in staged:
        action = Action.REJECTED if s.errors else s.values.get("action", Action.UNCHANGED)
        counts[action] += 1
        values = {k: s.values.get(k) for k in STAGING_FIELDS}
        values["household_action"] = values["household_action"] or ""
        values["old_status"] = values["old_status"] or ""
        if s.errors:  # a rejected row keeps what could be read, but none of its verdicts
            values.update(
                household_action="",
                target_household_id=None,
                target_person_id=None,
                target_enrolment_id=None,
            )
        objs.append(
            {"job_id": job.pk, "row_no": s.row_no, "action": action, "errors": s.errors, **values}
        )
    with transaction.atomic():
        ImportRow.objects.filter(job=job).delete()
        bulk.insert(ImportRow, objs)
    counts["households_new"] = sum(
        1 for s in staged if not s.errors and s.values.get("household_action") == Action.NEW
    )
    counts["households_changed"] = sum(
        1 for s in staged if not s.errors and s.values.get("household_action") == Action.CHANGED
    )
    counts["seconds_staging"] = round(time.monotonic() - started, 2)
    ImportJob.objects.filter(pk=job.pk).update(
        state=JobState.READY,
        counts=counts,
        rows_total=len(staged),
        rows_read=len(staged),
        rows_validated=len(staged),
        validated_at=timezone.now(),
        message="",
    )
    job.refresh_from_db()
    return counts


def _update_from_staging(
    table: str,
    target_col: str,
    job_id: int,
    columns: list,
    where: str,
    extra_set: list[str] | None = None,
) -> int:
    """UPDATE table SET col = COALESCE(staging.col, table.col) … FROM staging — one statement."""
    pairs = [c if isinstance(c, tuple) else (c, c) for c in columns]
    sets = [f"{t} = COALESCE(s.{src}, {table}.{t})" for t, src in pairs] + (extra_set or [])
    sql = (f"UPDATE {table} SET {', '.join(sets)} FROM {ImportRow._meta.db_table} AS s "
           f"WHERE s.job_id = %s AND s.{target_col} = {table}.id AND {where}")  # fmt: skip
    with connection.cursor() as cur:
        cur.execute(sql, [job_id])
        return cur.rowcount


INTERRUPTED = "上次合并在完成前中断（进程退出），建档立卡数据未作任何修改；可重新确认合并。"


def merge_in_progress(job_id: int) -> bool:
    """Whether a merge transaction for this job is open in some live process.

    The merge holds its job row locked (PostgreSQL) or the database's write lock (SQLite) until it
    commits or rolls back; a process that died released both with its rolled-back transaction.
    """
    if connection.vendor == "sqlite":
        with closing(sqlite3.connect(connection.settings_dict["NAME"], timeout=0.2)) as con:
            try:
                con.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return True
            con.rollback()
            return False
    try:
        with transaction.atomic():
            list(
                ImportJob.objects.select_for_update(nowait=True).filter(pk=job_id).values_list("pk")
            )
    except DatabaseError:
        return True
    return False


def recover_interrupted(job: ImportJob) -> bool:
    """A job abandoned by a dead process is recognised; True if it was.

    Left "reading"/"validating": failed with the reason (the file may be what killed it, so it is
    not read again). Left "merging": back to "ready to confirm", the registry untouched."""
    if job.state in (JobState.READING, JobState.VALIDATING):
        if liveness.held(LIVENESS, job.pk):
            return False
        changed = ImportJob.objects.filter(
            pk=job.pk, state__in=(JobState.READING, JobState.VALIDATING)
        ).update(state=JobState.FAILED, message=ABANDONED)
        if changed:
            job.state, job.message = JobState.FAILED, ABANDONED
        return bool(changed)
    if job.state != JobState.MERGING or merge_in_progress(job.pk):
        return False
    changed = ImportJob.objects.filter(pk=job.pk, state=JobState.MERGING).update(
        state=JobState.READY, message=INTERRUPTED
    )
    if changed:
        job.state, job.message = JobState.READY, INTERRUPTED
    return bool(changed)


def confirm(job: ImportJob) -> bool:
    """确认导入: 待确认 → 已确认 in one conditional update, so the page shows the merge coming (and polls)
    instead of 待确认 with the button still active, and a second click confirms nothing twice."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, state=JobState.READY).update(
            state=JobState.CONFIRMED, message=""
        )
    )


def merge(job: ImportJob, *, user=None, request=None, progress: Progress = _noop) -> dict:
    """Write the staged new and changed rows into the registry — one transaction."""
    job = ImportJob.objects.get(pk=job.pk)
    recover_interrupted(job)
    if job.state not in (JobState.READY, JobState.CONFIRMED):
        raise ImportRefused(f"导入任务当前状态为“{job.get_state_display()}”，不能确认合并")
    ImportJob.objects.filter(pk=job.pk).update(
        state=JobState.MERGING, merged_by=user if user and user.is_authenticated else None
    )
    try:
        with transaction.atomic():
            # Held until commit or rollback: how another process tells a live merge from a dead one.
            list(ImportJob.objects.select_for_update().filter(pk=job.pk).values_list("pk"))
            result = _merge(job, user, progress)
            record(AuditAction.IMPORT, user=user, request=request, obj=job,
                   summary=f"导入{job.get_kind_display()}“{job.filename}”：" + "，".join(f"{Action(k).label}{v}" for k, v in result.items() if k in Action.values),
                   changes={"counts": [None, result]})  # fmt: skip
            ImportJob.objects.filter(pk=job.pk).update(
                state=JobState.DONE,
                merged_at=timezone.now(),
                rows_merged=job.rows_total - job.counts.get("rejected", 0),
                counts={**job.counts, "merged": result},
            )
    except ImportRefused as exc:
        ImportJob.objects.filter(pk=job.pk).update(state=JobState.READY, message=str(exc))
        raise
    except Exception as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            state=JobState.FAILED, message=f"合并失败，建档立卡数据未作任何修改：{exc}"
        )
        raise ImportRefused(f"合并失败，建档立卡数据未作任何修改：{exc}") from exc
    job.refresh_from_db()
    return result


def _staged(job: ImportJob, *actions: str):
    return ImportRow.objects.filter(job=job, action__in=actions)


def _guard_unchanged(model, ids: list[int], since) -> None:
    for chunk in _chunks(ids):
        if model.objects.filter(pk__in=chunk, updated_at__gt=since).exists():
            raise ImportRefused("预览之后建档立卡数据已被修改：请重新上传文件校验后再确认")


def _merge(job: ImportJob, user, progress: Progress) -> dict:
    total = job.rows_total
    progress("merge", 0, total)
    actor = user if user is not None and user.is_authenticated else None
    today = dt.date.today()
    reason = f"导入{job.get_kind_display()}（{job.filename}）"
    counts = {a.value: ImportRow.objects.filter(job=job, action=a).count() for a in Action}
    if job.kind == Kind.ROSTER:
        _merge_roster(job, actor, today, reason, progress)
    elif job.kind in ENROLMENT_KINDS:
        _merge_enrolment(job)
    else:
        _merge_list(job)
    progress("merge", total, total)
    return counts


def _merge_roster(job, actor, today, reason, progress) -> None:
    changed = list(_staged(job, Action.CHANGED).values_list("target_person_id", flat=True))
    changed_hh = list(
        ImportRow.objects.filter(job=job, household_action=Action.CHANGED).values_list(
            "target_household_id", flat=True
        )
    )
    _guard_unchanged(Person, changed, job.validated_at)
    _guard_unchanged(Household, changed_hh, job.validated_at)
    total = job.rows_total
    st, hh, pt = ImportRow._meta.db_table, Household._meta.db_table, Person._meta.db_table
    if connection.vendor == "postgresql":
        # Fresh statistics for the staging rows just copied in: without them the planner takes the
        # job's 100,000 rows for a handful and nests loops over them in the INSERT … SELECTs below.
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {st}")
    # 1. New households (from their head rows): INSERT … SELECT from staging, in the database. Their
    # member_count and head_name come from the file (a new household's members are all new rows).
    hh_status = f"COALESCE(NULLIF(s.household_status, ''), '{Status.NEW.value}')"
    n_new_hh = bulk.insert_select(Household, {
        "number": "s.household_number", "village_id": "a.id", "village_code": "s.village_code",
        "address": "COALESCE(s.address, '')", "phone": "COALESCE(s.phone, '')", "head_name": "s.name",
        "attribute": "COALESCE(NULLIF(s.attribute, ''), 'general')", "standard": "COALESCE(NULLIF(s.standard, ''), 'national')",
        "year_identified": "s.year_identified", "main_cause": "s.main_cause", "status": hh_status, "exit_year": "s.exit_year",
        "member_count": f"COALESCE(m.n_set, 0) + CASE WHEN {hh_status} <> '{Status.REMOVED.value}' THEN COALESCE(m.n_default, 0) ELSE 0 END",
    }, f"""FROM {st} s JOIN {Area._meta.db_table} a ON a.code = s.village_code AND a.level = %s
        LEFT JOIN (SELECT household_number,
                          SUM(CASE WHEN status IS NOT NULL AND status <> '' AND status <> '{Status.REMOVED.value}' THEN 1 ELSE 0 END) AS n_set,
                          SUM(CASE WHEN status IS NULL OR status = '' THEN 1 ELSE 0 END) AS n_default
                   FROM {st} WHERE job_id = %s AND action = 'new' GROUP BY household_number) m
               ON m.household_number = s.household_number
        WHERE s.job_id = %s AND s.household_action = 'new' ORDER BY s.row_no""", [Level.VILLAGE, job.pk, job.pk])  # fmt: skip
    progress("merge", n_new_hh, total)
    pause = float(os.environ.get("FUPIN_IMPORT_PAUSE_AFTER_HOUSEHOLDS", "0") or 0)
    if pause:  # fault injection for the crash test: a process killed here must leave no trace
        progress("pause", n_new_hh, total)
        time.sleep(pause)
    # 2. Changed households: one UPDATE … FROM staging (their status moves noted first, for history).
    hh_moves: dict[int, tuple[str, str, str]] = {}
    wanted = dict(
        ImportRow.objects.filter(
            job=job, household_action=Action.CHANGED, household_status__isnull=False
        ).values_list("target_household_id", "household_status")
    )
    for chunk in _chunks(sorted(wanted)):
        for hid, old, vc in Household.objects.filter(pk__in=chunk).values_list(
            "id", "status", "village_code"
        ):
            if old != wanted[hid]:
                hh_moves[hid] = (old, wanted[hid], vc)
    if changed_hh:
        area = Area._meta.db_table
        _update_from_staging(
            Household._meta.db_table,
            "target_household_id",
            job.pk,
            [*HOUSEHOLD_COLUMNS, ("status", "household_status")],
            "s.household_action = 'changed'",
            [
                f"village_id = COALESCE((SELECT a.id FROM {area} a WHERE a.code = s.village_code), {Household._meta.db_table}.village_id)",
                "updated_at = CURRENT_TIMESTAMP",
                f"version = {Household._meta.db_table}.version + 1",
            ],
        )
    # 3. New persons: INSERT … SELECT from staging joined to their household (new or existing) by number.
    n_people = bulk.insert_select(Person, {
        "household_id": "h.id", "village_code": "h.village_code", "id_number": "s.id_number", "name": "s.name", "sex": "s.sex",
        "birth_date": "s.birth_date", "relation": "s.relation", "ethnicity": "COALESCE(NULLIF(s.ethnicity, ''), '汉族')",
        "education": "COALESCE(s.education, '')", "health": "COALESCE(NULLIF(s.health, ''), 'healthy')",
        "labour_skill": "COALESCE(NULLIF(s.labour_skill, ''), 'general')",
        "work_status": "COALESCE(NULLIF(s.work_status, ''), 'not_working')",
        # Without a status of its own a member of a new household takes the household's, otherwise 新识别.
        "status": f"COALESCE(NULLIF(s.status, ''), CASE WHEN s.target_household_id IS NULL THEN h.status ELSE '{Status.NEW.value}' END)",
    }, f"FROM {st} s JOIN {hh} h ON h.number = s.household_number WHERE s.job_id = %s AND s.action = 'new' ORDER BY s.row_no",
        [job.pk])  # fmt: skip
    progress("merge", n_new_hh + n_people, total)
    # 4. Changed persons, and the village of members of households that moved.
    if changed:
        status_changes = list(ImportRow.objects.filter(job=job, action=Action.CHANGED, status__isnull=False)
                              .exclude(status=F("old_status")).values_list("target_person_id", "old_status", "status"))  # fmt: skip
        _update_from_staging(
            Person._meta.db_table,
            "target_person_id",
            job.pk,
            PERSON_COLUMNS + ["status"],
            "s.action = 'changed'",
            ["updated_at = CURRENT_TIMESTAMP", f"version = {Person._meta.db_table}.version + 1"],
        )
    else:
        status_changes = []
    if changed_hh:
        with connection.cursor() as cur:
            for chunk in _chunks(changed_hh):
                marks = ",".join(["%s"] * len(chunk))
                cur.execute(f"UPDATE {Person._meta.db_table} SET village_code = (SELECT h.village_code FROM "
                            f"{Household._meta.db_table} h WHERE h.id = {Person._meta.db_table}.household_id) "
                            f"WHERE household_id IN ({marks})", chunk)  # fmt: skip
    # 5. History: 建档 for the new (INSERT … SELECT), 状态变更 for status moves.
    actor_id = actor.pk if actor is not None else None
    founded = {"effective_date": today, "reason": f"建档（{reason}）", "changed_by_id": actor_id}
    bulk.insert_select(
        StatusChange,
        {
            "household_id": "h.id",
            "village_code": "h.village_code",
            "old_status": "''",
            "new_status": "h.status",
        },
        f"FROM {st} s JOIN {hh} h ON h.number = s.household_number "
        f"WHERE s.job_id = %s AND s.household_action = 'new' ORDER BY s.row_no",
        [job.pk],
        founded,
    )
    bulk.insert_select(StatusChange, {"person_id": "p.id", "household_id": "p.household_id", "village_code": "p.village_code",
                                      "old_status": "''", "new_status": "p.status"},
                       f"FROM {st} s JOIN {pt} p ON p.id_number = s.id_number WHERE s.job_id = %s AND s.action = 'new' ORDER BY s.row_no",
                       [job.pk], founded)  # fmt: skip
    history = []
    if status_changes:
        info = {}
        for chunk in _chunks([pid for pid, _, _ in status_changes]):
            info.update(
                {
                    pk: (hh, vc)
                    for pk, hh, vc in Person.objects.filter(pk__in=chunk).values_list(
                        "id", "household_id", "village_code"
                    )
                }
            )
        history += [{"person_id": pid, "household_id": info[pid][0], "village_code": info[pid][1], "old_status": old,
                     "new_status": new, "effective_date": today, "reason": reason, "changed_by_id": actor_id}
                    for pid, old, new in status_changes]  # fmt: skip
    history += [
        {
            "household_id": hid,
            "village_code": vc,
            "old_status": old,
            "new_status": new,
            "effective_date": today,
            "reason": reason,
            "changed_by_id": actor_id,
        }
        for hid, (old, new, vc) in hh_moves.items()
    ]
    bulk.insert(StatusChange, history)
    # 6. member_count and head_name of households that already existed and gained, lost or changed
    # members (new households got theirs at insert).
    need = set(ImportRow.objects.filter(job=job, action=Action.NEW, target_household_id__isnull=False)
               .values_list("target_household_id", flat=True).distinct())  # fmt: skip
    touched = sorted(
        need
        | set(changed_hh)
        | set(
            ImportRow.objects.filter(job=job, action=Action.CHANGED)
            .values_list("target_household_id", flat=True)
            .distinct()
        )
        - {None}
    )
    for chunk in _chunks(touched, 5000):
        refresh_household_summary(chunk)


def _merge_list(job) -> None:
    ids = list(_staged(job, Action.CHANGED).values_list("target_person_id", flat=True))
    _guard_unchanged(Person, ids, job.validated_at)
    flag = LIST_FLAGS.get(job.kind)
    table = Person._meta.db_table
    if flag:
        sets = [f"{flag} = %s", "updated_at = CURRENT_TIMESTAMP", f"version = {table}.version + 1"]
        sql = (f"UPDATE {table} SET {', '.join(sets)} FROM {ImportRow._meta.db_table} AS s "
               f"WHERE s.job_id = %s AND s.target_person_id = {table}.id AND s.action = 'changed'")  # fmt: skip
        with connection.cursor() as cur:
            cur.execute(sql, [True, job.pk])
        return
    _update_from_staging(
        table,
        "target_person_id",
        job.pk,
        ["disability_type", "disability_grade", "disability_cert"],
        "s.action = 'changed'",
        [
            "severe_disability = (s.disability_grade <= 2)",
            "health = 'disabled'",
            "updated_at = CURRENT_TIMESTAMP",
            f"version = {table}.version + 1",
        ],
    )


def _merge_enrolment(job) -> None:
    new = [
        {
            "id_number": r.id_number,
            "name": r.name,
            "area_code": r.area_code,
            "village_code": r.area_code.ljust(12, "0"),
            "insurance": r.insurance,
            "enrolment_status": r.enrolment_status,
            "poverty_tag": bool(r.poverty_tag),
            "premium_subsidy": bool(r.premium_subsidy),
            "deceased": bool(r.deceased),
            "job_id": job.pk,
        }
        for r in _staged(job, Action.NEW).iterator(chunk_size=5000)
    ]
    bulk.insert(EnrolmentRecord, new)
    table = EnrolmentRecord._meta.db_table
    sets = [f"{c} = s.{c}" for c in ENROLMENT_COLUMNS]
    sql = (f"UPDATE {table} SET {', '.join(sets)}, village_code = s.area_code, job_id = s.job_id, updated_at = CURRENT_TIMESTAMP "
           f"FROM {ImportRow._meta.db_table} AS s WHERE s.job_id = %s AND s.target_enrolment_id = {table}.id AND s.action = 'changed'")  # fmt: skip
    with connection.cursor() as cur:
        cur.execute(sql, [job.pk])
        # village_code is the area code padded to 12 digits (area scope needs the fixed width).
        cur.execute(
            f"UPDATE {table} SET village_code = SUBSTR(village_code || '000000000000', 1, 12) WHERE job_id = %s",
            [job.pk],
        )


def create_job(*, user, kind: str, filename: str, content: bytes) -> ImportJob:
    from django.core.exceptions import PermissionDenied

    if user is not None and not may_import(user, kind):
        raise PermissionDenied(
            "只读角色不能导入数据"
            if getattr(user, "read_only", True)
            else "只有人社局或社保经办机构可以导入参保数据"
        )
    check_upload_size(len(content))
    area = ""
    if user is not None and user.is_authenticated:
        area = area_code_of(user) or ""
    return ImportJob.objects.create(
        kind=kind,
        filename=os.path.basename(filename)[:200],
        content=content,
        area_code=area,
        created_by=user if user is not None and user.is_authenticated else None,
    )
