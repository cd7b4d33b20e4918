"""Writes of the insurance module: edit a person's pension or medical record (kept in the history),
fill records from the imported insurance extract, and run the yearly 代缴 list.

Every write is one transaction and audited. The run itself (`subsidy_run`) is set-based SQL
(`entitlements`); starting it here queues its task after commit.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import area_code_of, require_area, require_writer
from fupin.areas.models import Area
from fupin.bounds import BoundsError, check_year
from fupin.bounds import parse_year as bounds_parse_year
from fupin.registry.models import Person

from .errors import InsuranceError as InsuranceError
from .models import (
    ChangeSource,
    EnrolmentRecord,
    InsuranceChange,
    MedicalEnrolment,
    PaidBy,
    PensionRecord,
    PensionStatus,
    SubsidyRun,
)
from .rules import INSURANCE_NAMES, RulesError, benefits_from, default_pack_id, plan
from .subsidy_run import ABANDONED as ABANDONED
from .subsidy_run import LIVENESS as LIVENESS
from .subsidy_run import execute_run as execute_run
from .subsidy_run import fail_run as fail_run
from .subsidy_run import recover_abandoned as recover_abandoned

PENSION_FIELDS = (
    "status",
    "tier_fen",
    "paid_year",
    "paid_by",
    "years_paid",
    "drawing_since",
    "monthly_amount_fen",
    "chosen_tier_fen",
    "chosen_year",
    "note",
)
MEDICAL_FIELDS = ("enrolled_on", "benefits_from", "paid_by", "note")
MAX_FEN = 10_000_000  # 10 万元: no resident premium or monthly pension comes near it


def _year(value: object, label: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InsuranceError(f"{label}应为四位数字年份")
    try:
        return check_year(value, label)
    except BoundsError as exc:
        raise InsuranceError(str(exc)) from None


def _json(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def _check_pension(values: dict) -> None:
    if values["status"] not in PensionStatus.values:
        raise InsuranceError(f"参保状态“{str(values['status'])[:20]}”无效")
    if values["paid_by"] not in PaidBy.values:
        raise InsuranceError(f"缴费方式“{str(values['paid_by'])[:20]}”无效")
    for name, label in (
        ("tier_fen", "缴费档次"),
        ("monthly_amount_fen", "月领取金额"),
        ("chosen_tier_fen", "选定缴费档次"),
    ):
        v = values[name]
        if v is not None and (
            not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= MAX_FEN
        ):
            raise InsuranceError(f"{label}须为 0 到 10 万元之间的金额")
    if values["paid_year"] is not None:
        _year(values["paid_year"], "已缴费年度")
    if (values["chosen_tier_fen"] is None) != (values["chosen_year"] is None):
        raise InsuranceError("选定缴费档次和选定档次年度须同时填写")
    if values["chosen_year"] is not None:
        _year(values["chosen_year"], "选定档次年度")
    if not isinstance(values["years_paid"], int) or not 0 <= values["years_paid"] <= 80:
        raise InsuranceError("累计缴费年限须为 0 到 80 之间的整数")
    if values["status"] == PensionStatus.DRAWING and values["drawing_since"] is None:
        raise InsuranceError("领取待遇须填写领取起始日期")
    if values["status"] == PensionStatus.PAYING and (
        values["paid_year"] is None or values["tier_fen"] is None
    ):
        raise InsuranceError("参保缴费须填写缴费档次和缴费年度")


def update_pension(
    *, user: User, person: Person, reason: str, request: HttpRequest | None = None, **changes
) -> PensionRecord:
    """Change a person's pension record; the old and new values go into the history with the reason."""
    require_writer(user)
    require_area(user, person.village_code)
    reason = (reason or "").strip()
    if not reason:
        raise InsuranceError("请填写变更原因")
    unknown = set(changes) - set(PENSION_FIELDS)
    if unknown:
        raise InsuranceError(f"未知字段：{'、'.join(sorted(unknown))}")
    with transaction.atomic():
        rec, _ = PensionRecord.objects.select_for_update().get_or_create(
            person=person, defaults={"village_code": person.village_code}
        )
        before = {f: _json(getattr(rec, f)) for f in PENSION_FIELDS}
        values = {f: changes.get(f, getattr(rec, f)) for f in PENSION_FIELDS}
        _check_pension(values)
        for f, v in values.items():
            setattr(rec, f, v)
        rec.village_code, rec.updated_by = person.village_code, user
        rec.save()
        after = {f: _json(getattr(rec, f)) for f in PENSION_FIELDS}
        diff = {f: [before[f], after[f]] for f in PENSION_FIELDS if before[f] != after[f]}
        if diff:
            InsuranceChange.objects.create(
                person=person,
                village_code=person.village_code,
                insurance="pension",
                before=before,
                after=after,
                reason=reason[:300],
                changed_by=user,
            )
            record(
                AuditAction.UPDATE,
                user=user,
                request=request,
                obj=rec,
                summary=f"修改养老保险参保记录：{reason[:100]}",
                changes=diff,
            )
    return rec


