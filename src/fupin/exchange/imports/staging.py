"""暂存核心 (the shared staging core of every import source): cells → staged values → set-based checks.

Every source (`roster`, `lists`, `enrolment`) reads its file through `read_rows`, checks whole
columns with Polars frames and chunked registry queries (`frame`, `duplicates`, `persons_by_id`),
and merges with set-based SQL against the staging table (`update_from_staging`, `bulk`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import polars as pl
from django.db import connection
from django.db.models import Model, QuerySet

from fupin.registry.idnumber import PROVINCES, IdNumberError, clean, parse_id_number
from fupin.registry.models import Person
from fupin.sheets import reader
from fupin.sheets.reader import upload_limits

from ..models import ImportJob, ImportRow, Kind
from ..sources import BOOL, FIELDS, Field, norm

Progress = Callable[[str, int, int], None]

CHUNK = 2000

ENROLMENT_KINDS = {Kind.PENSION, Kind.MEDICAL}

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

PERSON_COLUMNS = [
    "name",
    "relation",
    "ethnicity",
    "education",
    "health",
    "labour_skill",
    "work_status",
]


class ImportRefused(ValueError):
    """The job cannot go on (wrong state, changed registry, no permission); Chinese message."""


@dataclass
class StagedRow:
    row_no: int
    values: dict = field(default_factory=dict)
    errors: list[list[str]] = field(default_factory=list)  # [[column header, reason], …]


def no_progress(stage: str, done: int, total: int) -> None:
    pass


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


def read_rows(
    job: ImportJob, progress: Progress = no_progress
) -> tuple[list[StagedRow], dict[str, str]]:
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
# Set-based checks and merges, shared by the sources


def chunks(values: list, size: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def frame(staged: list[StagedRow], columns: list[str]) -> pl.DataFrame:
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


def reject(
    by_row: dict[int, StagedRow],
    row_nos: Iterable[int],
    column: str,
    reason: str | Callable[[dict], str],
    rows: list[dict] | None = None,
) -> None:
    for i, row_no in enumerate(row_nos):
        text = reason(rows[i]) if callable(reason) else reason
        by_row[row_no].errors.append([column, text])


def duplicates(
    df: pl.DataFrame, key: str, by_row: dict[int, StagedRow], header: str, what: str
) -> None:
    dup = (df.filter(pl.col(key).is_not_null()).group_by(key)
           .agg(pl.col("row_no").sort().alias("rows")).filter(pl.col("rows").list.len() > 1))  # fmt: skip
    for rows in dup["rows"].to_list():
        listed = "、".join(map(str, rows))
        reject(by_row, rows, header, f"{what}在文件中重复出现（第{listed}行）")


def scope_ok(code: str | None, own: str | None) -> bool:
    return own is None or (code or "").startswith(own)


def persons_by_id(ids: list[str]) -> dict[str, dict]:
    cols = ["id", "id_number", "name", "household_id", "household__number", "household__village_code",
            "village_code", "status",
            "dibao", "tekun", "severe_disability", "health", "disability_type", "disability_grade", "disability_cert",
            *PERSON_COLUMNS[1:]]  # fmt: skip
    out = {}
    for chunk in chunks(sorted(set(ids))):
        for row in Person.objects.filter(id_number__in=chunk).values(*cols):
            out[row["id_number"]] = row
    return out


STAGING_FIELDS = [
    f.name
    for f in ImportRow._meta.concrete_fields
    if f.name not in ("id", "job", "row_no", "action", "errors")
]


def update_from_staging(
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


def staged_rows(job: ImportJob, *actions: str) -> QuerySet[ImportRow]:
    return ImportRow.objects.filter(job=job, action__in=actions)


def guard_unchanged(model: type[Model], ids: list[int], since: dt.datetime | None) -> None:
    for chunk in chunks(ids):
        if model.objects.filter(pk__in=chunk, updated_at__gt=since).exists():
            raise ImportRefused("预览之后建档立卡数据已被修改：请重新上传文件校验后再确认")
