"""What start-up support has paid through 资金发放 (fupin.payments): the one-time start-up subsidy
(一次性创业补贴, once in a lifetime, in the batch of the year it was granted) and the interest
subsidy of guaranteed loans (创业担保贷款贴息, per loan and quarter: the schedule's periods that
end in the quarter, as the start-up module computes them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from fupin.access.models import User
from fupin.access.scope import scoped
from fupin.areas.models import village_code_range
from fupin.payments.providers import ONCE, EntitlementLine, Kind, period_months
from fupin.policy.employment import rules

from .models import Loan, StartupSubsidy
from .schedule import add_months, schedule


def startup_subsidy_lines(*, user: User, period: str, area_code: str) -> Iterator[EntitlementLine]:
    qs = scoped(
        StartupSubsidy.objects.filter(
            granted_on__year=int(period), village_code__range=village_code_range(area_code)
        ),
        user,
    ).order_by("village_code", "person_id")
    for s in qs.iterator(chunk_size=5000):
        yield EntitlementLine(
            kind=STARTUP_SUBSIDY.code,
            person_id=s.person_id,
            period=ONCE,
            amount_fen=s.amount_fen,
            rule=f"{s.pack_id} employment.startup_subsidy",
            source=rules(s.pack_id).startup_subsidy.source.text(),
            village_code=s.village_code,
            note=f"{s.firm_name}（{s.granted_on:%Y-%m-%d} 核定）",
        )


def interest_subsidy_lines(*, user: User, period: str, area_code: str) -> Iterator[EntitlementLine]:
    year, first, last = period_months(period)
    start = dt.date(year, first, 1)
    end = add_months(start, last - first + 1) - dt.timedelta(days=1)
    qs = scoped(
        Loan.objects.filter(start_on__lte=end, village_code__range=village_code_range(area_code)),
        user,
    ).order_by("village_code", "person_id", "id")
    for loan in qs.iterator(chunk_size=2000):
        r = rules(loan.pack_id)
        periods = [
            p
            for p in schedule(
                principal_fen=loan.principal_fen,
                annual_rate_bp=loan.annual_rate_bp,
                term_months=loan.term_months,
                start_on=loan.start_on,
                subsidy_ratio_bp=r.loan_interest_subsidy_ratio.value,
                subsidy_years=r.loan_interest_subsidy_years.value,
            )
            if start <= p.end <= end and p.subsidy_fen > 0
        ]
        amount = sum(p.subsidy_fen for p in periods)
        if amount:
            yield EntitlementLine(
                kind=INTEREST_SUBSIDY.code,
                person_id=loan.person_id,
                period=period,
                amount_fen=amount,
                rule=f"{loan.pack_id} employment.loan_interest_subsidy_ratio",
                source=r.loan_interest_subsidy_ratio.source.text(),
                village_code=loan.village_code,
                item=f"loan-{loan.pk}",
                note=f"{loan.lender}贷款，第{'、'.join(str(p.number) for p in periods)}期贴息",
            )


STARTUP_SUBSIDY = Kind(
    code="startup_subsidy",
    name="一次性创业补贴",
    unit="year",
    provider=startup_subsidy_lines,
    description="按核定年度编制；每人一次（期间记为“一次性”）",
)
INTEREST_SUBSIDY = Kind(
    code="interest_subsidy",
    name="创业担保贷款贴息",
    unit="quarter",
    provider=interest_subsidy_lines,
    description="按季度：计息期在该季度结束的贴息",
)
