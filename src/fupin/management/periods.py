"""统计期: a month ("2018-03"), a quarter ("2018-Q1") or a year ("2018"), as typed in a page."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from fupin import bounds


@dataclass(frozen=True)
class Period:
    key: str
    start: dt.date
    end: dt.date
    label: str


def month(day: dt.date) -> Period:
    last = calendar.monthrange(day.year, day.month)[1]
    return Period(
        f"{day:%Y-%m}", day.replace(day=1), day.replace(day=last), f"{day.year}年{day.month}月"
    )


def parse(text: str | None, default: dt.date) -> Period:
    """The period typed; anything unreadable or out of range falls back to the month of `default`."""
    text = (text or "").strip()
    try:
        if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
            y, q = int(m[1]), int(m[2])
            bounds.check_year(y)
            start = dt.date(y, 3 * q - 2, 1)
            end = dt.date(y, 3 * q, calendar.monthrange(y, 3 * q)[1])
            return Period(f"{y}-Q{q}", start, end, f"{y}年第{q}季度")
        if re.fullmatch(r"\d{4}", text):
            y = bounds.check_year(int(text))
            return Period(text, dt.date(y, 1, 1), dt.date(y, 12, 31), f"{y}年")
        return month(bounds.parse_month(text))
    except (bounds.BoundsError, ValueError):
        return month(default)


def months_back(end: dt.date, n: int) -> list[Period]:
    """The `n` months ending with the month of `end`, oldest first."""
    out = []
    y, m = end.year, end.month
    for _ in range(n):
        out.append(month(dt.date(y, m, 1)))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]
