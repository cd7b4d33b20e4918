"""What the insurance module has paid through 资金发放 (fupin.payments): resident medical and
pension premiums the government pays (代缴, to the insurance agency), 60+ back-pay (补缴, once in
a lifetime) and the one-time personal-account subsidy where a pack defines one — one line per
entitled person from the stored yearly run (`SubsidyEntry`), amounts as the run computed them."""

from __future__ import annotations

from collections.abc import Iterator

from fupin.access.models import User
from fupin.access.scope import scoped
from fupin.areas.models import village_code_range
from fupin.payments.providers import ONCE, EntitlementLine, Kind

from .models import SubsidyEntry, SubsidyRun


def _lines(
    kind: Kind,
    *,
    user: User,
    period: str,
    area_code: str,
    insurance: str,
    scheme: str,
    line_period: str,
) -> Iterator[EntitlementLine]:
    qs = scoped(
        SubsidyEntry.objects.filter(
            year=int(period),
            insurance=insurance,
            scheme=scheme,
            outcome="entitled",
            village_code__range=village_code_range(area_code),
            amount_fen__gt=0,
        ),
        user,
    ).order_by("village_code", "person_id")
    rules: dict[int, dict] = {}
    for e in qs.values(
        "person_id", "village_code", "amount_fen", "rule", "run_id", "years"
    ).iterator(chunk_size=5000):
        if e["run_id"] not in rules:
            rules[e["run_id"]] = (
                SubsidyRun.objects.filter(pk=e["run_id"]).values_list("rules", flat=True).first()
                or {}
            )
        info = rules[e["run_id"]].get(e["rule"], {})
        note = info.get("name", "")
        if e["years"]:
            note = f"{note}：补缴 {e['years']} 年"
        yield EntitlementLine(
            kind=kind.code,
            person_id=e["person_id"],
            period=line_period,
            amount_fen=e["amount_fen"],
            rule=info.get("rule", e["rule"]),
            source=info.get("source", ""),
            village_code=e["village_code"],
            note=note,
        )


def medical_premium_lines(*, user: User, period: str, area_code: str) -> Iterator[EntitlementLine]:
    """城乡居民医疗保险个人缴费代缴 of the year: every entitled person of the year's run."""
    return _lines(
        MEDICAL_PREMIUM,
        user=user,
        period=period,
        area_code=area_code,
        insurance="medical",
        scheme="premium",
        line_period=period,
    )


def pension_premium_lines(*, user: User, period: str, area_code: str) -> Iterator[EntitlementLine]:
    """城乡居民养老保险费代缴 of the year."""
    return _lines(
        PENSION_PREMIUM,
        user=user,
        period=period,
        area_code=area_code,
        insurance="pension",
        scheme="premium",
        line_period=period,
    )


def pension_back_pay_lines(*, user: User, period: str, area_code: str) -> Iterator[EntitlementLine]:
    """60 周岁以上补缴 found by the year's run: once in a lifetime (period "once")."""
    return _lines(
        PENSION_BACK_PAY,
        user=user,
        period=period,
        area_code=area_code,
        insurance="pension",
        scheme="back_pay",
        line_period=ONCE,
    )


def account_subsidy_lines(*, user: User, period: str, area_code: str) -> Iterator[EntitlementLine]:
    """一次性补贴记入个人账户 (only where a pack names an amount): once in a lifetime."""
    return _lines(
        ACCOUNT_SUBSIDY,
        user=user,
        period=period,
        area_code=area_code,
        insurance="pension",
        scheme="account_subsidy",
        line_period=ONCE,
    )


MEDICAL_PREMIUM = Kind(
    code="medical_premium",
    name="城乡居民医疗保险个人缴费代缴",
    unit="year",
    provider=medical_premium_lines,
    channel="agency",
    description="按年度代缴名单，由财政向医保经办机构缴纳",
)
PENSION_PREMIUM = Kind(
    code="pension_premium",
    name="城乡居民养老保险费代缴",
    unit="year",
    provider=pension_premium_lines,
    channel="agency",
    description="按年度代缴名单，由财政向社保经办机构缴纳",
)
PENSION_BACK_PAY = Kind(
    code="pension_back_pay",
    name="60周岁以上贫困人员养老保险费补缴",
    unit="year",
    provider=pension_back_pay_lines,
    channel="agency",
    description="每人一次，按补缴名单的年数和最低档次",
)
ACCOUNT_SUBSIDY = Kind(
    code="pension_account_subsidy",
    name="养老保险一次性个人账户补贴",
    unit="year",
    provider=account_subsidy_lines,
    channel="agency",
    description="政策包规定金额时，记入60周岁以上领取待遇的贫困人员个人账户",
)
