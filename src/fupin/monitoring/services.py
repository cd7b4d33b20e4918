"""Writes of return-to-poverty monitoring (防止返贫监测): each transition of a monitored household
in one transaction, the household row locked, the user's area and role checked, audited, and a
StageChange row written.

Order: 预警 → 核查中 (a home check recorded) → 纳入监测 / 不纳入 (decided by someone other than the
checker) → 帮扶中 (a measure) → 风险消除 (the pack's conditions held for the required quarters).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from fupin import months
from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import home_area_code, require_area, require_writer
from fupin.areas.models import Area, Level
from fupin.assistance import services as assistance
from fupin.assistance.models import MeasureKind as LedgerKind
from fupin.registry.choices import Relation
from fupin.registry.idnumber import IdNumberError, parse_id_number
from fupin.registry.models import Household, Person

from . import nightly
from .models import (
    MANUAL_SIGNALS,
    UNDER_MONITORING,
    Alert,
    Category,
    Check,
    Decision,
    Measure,
    MeasureKind,
    MonitoredHousehold,
    MonitoringRun,
    Origin,
    Review,
    Signal,
    Stage,
    StageChange,
)
from .nightly import ABANDONED as ABANDONED
from .nightly import LIVENESS as LIVENESS
from .nightly import fail_run as fail_run
from .nightly import recover_abandoned as recover_abandoned
from .nightly import run_monitoring as run_monitoring
from .rules import rules

LEDGER_KIND = {
    MeasureKind.JOB: LedgerKind.RECOMMEND,
    MeasureKind.WELFARE_POST: LedgerKind.WELFARE_POST,
    MeasureKind.TRAINING: LedgerKind.TRAINING,
}


class WorkflowError(ValueError):
    """A transition refused, with the Chinese reason (the page or API shows it as it is)."""


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{months.quarter_of(day)}"


def previous_quarter(quarter: str) -> str:
    year, q = int(quarter[:4]), int(quarter[-1])
    return f"{year - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}"


def _not_future(day: dt.date, label: str) -> dt.date:
    if day > timezone.localdate():
        raise WorkflowError(f"{label}不能晚于今天（{day:%Y-%m-%d}）")
    return day


def _text(value: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise WorkflowError(f"请填写{label}")
    if len(value) > limit:
        raise WorkflowError(f"{label}最多 {limit} 个字")
    return value


def _locked(monitored: MonitoredHousehold, user: User) -> MonitoredHousehold:
    require_writer(user)
    require_area(user, monitored.village_code)
    return MonitoredHousehold.objects.select_for_update().get(pk=monitored.pk)


def _move(
    m: MonitoredHousehold,
    new: str,
    *,
    user: User,
    day: dt.date,
    reason: str,
    request: HttpRequest | None = None,
    **fields,
) -> None:
    old = m.stage
    m.stage = new
    for k, v in fields.items():
        setattr(m, k, v)
    m.save(update_fields=["stage", *fields])
    StageChange.objects.create(
        monitored=m,
        village_code=m.village_code,
        old_stage=old,
        new_stage=new,
        day=day,
        reason=reason[:500],
        changed_by=user,
    )
    record(
        AuditAction.STATUS,
        user=user,
        request=request,
        obj=m,
        summary=f"监测对象 {m.head_name}：{Stage(old).label} → {Stage(new).label}（{reason[:100]}）",
        changes={"stage": [old, new]},
    )


def _require_stage(m: MonitoredHousehold, allowed: tuple[str, ...], action: str) -> None:
    if m.stage not in allowed:
        names = "、".join(str(Stage(s).label) for s in allowed)
        raise WorkflowError(f"{action}须在“{names}”阶段；该户现为“{m.get_stage_display()}”")


# —— the nightly run ——


def start_run(
    *,
    user: User,
    area_code: str | None = None,
    day: dt.date | None = None,
    request: HttpRequest | None = None,
) -> MonitoringRun:
    """Queue a run for the user's area (or a part of it) and enqueue it (tests run it at once)."""
    from .tasks import monitoring_task

    require_writer(user)
    area_code = area_code or home_area_code(user)
    require_area(user, area_code)
    day = _not_future(day or timezone.localdate(), "监测日期")
    run = MonitoringRun.objects.create(
        area_code=area_code, day=day, steps=nightly.STEPS, created_by=user
    )
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=run,
        summary=f"发起防止返贫监测运行（{day:%Y-%m-%d}）",
    )
    transaction.on_commit(lambda: monitoring_task.enqueue(run.pk, user.pk))
    return run


# —— entered by hand ——


def _cause(day: dt.date, description: str) -> str:
    return f"{day.isoformat()}:{hashlib.sha1(description.encode()).hexdigest()[:12]}"


