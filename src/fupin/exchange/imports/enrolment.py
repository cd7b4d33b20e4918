"""参保数据导入 (the insurance enrolment sources): pension and medical enrolment records.

The insurance system's records are kept as they come (a faulty ID number too: the comparison
reports it); they feed the comparison, not the registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import connection

from fupin.access.models import User
from fupin.insurance.models import EnrolmentRecord

from .. import bulk
from ..models import Action, ImportJob, ImportRow
from .staging import Progress, StagedRow, chunks, duplicates, frame, staged_rows

ENROLMENT_COLUMNS = [
    "name",
    "area_code",
    "enrolment_status",
    "poverty_tag",
    "premium_subsidy",
    "deceased",
]


def validate(
    job: ImportJob,
    staged: list[StagedRow],
    by_row: dict[int, StagedRow],
    h: Callable[[str], str],
    own: str | None,
) -> None:
    """New or changed enrolment records of the job's insurance (the whole county: `own` unused)."""
    df = frame(staged, ["id_number"])
    duplicates(df, "id_number", by_row, h("id_number"), "身份证号")
    existing = {}
    ids = sorted(set(df["id_number"].drop_nulls().to_list()))
    cols = ["id", "id_number", *ENROLMENT_COLUMNS]
    for chunk in chunks(ids):
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


def merge(
    job: ImportJob, actor: User | None, today: dt.date, reason: str, progress: Progress
) -> None:
    """Insert the new records, update the changed ones from staging."""
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
        for r in staged_rows(job, Action.NEW).iterator(chunk_size=5000)
    ]
    bulk.insert(EnrolmentRecord, new)
    table = EnrolmentRecord._meta.db_table
    sets = [f"{c} = s.{c}" for c in ENROLMENT_COLUMNS]
    sql = (f"UPDATE {table} SET {', '.join(sets)}, village_code = s.area_code, job_id = s.job_id, "
           f"updated_at = CURRENT_TIMESTAMP FROM {ImportRow._meta.db_table} AS s "
           f"WHERE s.job_id = %s AND s.target_enrolment_id = {table}.id AND s.action = 'changed'")  # fmt: skip
    with connection.cursor() as cur:
        cur.execute(sql, [job.pk])
        # village_code is the area code padded to 12 digits (area scope needs the fixed width).
        cur.execute(
            f"UPDATE {table} SET village_code = SUBSTR(village_code || '000000000000', 1, 12) WHERE job_id = %s",
            [job.pk],
        )
