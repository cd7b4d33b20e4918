"""按月推算: n months later kept to the month's end, a month's first and last day, the quarter, the
calendar's edge — and no month arithmetic written anywhere else in src."""

import datetime as dt
import re
from pathlib import Path

import pytest

from fupin.months import add_months, month_end, month_start, quarter_of, quarter_start


@pytest.mark.parametrize(
    "day,months,expected",
    [
        (dt.date(2019, 1, 31), 1, dt.date(2019, 2, 28)),
        (dt.date(2020, 1, 31), 1, dt.date(2020, 2, 29)),  # leap year
        (dt.date(2019, 8, 31), 1, dt.date(2019, 9, 30)),
        (dt.date(2019, 11, 15), 2, dt.date(2020, 1, 15)),  # over the year's end
        (dt.date(2019, 12, 31), 12, dt.date(2020, 12, 31)),
        (dt.date(2019, 3, 31), -1, dt.date(2019, 2, 28)),  # back
        (dt.date(2020, 1, 15), -1, dt.date(2019, 12, 15)),
        (dt.date(2020, 5, 31), -3, dt.date(2020, 2, 29)),
        (dt.date(2020, 5, 31), 0, dt.date(2020, 5, 31)),
    ],
)
def test_add_months_keeps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_month_start_and_end():
    assert [month_end(dt.date(2019, m, 10)).day for m in range(1, 13)] == [
        31,
        28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ]
    assert month_end(dt.date(2020, 2, 1)) == dt.date(2020, 2, 29) and month_end(
        dt.date(9999, 12, 5)
    ) == dt.date(9999, 12, 31)
    assert month_start(dt.date(2020, 2, 29)) == dt.date(2020, 2, 1)


@pytest.mark.parametrize(
    "day,months", [(dt.date(9999, 11, 1), 2), (dt.date(1, 1, 1), -1), (dt.date(2020, 1, 1), 10**6)]
)
def test_beyond_the_calendar_is_a_value_error(day, months):
    with pytest.raises(ValueError):
        add_months(day, months)


def test_quarters():
    # written out by hand, not computed the way the helper computes them
    expected = {1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 2, 7: 3, 8: 3, 9: 3, 10: 4, 11: 4, 12: 4}
    starts = {1: 1, 2: 4, 3: 7, 4: 10}
    for month, quarter in expected.items():
        for day in (1, 15, 28):
            d = dt.date(2019, month, day)
            assert quarter_of(d) == quarter
            assert quarter_start(d) == dt.date(2019, starts[quarter], 1)
    assert quarter_start(dt.date(2020, 12, 31)) == dt.date(2020, 10, 1)


SRC = Path(__file__).resolve().parents[1] / "src" / "fupin"
# Month or quarter arithmetic by hand: what fupin.months is for.
BY_HAND = re.compile(
    r"[%/]\s*12\b|relativedelta|month\s*[-+]\s*1\s*\)\s*//\s*3|month=\w+\.month\s*[-+]"
)


def test_no_month_arithmetic_outside_the_helper():
    found = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "months.py" and "migrations" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BY_HAND.search(line)
    ]
    assert found == []