def _raise(
    m: MonitoredHousehold,
    *,
    user: User,
    signal: str,
    day: dt.date,
    description: str,
    person: Person | None,
    request: HttpRequest | None = None,
) -> Alert:
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                monitored=m,
                village_code=m.village_code,
                signal=signal,
                cause_key=_cause(day, description),
                person=person,
                detail=description,
                rule="人工录入",
                raised_on=day,
                created_by=user,
            )
    except IntegrityError:
        raise WorkflowError("同一事由已登记过预警，不重复登记") from None
    if m.stage in (Stage.REMOVED, Stage.NOT_MONITORED):
        _move(
            m,
            Stage.ALERT,
            user=user,
            day=day,
            reason=f"新的预警：{description}",
            request=request,
            alerted_on=day,
            check_due=day + dt.timedelta(days=rules().check_days.value),
            decision_due=None,
        )
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=alert,
        summary=f"登记预警 {m.head_name}：{Signal(signal).label}",
    )
    return alert


@transaction.atomic
def report_event(
    *,
    user: User,
    household: Household,
    signal: str,
    day: dt.date,
    description: str,
    person: Person | None = None,
    request: HttpRequest | None = None,
) -> Alert:
    """灾害或意外事故 (or a township's finding) for a registered household, entered by hand."""
    require_writer(user)
    require_area(user, household.village_code)
    if signal not in MANUAL_SIGNALS:
        raise WorkflowError("人工登记的预警只能是“灾害或意外事故”或“乡镇排查发现或农户申请”")
    day = _not_future(day, "发生日期")
    description = _text(description, "情况说明", 300)
    if person is not None and person.household_id != household.pk:
        raise WorkflowError("所选人员不是该户成员")
    m = MonitoredHousehold.objects.select_for_update().filter(household=household).first()
    if m is None:
        check_due = day + dt.timedelta(days=rules().check_days.value)
        m = MonitoredHousehold.objects.create(
            household=household,
            village_code=household.village_code,
            head_name=household.head_name,
            address=household.address,
            member_count=household.member_count,
            category=Category.SUDDEN if signal == Signal.DISASTER else Category.UNSTABLE,
            stage=Stage.ALERT,
            origin=Origin.TOWNSHIP,
            alerted_on=day,
            check_due=check_due,
            created_by=user,
        )
        StageChange.objects.create(
            monitored=m,
            village_code=m.village_code,
            new_stage=Stage.ALERT,
            day=day,
            reason=f"人工登记：{description}"[:500],
            changed_by=user,
        )
    return _raise(
        m,
        user=user,
        signal=signal,
        day=day,
        description=description,
        person=person,
        request=request,
    )


@transaction.atomic
def enter_household(
    *,
    user: User,
    village_code: str,
    head_name: str,
    head_id_number: str,
    member_count: int,
    income_per_capita_fen: int | None,
    category: str,
    description: str,
    day: dt.date,
    address: str = "",
    request: HttpRequest | None = None,
) -> MonitoredHousehold:
    """A household not on the poverty list (边缘易致贫户、突发严重困难户) entered by a township."""
    require_writer(user)
    area = Area.objects.filter(code=village_code, level=Level.VILLAGE).first()
    if area is None:
        raise WorkflowError("所在村无效：请选择一个村")
    require_area(user, village_code)
    if category not in (Category.EDGE, Category.SUDDEN):
        raise WorkflowError("不在建档立卡名单上的户只能是“边缘易致贫户”或“突发严重困难户”")
    head_name = _text(head_name, "户主姓名", 50)
    try:
        idn = parse_id_number(head_id_number).value
    except IdNumberError as exc:
        raise WorkflowError(f"户主身份证号：{exc}") from None
    if Person.objects.filter(id_number=idn).exists():
        raise WorkflowError("户主已在建档立卡名单上：请在该户登记预警")
    if MonitoredHousehold.objects.filter(head_id_number=idn).exists():
        raise WorkflowError("该户已是监测对象（可能在其他辖区登记）")
    if not 1 <= member_count <= 99:
        raise WorkflowError("家庭人口须在 1 到 99 之间")
    day = _not_future(day, "发现日期")
    description = _text(description, "情况说明", 300)
    m = MonitoredHousehold.objects.create(
        village_code=village_code,
        head_name=head_name,
        head_id_number=idn,
        address=address[:200],
        member_count=member_count,
        income_per_capita_fen=income_per_capita_fen,
        category=category,
        stage=Stage.ALERT,
        origin=Origin.TOWNSHIP,
        alerted_on=day,
        check_due=day + dt.timedelta(days=rules().check_days.value),
        created_by=user,
    )
    StageChange.objects.create(
        monitored=m,
        village_code=village_code,
        new_stage=Stage.ALERT,
        day=day,
        reason=f"乡镇录入：{description}"[:500],
        changed_by=user,
    )
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=m,
        summary=f"录入监测对象 {head_name}（{Category(category).label}）",
    )
    _raise(
        m,
        user=user,
        signal=Signal.DISASTER if category == Category.SUDDEN else Signal.REPORTED,
        day=day,
        description=description,
        person=None,
        request=request,
    )
    return m


