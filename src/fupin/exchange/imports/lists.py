"""名单导入 (the list sources): 低保 and 特困 lists set a flag, the disability list sets the disability fields.

Only persons already in the registry, in the user's area, are touched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import connection

from fupin.access.models import User
from fupin.registry.models import Person

from ..models import Action, ImportJob, ImportRow, Kind
from .staging import (
    Progress,
    StagedRow,
    duplicates,
    frame,
    guard_unchanged,
    persons_by_id,
    scope_ok,
    staged_rows,
    update_from_staging,
)

LIST_FLAGS = {Kind.DIBAO: "dibao", Kind.TEKUN: "tekun"}


def validate(
    job: ImportJob,
    staged: list[StagedRow],
    by_row: dict[int, StagedRow],
    h: Callable[[str], str],
    own: str | None,
) -> None:
    """Each row names a registered person in the user's area under the registered name."""
    df = frame(staged, ["id_number"])
    duplicates(df, "id_number", by_row, h("id_number"), "身份证号")
    persons = persons_by_id(df["id_number"].drop_nulls().to_list())
    flag = LIST_FLAGS.get(job.kind)
    for s in staged:
        v = s.values
        if s.errors or v.get("id_number") is None:
            continue
        reg = persons.get(v["id_number"])
        if reg is None:
            s.errors.append([h("id_number"), "身份证号不在建档立卡名单中（非建档立卡人员不导入）"])
            continue
        if not scope_ok(reg["village_code"], own):
            s.errors.append([h("id_number"), "该人员不在本辖区"])
            continue
        if v.get("name") and v["name"] != reg["name"]:
            s.errors.append([h("name"), f"姓名“{v['name']}”与建档立卡登记的“{reg['name']}”不一致"])
            continue
        v["target_person_id"] = reg["id"]
        if flag:
            changed = not reg[flag]
        else:
            changed = (reg["disability_type"] != v["disability_type"]
                       or reg["disability_grade"] != v["disability_grade"]
                       or (v.get("disability_cert") is not None and reg["disability_cert"] != v["disability_cert"])
                       or reg["severe_disability"] != (v["disability_grade"] <= 2)
                       or reg["health"] != "disabled")  # fmt: skip
        v["action"] = Action.CHANGED if changed else Action.UNCHANGED


def merge(
    job: ImportJob, actor: User | None, today: dt.date, reason: str, progress: Progress
) -> None:
    """Set the flag (低保, 特困) or the disability fields of the changed persons: one UPDATE."""
    ids = list(staged_rows(job, Action.CHANGED).values_list("target_person_id", flat=True))
    guard_unchanged(Person, ids, job.validated_at)
    flag = LIST_FLAGS.get(job.kind)
    table = Person._meta.db_table
    if flag:
        sets = [f"{flag} = %s", "updated_at = CURRENT_TIMESTAMP", f"version = {table}.version + 1"]
        sql = (f"UPDATE {table} SET {', '.join(sets)} FROM {ImportRow._meta.db_table} AS s "
               f"WHERE s.job_id = %s AND s.target_person_id = {table}.id AND s.action = 'changed'")  # fmt: skip
        with connection.cursor() as cur:
            cur.execute(sql, [True, job.pk])
        return
    update_from_staging(
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