def update_medical(
    *,
    user: User,
    person: Person,
    year: int,
    reason: str,
    request: HttpRequest | None = None,
    pack_id: str | None = None,
    **changes,
) -> MedicalEnrolment:
    """Record or change a person's medical enrolment of `year`; benefits start per the pack's
    mid-year rule (002: the month after payment) unless given."""
    require_writer(user)
    require_area(user, person.village_code)
    reason = (reason or "").strip()
    if not reason:
        raise InsuranceError("请填写变更原因")
    _year(year, "参保年度")
    unknown = set(changes) - set(MEDICAL_FIELDS)
    if unknown:
        raise InsuranceError(f"未知字段：{'、'.join(sorted(unknown))}")
    if changes.get("paid_by", "") not in PaidBy.values:
        raise InsuranceError(f"缴费方式“{str(changes.get('paid_by'))[:20]}”无效")
    enrolled = changes.get("enrolled_on")
    if enrolled is not None and enrolled.year not in (year - 1, year):
        raise InsuranceError(
            f"参保缴费日期 {enrolled.isoformat()} 不在 {year} 年度（或上年的集中缴费期）内"
        )
    if enrolled is not None and "benefits_from" not in changes:
        changes["benefits_from"] = max(benefits_from(enrolled, pack_id), dt.date(year, 1, 1))
    with transaction.atomic():
        rec, _ = MedicalEnrolment.objects.select_for_update().get_or_create(
            person=person, year=year, defaults={"village_code": person.village_code}
        )
        before = {f: _json(getattr(rec, f)) for f in MEDICAL_FIELDS}
        for f, v in changes.items():
            setattr(rec, f, v)
        rec.village_code, rec.updated_by = person.village_code, user
        rec.save()
        after = {f: _json(getattr(rec, f)) for f in MEDICAL_FIELDS}
        diff = {f: [before[f], after[f]] for f in MEDICAL_FIELDS if before[f] != after[f]}
        if diff:
            InsuranceChange.objects.create(
                person=person,
                village_code=person.village_code,
                insurance="medical",
                year=year,
                before=before,
                after=after,
                reason=reason[:300],
                changed_by=user,
            )
            record(
                AuditAction.UPDATE,
                user=user,
                request=request,
                obj=rec,
                summary=f"修改 {year} 年度医疗保险参保：{reason[:100]}",
                changes=diff,
            )
    return rec


# What the extract's enrolment status says about the pension record (a drawing person stays drawing).
EXTRACT_PENSION = {
    "active": PensionStatus.PAYING,
    "suspended": PensionStatus.SUSPENDED,
    "terminated": PensionStatus.TERMINATED,
}