# —— the workflow ——


@transaction.atomic
def record_check(
    *,
    user: User,
    monitored: MonitoredHousehold,
    checked_on: dt.date,
    findings: str,
    income_per_capita_fen: int | None = None,
    request: HttpRequest | None = None,
) -> Check:
    """入户核查: 预警 → 核查中 (another check while 核查中 adds to the findings)."""
    m = _locked(monitored, user)
    _require_stage(m, (Stage.ALERT, Stage.CHECKING), "入户核查")
    checked_on = _not_future(checked_on, "核查日期")
    if checked_on < m.alerted_on:
        raise WorkflowError(f"核查日期不能早于预警日期 {m.alerted_on:%Y-%m-%d}")
    findings = _text(findings, "核查情况", 500)
    check = Check.objects.create(
        monitored=m,
        village_code=m.village_code,
        checked_on=checked_on,
        findings=findings,
        income_per_capita_fen=income_per_capita_fen,
        checked_by=user,
    )
    if m.stage == Stage.ALERT:
        _move(
            m,
            Stage.CHECKING,
            user=user,
            day=checked_on,
            reason=f"入户核查：{findings}",
            request=request,
            decision_due=checked_on + dt.timedelta(days=rules().decision_days.value),
        )
    record(
        AuditAction.CREATE, user=user, request=request, obj=check, summary=f"入户核查 {m.head_name}"
    )
    return check


@transaction.atomic
def decide(
    *,
    user: User,
    monitored: MonitoredHousehold,
    include: bool,
    reason: str,
    day: dt.date,
    category: str = "",
    risk_types: list[str] | None = None,
    request: HttpRequest | None = None,
) -> Decision:
    """认定: 核查中 → 纳入监测 / 不纳入, by someone other than whoever checked the household."""
    m = _locked(monitored, user)
    _require_stage(m, (Stage.CHECKING,), "认定")
    checks = list(m.checks.order_by("-checked_on", "-id"))
    if any(c.checked_by_id == user.pk for c in checks):
        raise WorkflowError("核查人不能认定自己核查的户：请由另一位工作人员认定")
    day = _not_future(day, "认定日期")
    if day < checks[0].checked_on:
        raise WorkflowError(f"认定日期不能早于核查日期 {checks[0].checked_on:%Y-%m-%d}")
    reason = _text(reason, "认定理由", 500)
    open_alerts = m.alerts.filter(decision__isnull=True)
    signals = sorted(set(open_alerts.values_list("signal", flat=True)))
    risk_types = list(dict.fromkeys(risk_types if risk_types is not None else signals))
    if bad := [r for r in risk_types if r not in Signal.values]:
        raise WorkflowError(f"风险类型无效：{'、'.join(bad)}")
    category = category or m.category
    if category not in Category.values:
        raise WorkflowError("监测类别无效")
    if include and not risk_types:
        raise WorkflowError("纳入监测须至少选择一种风险类型")
    decision = Decision.objects.create(
        monitored=m,
        check_record=checks[0],
        village_code=m.village_code,
        include=include,
        category=category,
        risk_types=risk_types,
        reason=reason,
        decided_on=day,
        decided_by=user,
    )
    open_alerts.update(decision=decision)
    if include:
        merged = list(dict.fromkeys([*m.risk_types, *risk_types]))
        _move(
            m,
            Stage.MONITORED,
            user=user,
            day=day,
            reason=f"纳入监测：{reason}",
            request=request,
            category=category,
            risk_types=merged,
            identified_on=m.identified_on or day,
        )
    else:
        _move(
            m,
            Stage.NOT_MONITORED,
            user=user,
            day=day,
            reason=f"不纳入监测：{reason}",
            request=request,
        )
    record(
        AuditAction.DECISION,
        user=user,
        request=request,
        obj=decision,
        summary=f"认定 {m.head_name}：{'纳入监测' if include else '不纳入'}",
    )
    return decision


def _ledger_person(m: MonitoredHousehold, person: Person | None) -> Person | None:
    if person is not None:
        if m.household_id is None or person.household_id != m.household_id:
            raise WorkflowError("所选人员不是该户成员")
        return person
    if m.household_id is None:
        return None
    return Person.objects.filter(household_id=m.household_id, relation=Relation.HEAD).first()


