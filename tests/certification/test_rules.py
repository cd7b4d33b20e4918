"""The deadline windows, checked against dates worked out by hand from the pack's numbers
(31 December; 90 and 30 days before it)."""

import datetime as dt

import pytest

from fupin.certification.rules import rules
from fupin.certification.selectors import Stage, window


def test_pack_values_have_sources():
    r = rules()
    assert (r.deadline.value.month, r.deadline.value.day) == (12, 31)
    for p in (r.deadline, r.reminder_days, r.risk_days, r.home_service):
        assert p.source.text()


@pytest.mark.parametrize(
    "day, stage",
    [
        (dt.date(2018, 10, 1), Stage.PENDING),  # 91 days before 31 Dec
        (dt.date(2018, 10, 2), Stage.DUE),  # 90 days before
        (dt.date(2018, 11, 30), Stage.DUE),
        (dt.date(2018, 12, 1), Stage.AT_RISK),  # 30 days before
        (dt.date(2018, 12, 31), Stage.AT_RISK),  # the deadline itself still counts
        (dt.date(2019, 1, 1), Stage.OVERDUE),
    ],
)
def test_stage_on_day(day, stage):
    w = window(2018)
    assert w.deadline == dt.date(2018, 12, 31)
    assert w.stage(day) == stage