def sync_from_extract(*, user: User | None, year: int, request: HttpRequest | None = None) -> dict:
    """Fill the records of the user's area from the imported insurance extract (EnrolmentRecord):
    pension status, and the medical enrolment of `year` (paid by the government where the extract
    says 政府代缴). Only what differs is written, each change with a history row. CLI: user None
    (the whole county, like `fupin import`).

    Set-based: what differs is selected once per insurance into a temporary table, then one UPDATE,
    one INSERT of new records and one INSERT of history rows each (PostgreSQL and SQLite alike).
    A drawing pension is never set back by the extract."""
    if user is not None:
        require_writer(user)
    _year(year, "年度")
    code = (area_code_of(user) or "") if user is not None else ""
    area, params = "1 = 1", {}
    if code:
        from fupin.areas.models import village_code_range

        lo, hi = village_code_range(code)
        area, params = "p.village_code BETWEEN %(lo)s AND %(hi)s", {"lo": lo, "hi": hi}
    actor = user if user is not None and user.is_authenticated else None
    pg = connection.vendor == "postgresql"
    ops = connection.ops
    params.update(
        year=year,
        true=True,
        actor=actor.pk if actor is not None else None,
        now=ops.adapt_datetimefield_value(timezone.now()),
        reason=f"按参保数据（{year} 年度）更新",
        source=ChangeSource.EXTRACT.value,
    )
    obj = "jsonb_build_object" if pg else "json_object"
    empty = "'{}'::jsonb" if pg else "'{}'"
    temp = "TEMPORARY TABLE"
    pt, mt, ct = (
        ops.quote_name(m._meta.db_table) for m in (PensionRecord, MedicalEnrolment, InsuranceChange)
    )
    person_t, extract_t = (ops.quote_name(m._meta.db_table) for m in (Person, EnrolmentRecord))
    history = (
        f"INSERT INTO {ct} (person_id, village_code, insurance, year, before, after, reason, source, "
        f"changed_by_id, changed_at) "
    )
    counts = {}
    with transaction.atomic(), connection.cursor() as cur:
        for t in ("insurance_sync_pension", "insurance_sync_medical"):
            cur.execute(f"DROP TABLE IF EXISTS {'pg_temp' if pg else 'temp'}.{t}")
        cur.execute(
            f"CREATE {temp} insurance_sync_pension AS SELECT * FROM ("
            f"SELECT p.id AS person_id, p.village_code AS village_code, r.id AS rec_id, r.status AS old_status, "
            f"CASE e.enrolment_status WHEN 'active' THEN 'paying' WHEN 'suspended' THEN 'suspended' "
            f"WHEN 'terminated' THEN 'terminated' END AS new_status, "
            f"CASE WHEN e.enrolment_status = 'active' AND e.premium_subsidy = %(true)s "
            f"AND r.paid_year IS NULL THEN 1 ELSE 0 END AS set_paid "
            f"FROM {extract_t} e JOIN {person_t} p ON p.id_number = e.id_number "
            f"LEFT JOIN {pt} r ON r.person_id = p.id WHERE e.insurance = 'pension' AND {area}) x "
            "WHERE new_status IS NOT NULL AND (rec_id IS NULL "
            "OR (old_status <> 'drawing' AND old_status <> new_status))",
            params,
        )
        cur.execute(
            f"UPDATE {pt} SET status = s.new_status, updated_by_id = %(actor)s, updated_at = %(now)s, "
            f"paid_year = CASE WHEN s.set_paid = 1 THEN %(year)s ELSE {pt}.paid_year END, "
            f"paid_by = CASE WHEN s.set_paid = 1 THEN 'government' ELSE {pt}.paid_by END "
            f"FROM insurance_sync_pension s WHERE {pt}.id = s.rec_id",
            params,
        )
        cur.execute(
            f"INSERT INTO {pt} (person_id, village_code, status, tier_fen, paid_year, paid_by, years_paid, "
            f"drawing_since, monthly_amount_fen, note, updated_at, updated_by_id) "
            f"SELECT person_id, village_code, new_status, NULL, CASE WHEN set_paid = 1 THEN %(year)s END, "
            f"CASE WHEN set_paid = 1 THEN 'government' ELSE '' END, 0, NULL, NULL, '', %(now)s, %(actor)s "
            f"FROM insurance_sync_pension WHERE rec_id IS NULL",
            params,
        )
        cur.execute(
            history + f"SELECT person_id, village_code, 'pension', NULL, "
            f"CASE WHEN rec_id IS NULL THEN {empty} ELSE {obj}('status', old_status) END, "
            f"{obj}('status', new_status), %(reason)s, %(source)s, %(actor)s, %(now)s "
            f"FROM insurance_sync_pension ORDER BY person_id",
            params,
        )
        counts["pension"] = cur.rowcount
        cur.execute(
            f"CREATE {temp} insurance_sync_medical AS SELECT * FROM ("
            f"SELECT p.id AS person_id, p.village_code AS village_code, m.id AS rec_id, m.paid_by AS old_paid_by, "
            f"CASE WHEN e.premium_subsidy = %(true)s THEN 'government' ELSE 'self' END AS new_paid_by "
            f"FROM {extract_t} e JOIN {person_t} p ON p.id_number = e.id_number "
            f"LEFT JOIN {mt} m ON m.person_id = p.id AND m.year = %(year)s "
            f"WHERE e.insurance = 'medical' AND e.enrolment_status = 'active' AND {area}) x "
            f"WHERE rec_id IS NULL OR old_paid_by <> new_paid_by",
            params,
        )
        cur.execute(
            f"UPDATE {mt} SET paid_by = s.new_paid_by, updated_by_id = %(actor)s, updated_at = %(now)s "
            f"FROM insurance_sync_medical s WHERE {mt}.id = s.rec_id",
            params,
        )
        cur.execute(
            f"INSERT INTO {mt} (person_id, year, village_code, enrolled_on, benefits_from, paid_by, note, "
            f"updated_at, updated_by_id) SELECT person_id, %(year)s, village_code, NULL, NULL, new_paid_by, '', "
            f"%(now)s, %(actor)s FROM insurance_sync_medical WHERE rec_id IS NULL",
            params,
        )
        cur.execute(
            history + f"SELECT person_id, village_code, 'medical', %(year)s, "
            f"CASE WHEN rec_id IS NULL THEN {empty} ELSE {obj}('paid_by', old_paid_by) END, "
            f"{obj}('paid_by', new_paid_by), %(reason)s, %(source)s, %(actor)s, %(now)s "
            f"FROM insurance_sync_medical ORDER BY person_id",
            params,
        )
        counts["medical"] = cur.rowcount
        for t in ("insurance_sync_pension", "insurance_sync_medical"):
            cur.execute(f"DROP TABLE {'pg_temp' if pg else 'temp'}.{t}")
        record(
            AuditAction.IMPORT,
            user=user,
            request=request,
            object_type="insurance_sync",
            object_id=str(year),
            summary=f"按参保数据更新参保记录：养老 {counts['pension']} 人，医疗 {counts['medical']} 人",
            area_code=code,
        )
    return counts


