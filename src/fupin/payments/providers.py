"""The provider seam of 资金发放 (payment batches): what a module hands in to be paid.

A module that computes money for people (a subsidy, a premium paid by the government) registers
a **kind** (发放项目): a code, its Chinese name, the unit of its periods, and a provider function
that lists the **entitlement lines** (应发明细) of a period in an area:

    provider(*, user, period: str, area_code: str) -> Iterable[EntitlementLine]

The provider reads through `fupin.access.scope.scoped(…, user)` like any page, and yields one
line per person, entitlement and period. The payment batch (`fupin.payments.services`) does the
rest: maker–checker, exports, paid, reconciled — and a database constraint that one entitlement
(kind, person, period, item) is in at most one live batch line, so nobody is paid twice.

Kinds are registered in settings (`PAYMENT_KINDS`, "module.ATTRIBUTE" naming a `Kind`) or by
`register(kind)` (tests). No Django model is imported here.

Periods are text: "2018" (year), "2018-03" (month), "2018-Q1" (quarter) or "once" (一次性:
an entitlement a person has once in a lifetime, such as the start-up subsidy).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from fupin.access.models import User

ONCE = "once"
UNITS = {"year": "年度", "month": "月份", "quarter": "季度"}
CHANNELS = {"bank": "银行代发（打卡到人）", "agency": "社保经办机构（代缴保费）"}
PAYEES = {"person": "本人", "organisation": "单位"}
_PERIOD = {
    "year": re.compile(r"^(\d{4})$"),
    "month": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
}


class PeriodError(ValueError):
    """A period that is not of the kind's unit; the message is Chinese."""


@dataclass(frozen=True)
class EntitlementLine:
    """应发明细: one person's entitlement of one kind for one period.

    - `kind`: the registered kind's code; `person_id`: registry Person; `village_code`: the
      person's 12-digit village (the line's area).
    - `period`: "2018", "2018-03", "2018-Q1" or "once"; `item`: what else tells two entitlements
      of the same person and period apart (the loan, the workshop), "" for most kinds.
    - `amount_fen`: integer fen, > 0.
    - `rule`: the rule applied, e.g. "fuliang-2018 employment.welfare_post_monthly_subsidy";
      `source`: its source sentence (or "assumed: …"), as the policy pack gives it.
    - `payee_name` / `payee_code`: only when the money goes to an organisation (a workshop's
      award): its name and unified social credit code; empty means the person is the payee.
    - `note`: shown in the batch (the post, the school, the firm).
    """

    kind: str
    person_id: int
    period: str
    amount_fen: int
    rule: str
    source: str
    village_code: str
    item: str = ""
    payee_name: str = ""
    payee_code: str = ""
    note: str = ""

    @property
    def key(self) -> tuple[str, int, str, str]:
        """The entitlement: paid at most once (the database constraint of PaymentLine)."""
        return (self.kind, self.person_id, self.period, self.item)


Provider = Callable[..., Iterable[EntitlementLine]]


@dataclass(frozen=True)
class Kind:
    """发放项目: a registered kind of payment.

    `unit` is the unit of the period a batch is prepared for ("year", "month", "quarter");
    `channel` says where the money goes ("bank": to people's accounts through the bank's 代发
    file; "agency": premiums the government pays, listed for the insurance agency);
    `purpose` is the 用途 column of the bank file; `provider` is a callable or its dotted path.
    """

    code: str
    name: str
    unit: str
    provider: Provider | str
    channel: str = "bank"
    purpose: str = ""
    payee: str = "person"
    description: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"unknown period unit {self.unit!r} of payment kind {self.code}")
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r} of payment kind {self.code}")
        if self.payee not in PAYEES:
            raise ValueError(f"unknown payee {self.payee!r} of payment kind {self.code}")

    @property
    def purpose_text(self) -> str:
        return self.purpose or self.name

    def lines(self, *, user: User, period: str, area_code: str) -> Iterable[EntitlementLine]:
        fn = import_string(self.provider) if isinstance(self.provider, str) else self.provider
        return fn(user=user, period=check_period(self, period), area_code=area_code)


_registered: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Register a kind (tests, or a module that prefers code to settings). Re-registering replaces."""
    _registered[kind.code] = kind
    return kind


def unregister(code: str) -> None:
    _registered.pop(code, None)


def kinds() -> dict[str, Kind]:
    """Every kind: those named in settings.PAYMENT_KINDS, then those registered in code."""
    out: dict[str, Kind] = {}
    for path in getattr(settings, "PAYMENT_KINDS", []):
        kind = import_string(path)
        out[kind.code] = kind
    out.update(_registered)
    return out


def get_kind(code: str) -> Kind:
    """The kind, or KindError with a Chinese message."""
    kind = kinds().get(code)
    if kind is None:
        raise KindError(f"没有发放项目“{code}”")
    return kind


class KindError(ValueError):
    """An unknown kind; the message is Chinese."""


def kind_name(code: str) -> str:
    kind = kinds().get(code)
    return kind.name if kind else code


def check_period(kind: Kind, period: str) -> str:
    """The period, if it is one of the kind's unit; else PeriodError in Chinese."""
    text = (period or "").strip()
    m = _PERIOD[kind.unit].match(text)
    if not m or not 1990 <= int(m.group(1)) <= 2100:
        example = {"year": "2018", "month": "2018-03", "quarter": "2018-Q1"}[kind.unit]
        raise PeriodError(
            f"“{kind.name}”按{UNITS[kind.unit]}发放，期间应写作 {example}，填写的是“{text[:20]}”"
        )
    return text


def period_label(period: str) -> str:
    """2018 → 2018年; 2018-03 → 2018年03月; 2018-Q1 → 2018年第1季度; once → 一次性."""
    if period == ONCE:
        return "一次性"
    if m := _PERIOD["month"].match(period):
        return f"{m.group(1)}年{m.group(2)}月"
    if m := _PERIOD["quarter"].match(period):
        return f"{m.group(1)}年第{m.group(2)}季度"
    if _PERIOD["year"].match(period):
        return f"{period}年"
    return period


def period_months(period: str) -> tuple[int, int, int]:
    """(year, first month, last month) of a year, month or quarter period."""
    if m := _PERIOD["month"].match(period):
        return int(m.group(1)), int(m.group(2)), int(m.group(2))
    if m := _PERIOD["quarter"].match(period):
        q = int(m.group(2))
        return int(m.group(1)), 3 * q - 2, 3 * q
    return int(period[:4]), 1, 12
