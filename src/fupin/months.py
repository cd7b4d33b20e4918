"""按月推算 (month arithmetic): one place for "n months later", a month's first and last day, and the
quarter (季度) a day falls in.

A day past the end of the target month keeps to that month's end (31 January + 1 month is
28 or 29 February), as loan contracts, follow-up intervals and monthly subsidies count months.
"""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by `months` (negative: back), kept to the target month's end.

    Raises ValueError (or OverflowError) beyond the calendar (year 9999)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        raise ValueError(f"year {year} is out of range")
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def quarter_of(day: dt.date) -> int:
    """The quarter (1–4) `day` falls in: January–March is 1."""
    return (day.month - 1) // 3 + 1


def quarter_start(day: dt.date) -> dt.date:
    """The first day of `day`'s quarter (1 January, 1 April, 1 July or 1 October)."""
    return dt.date(day.year, 3 * quarter_of(day) - 2, 1)