# ---- the yearly 代缴 run ----


def parse_year(value: object) -> int:
    """A year from a form, a query or the CLI, or InsuranceError in Chinese."""
    try:
        return bounds_parse_year(value if value is not None else "")
    except BoundsError as exc:
        raise InsuranceError(str(exc)) from None


def parse_insurance(value: object) -> str:
    text = str(value or "").strip()
    if text not in INSURANCE_NAMES:
        raise InsuranceError(
            f"险种应为 medical（医疗保险）或 pension（养老保险），填写的是“{text[:20]}”"
        )
    return text


def create_run(
    *,
    user: User | None,
    year: int,
    insurance: str,
    pack_id: str | None = None,
    request: HttpRequest | None = None,
) -> SubsidyRun:
    """A queued run for the user's area (checked: the year has values in the pack). CLI: user None."""
    if user is not None:
        require_writer(user)
    pack_id = pack_id or default_pack_id()
    try:
        plan(year=year, insurance=insurance, pack_id=pack_id)
    except RulesError as exc:
        raise InsuranceError(str(exc)) from exc
    code = (area_code_of(user) or "") if user is not None else ""
    run = SubsidyRun.objects.create(
        year=year, insurance=insurance, area_code=code, pack_id=pack_id, created_by=user
    )
    area = Area.objects.filter(code=code).values_list("name", flat=True).first() or "全县"
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=run,
        summary=f"发起 {year} 年度{INSURANCE_NAMES[insurance]}代缴名单计算（{area}）",
        area_code=code,
    )
    return run


def start_run(
    *,
    user: User,
    year: int,
    insurance: str,
    pack_id: str | None = None,
    request: HttpRequest | None = None,
) -> SubsidyRun:
    """Create the run and queue its task once the run row has committed (the worker must see it)."""
    from .tasks import subsidy_run_task

    with transaction.atomic():
        run = create_run(
            user=user, year=year, insurance=insurance, pack_id=pack_id, request=request
        )
    # Queued once the run row is committed (at once in autocommit, else when the caller's
    # transaction commits): a worker never looks for a row that is not there yet.
    transaction.on_commit(lambda: subsidy_run_task.enqueue(run.pk, user.pk))
    return run
