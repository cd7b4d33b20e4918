"""创业担保贷款贴息计划: interest-only, paid quarterly, principal at maturity; the
government pays `subsidy_ratio` of the interest for the first `subsidy_years` years.

Integer fen throughout: cumulative interest to month m is rounded once, and each period is
the difference of two cumulative figures, so the periods add up exactly to the total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fupin.months import add_months
from fupin.policy.params import BP, round_half_up

MONTHS_PER_PERIOD = 3


@dataclass(frozen=True)
class Period:
    number: int
    start: dt.date
    end: dt.date
    months: int
    interest_fen: int
    subsidy_fen: int

    @property
    def borrower_fen(self) -> int:
        return self.interest_fen - self.subsidy_fen


class ScheduleError(ValueError):
    """The plan cannot be computed for this loan (a date the calendar cannot hold); Chinese message."""


def schedule(
    *,
    principal_fen: int,
    annual_rate_bp: int,
    term_months: int,
    start_on: dt.date,
    subsidy_ratio_bp: int,
    subsidy_years: int,
) -> list[Period]:
    if principal_fen <= 0 or term_months <= 0:
        raise ValueError("贷款金额和期限须为正数")
    try:
        add_months(start_on, term_months)
    except (ValueError, OverflowError):
        # Bounds keep such dates out of new entries (fupin.bounds); a row stored before them is
        # shown with this reason instead of failing the page.
        raise ScheduleError(
            f"放款日期 {start_on.isoformat()} 起 {term_months} 个月超出可计算的日期范围，请更正放款日期"
        ) from None
    subsidised = subsidy_years * 12

    def interest_to(month: int) -> int:  # cumulative interest after `month` months, in fen
        return round_half_up(principal_fen * annual_rate_bp * month, BP * 12)

    def subsidy_to(month: int) -> int:
        return round_half_up(
            principal_fen * annual_rate_bp * min(month, subsidised) * subsidy_ratio_bp, BP * 12 * BP
        )

    periods, month, n = [], 0, 0
    while month < term_months:
        months = min(MONTHS_PER_PERIOD, term_months - month)
        n += 1
        interest = interest_to(month + months) - interest_to(month)
        subsidy = min(subsidy_to(month + months) - subsidy_to(month), interest)
        periods.append(
            Period(
                n,
                add_months(start_on, month),
                add_months(start_on, month + months) - dt.timedelta(days=1),
                months,
                interest,
                subsidy,
            )
        )
        month += months
    return periods


def totals(periods: list[Period]) -> dict[str, int]:
    return {
        "interest_fen": sum(p.interest_fen for p in periods),
        "subsidy_fen": sum(p.subsidy_fen for p in periods),
        "borrower_fen": sum(p.borrower_fen for p in periods),
    }