@transaction.atomic
def add_measure(
    *,
    user: User,
    monitored: MonitoredHousehold,
    kind: str,
    description: str,
    day: dt.date,
    person: Person | None = None,
    request: HttpRequest | None = None,
) -> Measure:
    """帮扶措施: 纳入监测 → 帮扶中; also written to the person's 帮扶台账 (the household head when no
    person is named). A household not on the poverty list has no registry person: its measures
    are kept here only."""
    m = _locked(monitored, user)
    _require_stage(m, UNDER_MONITORING, "登记帮扶措施")
    if kind not in MeasureKind.values:
        raise WorkflowError("措施类别无效")
    day = _not_future(day, "措施日期")
    description = _text(description, "措施内容", 300)
    target = _ledger_person(m, person)
    entry = None
    if target is not None:
        entry = assistance.log(
            person=target,
            kind=LEDGER_KIND.get(kind, LedgerKind.OTHER),
            day=day,
            user=user,
            summary=f"防止返贫帮扶（{MeasureKind(kind).label}）：{description}",
        )
    measure = Measure.objects.create(
        monitored=m,
        village_code=m.village_code,
        person=target,
        kind=kind,
        description=description,
        day=day,
        ledger_entry_id=entry.pk if entry else None,
        recorded_by=user,
    )
    if m.stage == Stage.MONITORED:
        _move(
            m,
            Stage.ASSISTING,
            user=user,
            day=day,
            reason=f"落实帮扶措施：{MeasureKind(kind).label}",
            request=request,
        )
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=measure,
        summary=f"帮扶措施 {m.head_name}：{description}",
    )
    return measure


@transaction.atomic
def add_review(
    *,
    user: User,
    monitored: MonitoredHousehold,
    reviewed_on: dt.date,
    income_per_capita_fen: int,
    stable: bool,
    note: str,
    request: HttpRequest | None = None,
) -> Review:
    """季度回访: one per household and quarter."""
    m = _locked(monitored, user)
    _require_stage(m, UNDER_MONITORING, "季度回访")
    reviewed_on = _not_future(reviewed_on, "回访日期")
    if m.identified_on and reviewed_on < m.identified_on:
        raise WorkflowError(f"回访日期不能早于纳入监测日期 {m.identified_on:%Y-%m-%d}")
    note = _text(note, "回访情况", 500)
    quarter = quarter_of(reviewed_on)
    if m.reviews.filter(quarter=quarter).exists():
        raise WorkflowError(f"{quarter} 已回访过：每季度回访一次")
    review = Review.objects.create(
        monitored=m,
        village_code=m.village_code,
        quarter=quarter,
        reviewed_on=reviewed_on,
        income_per_capita_fen=income_per_capita_fen,
        stable=stable,
        note=note,
        reviewed_by=user,
    )
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=review,
        summary=f"季度回访 {m.head_name} {quarter}",
    )
    return review


def removal_refusal(m: MonitoredHousehold, day: dt.date) -> str:
    """Why the risk cannot be marked removed on `day` (empty when it can): the last
    `removal_stable_quarters` quarters, up to `day`'s, each reviewed stable with income at or above the line."""
    r = rules()
    need, line = r.removal_stable_quarters.value, r.income_line.value
    if m.stage not in UNDER_MONITORING:
        return f"只有“纳入监测”或“帮扶中”的户可以标注风险消除；该户现为“{m.get_stage_display()}”"
    if m.alerts.filter(decision__isnull=True).exists():
        return "该户还有未认定的预警：请先入户核查并认定"
    reviews = {rv.quarter: rv for rv in m.reviews.filter(reviewed_on__lte=day)}
    quarter = quarter_of(day)
    if quarter not in reviews:
        quarter = previous_quarter(quarter)
    wanted = []
    for _ in range(need):
        wanted.append(quarter)
        quarter = previous_quarter(quarter)
    for q in wanted:
        rv = reviews.get(q)
        if rv is None:
            return f"需连续 {need} 个季度回访认定风险稳定消除：{q} 没有回访"
        if not rv.stable:
            return f"需连续 {need} 个季度回访认定风险稳定消除：{q} 回访认定风险未消除"
        if rv.income_per_capita_fen < line:
            return f"{q} 回访的人均纯收入低于监测线，不能标注风险消除"
    return ""


@transaction.atomic
def remove_risk(
    *,
    user: User,
    monitored: MonitoredHousehold,
    day: dt.date,
    reason: str,
    request: HttpRequest | None = None,
) -> MonitoredHousehold:
    """风险消除, only when the pack's conditions held for the required quarters."""
    m = _locked(monitored, user)
    day = _not_future(day, "日期")
    reason = _text(reason, "理由", 500)
    if refusal := removal_refusal(m, day):
        raise WorkflowError(refusal)
    _move(
        m,
        Stage.REMOVED,
        user=user,
        day=day,
        reason=f"风险消除：{reason}",
        request=request,
        removed_on=day,
    )
    return m
