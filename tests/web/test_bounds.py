"""fupin.bounds: the one range check per input type (dates, years, months, money, ids)."""

import datetime as dt

import pytest

from fupin import bounds
from fupin.bounds import BoundsError


def test_dates():
    assert bounds.parse_date("2020-06-30") == dt.date(2020, 6, 30)
    assert bounds.parse_date(" 2020-6-3 ") == dt.date(2020, 6, 3)
    assert bounds.parse_date("1890-01-01") == dt.date(1890, 1, 1)
    ten_years = (
        dt.date.today().replace(year=dt.date.today().year + 10)
        if dt.date.today() != dt.date(2028, 2, 29)
        else None
    )
    if ten_years:
        assert bounds.parse_date(ten_years.isoformat()) == ten_years
        with pytest.raises(BoundsError, match="超出范围"):
            bounds.parse_date((ten_years + dt.timedelta(days=1)).isoformat())
    for bad, words in (
        ("9999-12-31", "超出范围"),
        ("0001-01-01", "超出范围"),
        ("1889-12-31", "超出范围"),
        ("2020-02-30", "不存在"),
        ("2020/01/01", "格式应为"),
        ("", "格式应为"),
        ("99999-01-01", "格式应为"),
    ):
        with pytest.raises(BoundsError, match=words):
            bounds.parse_date(bad)
    with pytest.raises(BoundsError):
        bounds.parse_date(20200101)


def test_years_and_months():
    assert bounds.parse_year("2016") == 2016 and bounds.parse_year(2016) == 2016
    for bad in ("-5", "0", "99999999999999999999999", "10000", "二〇一六", True, "1e3"):
        with pytest.raises(BoundsError):
            bounds.parse_year(bad)
    assert bounds.parse_month("2020-06") == dt.date(2020, 6, 1)
    for bad in ("9999-12", "2020-13", "2020-00", "2020", "2020-06-01"):
        with pytest.raises(BoundsError):
            bounds.parse_month(bad)


def test_money():
    assert (
        bounds.yuan_to_fen("12.5") == 1250
        and bounds.yuan_to_fen(3) == 300
        and bounds.yuan_to_fen("0") == 0
    )
    assert bounds.yuan_to_fen("20000000") == 2_000_000_000
    assert bounds.yuan_to_fen("-3.2", allow_negative=True) == -320
    for bad in ("NaN", "Infinity", "1e999999", "20000000.01", "-1", "1.234", "abc", True, None):
        with pytest.raises(BoundsError):
            bounds.yuan_to_fen(bad)


def test_ids_and_query_helpers():
    assert bounds.parse_id("42") == 42
    for bad in ("0", "-1", "9223372036854775808", "1.5", "x"):
        with pytest.raises(BoundsError):
            bounds.parse_id(bad)
    assert bounds.query_id("99999999999999999999999") is None
    assert bounds.query_year("99999", 2020) == 2020
    assert bounds.query_month("9999-12", dt.date(2020, 1, 1)) == dt.date(2020, 1, 1)
    assert bounds.query_int("-5", 1, 1, 10) == 1 and bounds.query_int("7", 1, 1, 10) == 7
