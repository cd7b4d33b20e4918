import pytest

from fupin.payments import providers
from fupin.payments.providers import EntitlementLine, Kind, PeriodError, check_period, period_label


def _none(*, user, period, area_code):
    return [
        EntitlementLine(
            kind="t",
            person_id=1,
            period=period,
            amount_fen=100,
            rule="r",
            source="s",
            village_code=area_code,
        )
    ]


def test_a_registered_kind_is_listed_and_called_with_its_checked_period():
    kind = providers.register(Kind(code="t_kind", name="测试补贴", unit="month", provider=_none))
    try:
        assert providers.kinds()["t_kind"] is kind
        assert providers.kind_name("t_kind") == "测试补贴"
        [line] = kind.lines(user=None, period="2018-03", area_code="360222100000")
        assert line.key == ("t", 1, "2018-03", "")
        with pytest.raises(PeriodError, match="按月份发放，期间应写作 2018-03"):
            list(kind.lines(user=None, period="2018-13", area_code="360222100000"))
    finally:
        providers.unregister("t_kind")
    assert "t_kind" not in providers.kinds()


@pytest.mark.parametrize(
    ("unit", "good", "bad"),
    [
        ("year", "2018", "18"),
        ("month", "2018-12", "2018-3"),
        ("quarter", "2018-Q4", "2018-Q5"),
    ],
)
def test_periods_must_be_of_the_kinds_unit(unit, good, bad):
    kind = Kind(code="x", name="某补贴", unit=unit, provider=_none)
    assert check_period(kind, good) == good
    with pytest.raises(PeriodError):
        check_period(kind, bad)


def test_period_labels_are_chinese():
    assert [period_label(p) for p in ("2018", "2018-03", "2018-Q2", "once")] == [
        "2018年",
        "2018年03月",
        "2018年第2季度",
        "一次性",
    ]


def test_a_kind_with_an_unknown_unit_or_channel_is_refused():
    with pytest.raises(ValueError):
        Kind(code="x", name="x", unit="week", provider=_none)
    with pytest.raises(ValueError):
        Kind(code="x", name="x", unit="year", channel="cash", provider=_none)
