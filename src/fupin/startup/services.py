"""Writes of start-up support (创业扶持): loans checked against the pack's limits, and the one-time
start-up subsidy whose once-per-person rule is a database constraint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from fupin import bounds
from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import require_area, require_writer
from fupin.areas.models import Area
from fupin.assistance.models import MeasureKind
from fupin.assistance.services import complete_planned, log
from fupin.creditcode import CreditCodeError, parse_credit_code
from fupin.months import add_months
from fupin.policy.employment import LOAN_KIND_NAMES, default_pack_id, rules
from fupin.policy.params import fen_to_yuan
from fupin.registry.models import Person

from .models import Loan, StartupSubsidy


class StartupError(ValueError):
    """Refused, with the reason and the policy source in Chinese."""


def check_loan(*, pack_id: str, kind: str, guaranteed: bool, principal_fen: int) -> None:
    """Raise StartupError unless the loan fits the pack's limits."""
    r = rules(pack_id)
    limit = r.loan_limits.value.get(kind)
    name = LOAN_KIND_NAMES.get(kind, kind)
    if principal_fen <= 0:
        raise StartupError(f"贷款金额应大于 0 元，填写的是 {fen_to_yuan(principal_fen)} 元")
    if limit is None:
        raise StartupError(
            f"政策包 {pack_id} 未规定{name}创业担保贷款（{r.loan_limits.source.text()}）"
        )
    if principal_fen > limit:
        raise StartupError(
            f"{name}创业担保贷款最高 {fen_to_yuan(limit)} 元，"
            f"申请 {fen_to_yuan(principal_fen)} 元超限（{r.loan_limits.source.text()}）"
        )
    if not guaranteed:
        free = r.loan_without_guarantee_limit
        if free.value is None:
            raise StartupError(
                f"政策包 {pack_id} 没有免担保额度，须提供担保（{free.source.text()}）"
            )
        if principal_fen > free.value:
            raise StartupError(
                f"免担保、免抵押贷款最高 {fen_to_yuan(free.value)} 元，超出部分须提供担保（{free.source.text()}）"
            )


def _within_bounds(check: Callable[[Any, str], object], value: object, label: str) -> None:
    try:
        check(value, label)
    except bounds.BoundsError as exc:
        raise StartupError(str(exc)) from None


@transaction.atomic
def grant_loan(
    *,
    user: User,
    person: Person,
    kind: str,
    guaranteed: bool,
    principal_fen: int,
    project: str,
    start_on: dt.date,
    term_months: int = 24,
    lender: str = "",
    pack_id: str | None = None,
    request: HttpRequest | None = None,
) -> Loan:
    require_writer(user)
    require_area(user, person.village_code)
    pack_id = pack_id or default_pack_id()
    check_loan(pack_id=pack_id, kind=kind, guaranteed=guaranteed, principal_fen=principal_fen)
    if not 1 <= term_months <= 120:
        raise StartupError(f"贷款期限应为 1–120 个月，填写的是 {term_months} 个月")
    _within_bounds(bounds.check_date, start_on, "放款日期")
    loan = Loan.objects.create(
        person=person,
        village_code=person.village_code,
        kind=kind,
        guaranteed=guaranteed,
        project=project,
        lender=lender or settings.LOAN_LENDER,
        principal_fen=principal_fen,
        annual_rate_bp=rules(pack_id).loan_annual_rate.value,
        term_months=term_months,
        start_on=start_on,
        pack_id=pack_id,
        created_by=user,
    )
    log(
        person=person,
        kind=MeasureKind.LOAN,
        day=start_on,
        obj=loan,
        user=user,
        summary=f"发放创业担保贷款 {fen_to_yuan(principal_fen)} 元"
        f"（{loan.get_kind_display()}，{term_months}个月，项目：{project}）",
    )
    complete_planned(person=person, kind=MeasureKind.LOAN, day=start_on)
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=loan,
        summary=f"创业担保贷款 {person.name} {fen_to_yuan(principal_fen)} 元",
    )
    return loan


def grant_startup_subsidy(
    *,
    user: User,
    person: Person,
    firm_name: str,
    credit_code: str,
    founded_on: dt.date,
    first_firm: bool,
    day: dt.date | None = None,
    pack_id: str | None = None,
    request: HttpRequest | None = None,
) -> StartupSubsidy:
    """一次性创业补贴. Two simultaneous requests for one person: the database lets one through."""
    require_writer(user)
    require_area(user, person.village_code)
    day = day or dt.date.today()
    _within_bounds(bounds.check_date, founded_on, "成立日期")
    pack_id = pack_id or default_pack_id()
    r = rules(pack_id)
    if r.startup_subsidy.value is None:
        raise StartupError(
            f"政策包 {pack_id} 未规定一次性创业补贴（{r.startup_subsidy.source.text()}）"
        )
    try:
        code = parse_credit_code(credit_code)
    except CreditCodeError as exc:
        raise StartupError(str(exc)) from None
    county = settings.COUNTY_CODE
    if code[2:8] != county:
        name = Area.objects.filter(code=county).values_list("name", flat=True).first() or county
        raise StartupError(
            f"企业登记地（信用代码中的登记机关区划码 {code[2:8]}）不在本县（{name}）行政区域内"
            f"（{r.startup_subsidy.source.text()}）"
        )
    if not first_firm:
        raise StartupError(f"须为初次创办企业（{r.startup_subsidy.source.text()}）")
    months = r.startup_subsidy_min_months.value
    if add_months(founded_on, months) > day:
        raise StartupError(
            f"须稳定经营{months}个月以上，{add_months(founded_on, months):%Y-%m-%d} 后方可申请"
            f"（{r.startup_subsidy_min_months.source.text()}）"
        )
    try:
        with transaction.atomic():
            s = StartupSubsidy.objects.create(
                person=person,
                village_code=person.village_code,
                firm_name=firm_name,
                credit_code=code,
                founded_on=founded_on,
                amount_fen=r.startup_subsidy.value,
                pack_id=pack_id,
                granted_on=day,
                granted_by=user,
            )
            log(
                person=person,
                kind=MeasureKind.STARTUP,
                day=day,
                obj=s,
                user=user,
                summary=f"发放一次性创业补贴 {fen_to_yuan(s.amount_fen)} 元（{firm_name}）",
            )
            complete_planned(person=person, kind=MeasureKind.STARTUP, day=day)
            record(
                AuditAction.CREATE,
                user=user,
                request=request,
                obj=s,
                summary=f"一次性创业补贴 {person.name}",
            )
    except IntegrityError:
        raise StartupError("每个建档立卡贫困劳动力一次性创业补贴只能享受一次：此人已领取") from None
    return s
