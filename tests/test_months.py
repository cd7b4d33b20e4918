"""按月推算: n months later kept to the month's end, a month's first and last day, the calendar's edge."""

import datetime as dt

import pytest

from fupin.months import add_months, month_end, month_start


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
