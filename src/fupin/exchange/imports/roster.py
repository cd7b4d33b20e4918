"""花名册导入 (the registry roster source): households and their members, new or changed.

Validated against the registry in a few chunked queries; merged in one transaction with
INSERT … SELECT and UPDATE … FROM the staging table (see `staging`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import polars as pl
from django.db import connection
from django.db.models import F

from fupin.access.models import User
from fupin.areas.models import Area, Level
from fupin.registry.choices import TRANSITIONS, Relation, Status
from fupin.registry.duplicates import registered_elsewhere
from fupin.registry.idnumber import mask
from fupin.registry.models import Household, Person, StatusChange
from fupin.registry.services import refresh_household_summary

from .. import bulk
from ..models import Action, ImportJob, ImportRow
from .staging import (
    PERSON_COLUMNS,
    Progress,
    StagedRow,
    chunks,
    duplicates,
    frame,
    guard_unchanged,
    persons_by_id,
    reject,
    scope_ok,
    staged_rows,
    update_from_staging,
)

# The household and person columns a roster may overwrite (NULL in staging = not given).
HOUSEHOLD_COLUMNS = ["village_code", "address", "phone", "attribute", "standard", "year_identified",
                     "main_cause", "exit_year"]  # fmt: skip


def households_by_number(numbers: list[str]) -> dict[str, dict]:
    cols = ["id", "number", "status", *HOUSEHOLD_COLUMNS]
    out = {}
    for chunk in chunks(sorted(set(numbers))):
        for row in Household.objects.filter(number__in=chunk).values(*cols):
            out[row["number"]] = row
    return out


def validate(
    job: ImportJob,
    staged: list[StagedRow],
    by_row: dict[int, StagedRow],
    h: Callable[[str], str],
    own: str | None,
) -> None:
    """Households and members: one head per household, known villages in the user's area, legal
    status moves, an ID number registered once; then each row's verdict (new / changed / unchanged)."""
    df = frame(
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
    duplicates(df, "id_number", by_row, h("id_number"), "身份证号")
    heads = df.filter(pl.col("relation") == Relation.HEAD)
    multi = (
        heads.group_by("household_number")
        .agg(pl.col("row_no").sort().alias("rows"))
        .filter(pl.col("rows").list.len() > 1)
    )
    for rows in multi["rows"].to_list():
        reject(
            by_row, rows, h("relation"), f"同一户编号有多个户主（第{'、'.join(map(str, rows))}行）"
        )
    numbers = [n for n in df["household_number"].drop_nulls().unique().to_list()]
    known_hh = households_by_number(numbers)
    persons = persons_by_id(df["id_number"].drop_nulls().to_list())
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
        elif code and not scope_ok(code, own):
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
        if reg is not None and not scope_ok(reg["village_code"], own):
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
        elif reg_hh is not None and head is None and not scope_ok(reg_hh["village_code"], own):
            s.errors.append([h("household_number"), f"户编号“{number}”所在村不在本辖区"])
        reg_p = persons.get(v.get("id_number") or "")
        if reg_p is not None:
            if reg_p["household__number"] != number:
                # Whose it is may be said only inside the user's area.
                s.errors.append(
                    [
                        h("id_number"),
                        f"身份证号{mask(reg_p['id_number'])}已登记在户“{reg_p['household__number']}”（{reg_p['name']}），不能重复登记"
                        if scope_ok(reg_p["village_code"], own)
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


def merge(
    job: ImportJob, actor: User | None, today: dt.date, reason: str, progress: Progress
) -> None:
    """New households, changed households, new and changed persons, their history: set-based SQL."""
    changed = list(staged_rows(job, Action.CHANGED).values_list("target_person_id", flat=True))
    changed_hh = list(
        ImportRow.objects.filter(job=job, household_action=Action.CHANGED).values_list(
            "target_household_id", flat=True
        )
    )
    guard_unchanged(Person, changed, job.validated_at)
    guard_unchanged(Household, changed_hh, job.validated_at)
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
        "attribute": "COALESCE(NULLIF(s.attribute, ''), 'general')",
        "standard": "COALESCE(NULLIF(s.standard, ''), 'national')",
        "year_identified": "s.year_identified", "main_cause": "s.main_cause", "status": hh_status,
        "exit_year": "s.exit_year",
        "member_count": f"COALESCE(m.n_set, 0) + CASE WHEN {hh_status} <> '{Status.REMOVED.value}' "
                        "THEN COALESCE(m.n_default, 0) ELSE 0 END",
    }, f"""FROM {st} s JOIN {Area._meta.db_table} a ON a.code = s.village_code AND a.level = %s
        LEFT JOIN (SELECT household_number,
                          SUM(CASE WHEN status IS NOT NULL AND status <> ''
                                    AND status <> '{Status.REMOVED.value}' THEN 1 ELSE 0 END) AS n_set,
                          SUM(CASE WHEN status IS NULL OR status = '' THEN 1 ELSE 0 END) AS n_default
                   FROM {st} WHERE job_id = %s AND action = 'new' GROUP BY household_number) m
               ON m.household_number = s.household_number
        WHERE s.job_id = %s AND s.household_action = 'new' ORDER BY s.row_no""",
        [Level.VILLAGE, job.pk, job.pk])  # fmt: skip
    progress("merge", n_new_hh, total)
    # 2. Changed households: one UPDATE … FROM staging (their status moves noted first, for history).
    hh_moves: dict[int, tuple[str, str, str]] = {}
    wanted = dict(
        ImportRow.objects.filter(
            job=job, household_action=Action.CHANGED, household_status__isnull=False
        ).values_list("target_household_id", "household_status")
    )
    for chunk in chunks(sorted(wanted)):
        for hid, old, vc in Household.objects.filter(pk__in=chunk).values_list(
            "id", "status", "village_code"
        ):
            if old != wanted[hid]:
                hh_moves[hid] = (old, wanted[hid], vc)
    if changed_hh:
        area = Area._meta.db_table
        update_from_staging(
            Household._meta.db_table,
            "target_household_id",
            job.pk,
            [*HOUSEHOLD_COLUMNS, ("status", "household_status")],
            "s.household_action = 'changed'",
            [
                f"village_id = COALESCE((SELECT a.id FROM {area} a WHERE a.code = s.village_code), "
                f"{Household._meta.db_table}.village_id)",
                "updated_at = CURRENT_TIMESTAMP",
                f"version = {Household._meta.db_table}.version + 1",
            ],
        )
    # 3. New persons: INSERT … SELECT from staging joined to their household (new or existing) by number.
    n_people = bulk.insert_select(Person, {
        "household_id": "h.id", "village_code": "h.village_code", "id_number": "s.id_number", "name": "s.name",
        "sex": "s.sex", "birth_date": "s.birth_date", "relation": "s.relation",
        "ethnicity": "COALESCE(NULLIF(s.ethnicity, ''), '汉族')",
        "education": "COALESCE(s.education, '')", "health": "COALESCE(NULLIF(s.health, ''), 'healthy')",
        "labour_skill": "COALESCE(NULLIF(s.labour_skill, ''), 'general')",
        "work_status": "COALESCE(NULLIF(s.work_status, ''), 'not_working')",
        # Without a status of its own a member of a new household takes the household's, otherwise 新识别.
        "status": "COALESCE(NULLIF(s.status, ''), CASE WHEN s.target_household_id IS NULL THEN h.status "
                  f"ELSE '{Status.NEW.value}' END)",
    }, f"FROM {st} s JOIN {hh} h ON h.number = s.household_number "
       "WHERE s.job_id = %s AND s.action = 'new' ORDER BY s.row_no",
        [job.pk])  # fmt: skip
    progress("merge", n_new_hh + n_people, total)
    # 4. Changed persons, and the village of members of households that moved.
    if changed:
        status_changes = list(
            ImportRow.objects.filter(job=job, action=Action.CHANGED, status__isnull=False)
            .exclude(status=F("old_status"))
            .values_list("target_person_id", "old_status", "status")
        )
        update_from_staging(
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
            for chunk in chunks(changed_hh):
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
    bulk.insert_select(
        StatusChange,
        {
            "person_id": "p.id",
            "household_id": "p.household_id",
            "village_code": "p.village_code",
            "old_status": "''",
            "new_status": "p.status",
        },
        f"FROM {st} s JOIN {pt} p ON p.id_number = s.id_number "
        f"WHERE s.job_id = %s AND s.action = 'new' ORDER BY s.row_no",
        [job.pk],
        founded,
    )
    history = []
    if status_changes:
        info = {}
        for chunk in chunks([pid for pid, _, _ in status_changes]):
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
    for chunk in chunks(touched, 5000):
        refresh_household_summary(chunk)
