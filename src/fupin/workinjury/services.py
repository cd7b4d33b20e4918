"""Writes of 工伤认定绿色通道: report, evidence, investigation, decision, 先行支付.

Each is one transaction, takes keyword arguments, checks the writer and the area, and is audited.
Faults are WorkInjuryError with a Chinese message naming the field.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from fupin import bounds
from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import require_area, require_writer, scoped
from fupin.areas.models import Area, Level
from fupin.management.evidence import check as check_file
from fupin.policy.params import fen_to_yuan
from fupin.registry.choices import ACTIVE_STATUSES
from fupin.registry.idnumber import IdNumberError, mask, parse_id_number
from fupin.registry.models import Person

from .models import CaseEvidence, Decision, EvidenceKind, InjuryCase, Recovery, RecoveryKind
from .rules import default_pack_id, rules


class WorkInjuryError(ValueError):
    """A refused step, with its reason in Chinese."""


def _text(name: str, value: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    field = InjuryCase._meta.get_field(name)
    if required and not value:
        raise WorkInjuryError(f"请填写{field.verbose_name}")
    try:
        return bounds.check_text(InjuryCase, name, value)
    except bounds.BoundsError as exc:
        raise WorkInjuryError(str(exc)) from None


def _locked(case: InjuryCase) -> InjuryCase:
    return InjuryCase.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def report_case(
    *,
    user: User,
    worker_name: str = "",
    worker_id_number: str = "",
    person: Person | None = None,
    village_code: str = "",
    employer_name: str,
    project_name: str = "",
    contract_signed: bool = False,
    accident_on: dt.date,
    accident_place: str,
    injury: str,
    reported_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> InjuryCase:
    """登记事故报告. A registry person (found in the user's area by ID number or given) brings his
    name, village and poverty mark; anyone else needs a village where the case is handled."""
    require_writer(user)
    now = timezone.now()
    reported_at = reported_at or now
    if reported_at > now + dt.timedelta(minutes=5):
        raise WorkInjuryError("接到事故报告时间不能晚于现在")
    try:
        accident_on = bounds.check_date(accident_on, "事故日期")
    except bounds.BoundsError as exc:
        raise WorkInjuryError(str(exc)) from None
    if accident_on > timezone.localdate(reported_at):
        raise WorkInjuryError("事故日期不能晚于接到事故报告的日期")
    if person is None:
        try:
            idn = parse_id_number(worker_id_number)
        except IdNumberError as exc:
            raise WorkInjuryError(f"身份证号：{exc}") from None
        person = scoped(Person.objects.all(), user).filter(id_number=idn.value).first()
        id_value = idn.value
    else:
        person = scoped(Person.objects.all(), user).filter(pk=person.pk).first()
        if person is None:
            raise WorkInjuryError("本辖区内没有这个人员")
        id_value = person.id_number
    if person is not None:
        village_code, name = person.village_code, person.name
        poor = person.status in ACTIVE_STATUSES
    else:
        name, poor = _text("worker_name", worker_name), False
        if not Area.objects.filter(code=village_code, level=Level.VILLAGE).exists():
            raise WorkInjuryError("请选择受理的村（社区）：非建档立卡人员的案件按受理地归属")
    require_area(user, village_code)
    case = InjuryCase.objects.create(
        person=person,
        worker_name=name,
        worker_id_number=id_value,
        village_code=village_code,
        poor=poor,
        employer_name=_text("employer_name", employer_name),
        project_name=_text("project_name", project_name, required=False),
        contract_signed=bool(contract_signed),
        accident_on=accident_on,
        accident_place=_text("accident_place", accident_place),
        injury=_text("injury", injury),
        reported_at=reported_at,
        pack_id=default_pack_id(),
        created_by=user,
    )
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=case,
        summary=f"工伤事故报告：{name}（{mask(id_value)}），{case.employer_name}",
    )
    return case


@transaction.atomic
def add_evidence(
    *,
    user: User,
    case: InjuryCase,
    kind: str,
    upload: UploadedFile,
    note: str = "",
    request: HttpRequest | None = None,
) -> CaseEvidence:
    """劳动关系佐证材料: checked by content, stored under a random name with the case."""
    require_writer(user)
    require_area(user, case.village_code)
    if kind not in EvidenceKind.values:
        raise WorkInjuryError(
            "请选择材料类别（实名制台账、工资支付凭证或记录、工作证、考勤记录、其他）"
        )
    checked, data = check_file(upload)
    try:
        note = bounds.check_text(CaseEvidence, "note", (note or "").strip())
    except bounds.BoundsError as exc:
        raise WorkInjuryError(str(exc)) from None
    ev = CaseEvidence(
        case=case,
        kind=kind,
        name=checked.name,
        file_kind=checked.kind,
        size=checked.size,
        sha256=checked.sha256,
        note=note,
        uploaded_by=user,
    )
    ev.file.save(checked.stored_name, ContentFile(data), save=True)
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=case,
        summary=f"上传{EvidenceKind(kind).label} {ev.name}（{checked.size} 字节）",
    )
    return ev


@transaction.atomic
def investigate(
    *, user: User, case: InjuryCase, note: str, request: HttpRequest | None = None
) -> InjuryCase:
    """工伤调查完成 (the 48-hour clock stops now)."""
    require_writer(user)
    require_area(user, case.village_code)
    locked = _locked(case)
    if locked.investigated_at is not None:
        raise WorkInjuryError("本案已完成调查")
    locked.investigation_note = _text("investigation_note", note)
    locked.investigated_at = timezone.now()
    locked.save(update_fields=["investigation_note", "investigated_at"])
    record(
        AuditAction.UPDATE,
        user=user,
        request=request,
        obj=locked,
        summary=f"工伤调查完成：{locked.worker_name}",
    )
    return locked


@transaction.atomic
def decide(
    *, user: User, case: InjuryCase, decision: str, reason: str, request: HttpRequest | None = None
) -> InjuryCase:
    """认定决定: recognised, not recognised, or disputed (leaves the five-day green channel).
    Recognition needs the investigation and, without a labour contract, at least one of the
    pack's evidence kinds (003: 实名制台账、工资支付凭证或记录、工作证、考勤记录)."""
    require_writer(user)
    require_area(user, case.village_code)
    locked = _locked(case)
    if decision not in (Decision.RECOGNISED, Decision.NOT_RECOGNISED, Decision.DISPUTED):
        raise WorkInjuryError("认定结论应为：认定为工伤、不予认定、有争议")
    if locked.decision not in (Decision.PENDING, Decision.DISPUTED):
        raise WorkInjuryError(f"本案已作出认定（{locked.get_decision_display()}），不能再改")
    if locked.decision == decision:
        raise WorkInjuryError("认定结论与现在相同")
    if locked.investigated_at is None:
        raise WorkInjuryError("请先完成工伤调查，再作认定")
    if decision == Decision.RECOGNISED and not locked.contract_signed:
        r = rules(locked.pack_id)
        needed = r.labour_evidence.value
        if not locked.evidence.filter(kind__in=needed).exists():
            names = "、".join(EvidenceKind(k).label for k in needed)
            raise WorkInjuryError(
                f"未签订劳动合同：认定工伤前须上传确认事实劳动关系的材料（{names}至少一项）"
            )
    old = locked.get_decision_display()
    locked.decision = decision
    locked.decision_reason = _text("decision_reason", reason)
    locked.decided_at = timezone.now()
    locked.save(update_fields=["decision", "decision_reason", "decided_at"])
    record(
        AuditAction.DECISION,
        user=user,
        request=request,
        obj=locked,
        summary=f"工伤认定：{locked.worker_name} {old} → {locked.get_decision_display()}",
        changes={"decision": [old, locked.get_decision_display()]},
    )
    return locked


@transaction.atomic
def grant_first_payment(
    *,
    user: User,
    case: InjuryCase,
    amount_fen: int,
    reason: str,
    request: HttpRequest | None = None,
) -> InjuryCase:
    """先行支付: a recognised case whose employer has not paid; the amount within the pack's cap.
    The money itself goes through 资金发放 (kind work_injury_first_payment) when the worker is a
    registry person."""
    require_writer(user)
    require_area(user, case.village_code)
    locked = _locked(case)
    if locked.decision != Decision.RECOGNISED:
        raise WorkInjuryError("只有认定为工伤的案件才能先行支付")
    if locked.first_payment_fen is not None:
        raise WorkInjuryError("本案已核定先行支付，不能重复核定")
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise WorkInjuryError("先行支付金额须大于 0")
    cap = rules(locked.pack_id).first_payment_cap.value
    if amount_fen > cap:
        raise WorkInjuryError(
            f"先行支付金额 {fen_to_yuan(amount_fen)} 元超过政策包上限 {fen_to_yuan(cap)} 元"
        )
    locked.employer_unpaid = True
    locked.first_payment_fen = amount_fen
    locked.first_payment_reason = _text("first_payment_reason", reason)
    locked.first_payment_on = timezone.localdate()
    locked.save(
        update_fields=[
            "employer_unpaid",
            "first_payment_fen",
            "first_payment_reason",
            "first_payment_on",
        ]
    )
    record(
        AuditAction.DECISION,
        user=user,
        request=request,
        obj=locked,
        summary=f"工伤先行支付核定：{locked.worker_name} {fen_to_yuan(amount_fen)} 元",
    )
    return locked


# -- 向用人单位追偿（先行支付之后） ------------------------------------------------------------------


def recovered_totals(case: InjuryCase) -> dict[str, int]:
    """{recovered, written_off, outstanding} in fen for a case with a first payment."""
    sums = {k: 0 for k in RecoveryKind.values}
    for kind, amount in case.recoveries.values_list("kind", "amount_fen"):
        sums[kind] += amount
    claimed = case.first_payment_fen or 0
    return {
        "claimed": claimed,
        "recovered": sums[RecoveryKind.RECOVERED],
        "written_off": sums[RecoveryKind.WRITTEN_OFF],
        "outstanding": claimed - sums[RecoveryKind.RECOVERED] - sums[RecoveryKind.WRITTEN_OFF],
    }


def _recovery_case(user: User, case: InjuryCase) -> tuple[InjuryCase, dict[str, int]]:
    require_writer(user)
    require_area(user, case.village_code)
    locked = _locked(case)
    if locked.first_payment_fen is None:
        raise WorkInjuryError("本案没有先行支付，无需向用人单位追偿")
    totals = recovered_totals(locked)
    if totals["outstanding"] <= 0:
        raise WorkInjuryError("本案先行支付已全部追回或核销，不能再登记")
    return locked, totals


def _recovery_day(day: dt.date | str, locked: InjuryCase, label: str) -> dt.date:
    try:
        day = bounds.parse_date(day, label)
    except bounds.BoundsError as exc:
        raise WorkInjuryError(str(exc)) from None
    if day > timezone.localdate():
        raise WorkInjuryError(f"{label}不能晚于今天")
    if day < locked.first_payment_on:
        raise WorkInjuryError(f"{label}不能早于先行支付核定日期 {locked.first_payment_on:%Y-%m-%d}")
    return day


def _recovery_note(value: object, *, required: bool, label: str) -> str:
    if not isinstance(value, str):
        raise WorkInjuryError(f"{label}应为文字")
    value = value.strip()
    if required and not value:
        raise WorkInjuryError(f"请填写{label}")
    limit = Recovery._meta.get_field("note").max_length
    if len(value) > limit:
        raise WorkInjuryError(f"{label}最多 {limit} 个字，填写了 {len(value)} 个字")
    return value


@transaction.atomic
def record_recovery(
    *,
    user: User,
    case: InjuryCase,
    amount_fen: int,
    received_on: dt.date | str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Recovery:
    """登记追回: an amount the employer repaid on a day; never more than is outstanding."""
    locked, totals = _recovery_case(user, case)
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise WorkInjuryError("追回金额须大于 0")
    if amount_fen > totals["outstanding"]:
        raise WorkInjuryError(
            f"追回金额 {fen_to_yuan(amount_fen)} 元超过尚未追回的 {fen_to_yuan(totals['outstanding'])} 元"
        )
    entry = Recovery.objects.create(
        case=locked,
        kind=RecoveryKind.RECOVERED,
        amount_fen=amount_fen,
        on=_recovery_day(received_on, locked, "到账日期"),
        note=_recovery_note(note, required=False, label="说明"),
        recorded_by=user,
    )
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=locked,
        summary=f"工伤先行支付追回：{locked.worker_name} {fen_to_yuan(amount_fen)} 元"
        f"（{entry.on:%Y-%m-%d} 到账，尚欠 {fen_to_yuan(totals['outstanding'] - amount_fen)} 元）",
    )
    return entry


@transaction.atomic
def write_off_recovery(
    *,
    user: User,
    case: InjuryCase,
    reason: str,
    on: dt.date | str | None = None,
    request: HttpRequest | None = None,
) -> Recovery:
    """核销: what is still outstanding is written off with the reason (用人单位注销、无财产可执行 …);
    the claim is then closed."""
    locked, totals = _recovery_case(user, case)
    entry = Recovery.objects.create(
        case=locked,
        kind=RecoveryKind.WRITTEN_OFF,
        amount_fen=totals["outstanding"],
        on=_recovery_day(on or timezone.localdate(), locked, "核销日期"),
        note=_recovery_note(reason, required=True, label="核销原因"),
        recorded_by=user,
    )
    record(
        AuditAction.DECISION,
        user=user,
        request=request,
        obj=locked,
        summary=f"工伤先行支付核销：{locked.worker_name} {fen_to_yuan(entry.amount_fen)} 元，{entry.note}",
    )
    return entry
