"""Deadlines and escalation at fixed moments: the pack gives 2 days to acknowledge and 15 days
to answer (checked here by hand, not read back from the code)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from fupin.access.models import AuditEntry
from fupin.complaints import services
from fupin.complaints.models import Complaint, Escalation
from fupin.complaints.selectors import complaints, monthly
from tests.complaints.conftest import T0
from tests.conftest import TOWN_A

DAY = dt.timedelta(days=1)


def _phone(user, person, now=T0, **kw):
    fields = dict(
        kind="complaint",
        category="subsidy",
        channel="phone",
        subject="岗位补贴没到账",
        content="三月份的补贴还没有发",
    )
    fields.update(kw)
    return services.file_by_staff(user=user, person=person, village_code="", now=now, **fields)


def _level(user, c, now):
    return complaints(user, now).get(pk=c.pk).current_level


def test_deadlines_fixed_at_filing(town_a_user, resident):
    c = _phone(town_a_user, resident(TOWN_A))
    assert c.acknowledge_due == T0 + 2 * DAY
    assert c.answer_due == T0 + 15 * DAY
    assert c.village_code == c.person.village_code and c.contact_name == c.person.name
    assert AuditEntry.objects.filter(object_type="complaint", object_id=str(c.pk)).exists()


def test_level_computed_on_read(town_a_user, resident):
    c = _phone(town_a_user, resident(TOWN_A))
    assert _level(town_a_user, c, T0 + 2 * DAY) == 1  # exactly at the limit: not late yet
    assert _level(town_a_user, c, T0 + 2 * DAY + dt.timedelta(seconds=1)) == 2
    assert _level(town_a_user, c, T0 + 15 * DAY + dt.timedelta(seconds=1)) == 3


def test_acknowledged_in_time_stays_in_village_until_answer_late(town_a_user, resident):
    c = _phone(town_a_user, resident(TOWN_A))
    services.acknowledge(user=town_a_user, complaint=c, now=T0 + DAY)
    assert _level(town_a_user, c, T0 + 10 * DAY) == 1
    assert _level(town_a_user, c, T0 + 16 * DAY) == 3
    services.answer(user=town_a_user, complaint=c, text="已发放", now=T0 + 14 * DAY)
    assert _level(town_a_user, c, T0 + 30 * DAY) == 1


def test_answered_late_counts_as_county(town_a_user, resident):
    c = _phone(town_a_user, resident(TOWN_A))
    services.answer(user=town_a_user, complaint=c, text="已发放", now=T0 + 20 * DAY)
    c.refresh_from_db()
    assert c.acknowledged_at == T0 + 20 * DAY  # answering acknowledges
    assert _level(town_a_user, c, T0 + 21 * DAY) == 3


def test_escalation_run_writes_each_step_once(town_a_user, resident):
    c = _phone(town_a_user, resident(TOWN_A))
    assert services.escalate(now=T0 + DAY) == 0
    assert services.escalate(now=T0 + 3 * DAY) == 1
    c.refresh_from_db()
    assert c.level == 2
    assert services.escalate(now=T0 + 4 * DAY) == 0  # nothing new
    assert services.escalate(now=T0 + 16 * DAY) == 1
    steps = list(Escalation.objects.filter(complaint=c).values_list("from_level", "to_level"))
    assert steps == [(1, 2), (2, 3)]
    # a second complaint late on both counts at the first run jumps two steps, both recorded
    d = _phone(town_a_user, resident(TOWN_A), now=T0)
    assert services.escalate(now=T0 + 40 * DAY) == 1
    assert list(Escalation.objects.filter(complaint=d).values_list("from_level", "to_level")) == [
        (1, 2),
        (2, 3),
    ]


def test_rating_only_after_answer_and_once(town_a_user, resident):
    c = _phone(town_a_user, resident(TOWN_A))
    with pytest.raises(services.ComplaintError, match="答复之后"):
        services.rate(complaint=c, satisfaction="satisfied")
    services.answer(user=town_a_user, complaint=c, text="已发放", now=T0 + DAY)
    with pytest.raises(services.ComplaintError, match="满意"):
        services.rate(complaint=c, satisfaction="great")
    services.rate(complaint=c, satisfaction="basic", note="慢了点")
    with pytest.raises(services.ComplaintError, match="评价过"):
        services.rate(complaint=c, satisfaction="unsatisfied")
    with pytest.raises(services.ComplaintError, match="已经答复"):
        services.answer(user=town_a_user, complaint=c, text="再答复", now=T0 + 2 * DAY)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"category": "ufo"}, "不在本县"),
        ({"kind": "praise"}, "诉求或投诉"),
        ({"channel": "portal"}, "渠道"),
        ({"subject": "  "}, "请填写标题"),
        ({"content": "字" * 2001}, "最多 2000 字"),
        ({"subject": ["x"]}, "应为文字"),
    ],
)
def test_bad_input_refused(town_a_user, resident, fields, message):
    with pytest.raises(services.ComplaintError, match=message):
        _phone(town_a_user, resident(TOWN_A), **fields)
    assert not Complaint.objects.exists()


def test_other_township_refused(town_a_user, town_b_user, resident):
    with pytest.raises(PermissionDenied):
        _phone(town_b_user, resident(TOWN_A))
    c = _phone(town_a_user, resident(TOWN_A))
    for act in (
        lambda: services.acknowledge(user=town_b_user, complaint=c),
        lambda: services.answer(user=town_b_user, complaint=c, text="x"),
    ):
        with pytest.raises(PermissionDenied):
            act()
    assert not complaints(town_b_user, T0).exists()


def test_monthly_counts(town_a_user, county_user, resident):
    p = resident(TOWN_A)
    march = _phone(town_a_user, p)  # 2018-03-05
    services.acknowledge(user=town_a_user, complaint=march, now=T0 + DAY)  # in time: no escalation
    services.answer(user=town_a_user, complaint=march, text="好", now=T0 + 3 * DAY)
    services.rate(complaint=march, satisfaction="satisfied")
    late = _phone(town_a_user, p, now=T0 + 30 * DAY, kind="request")  # 2018-04-04, never answered
    _phone(town_a_user, p, now=dt.datetime(2017, 12, 31, 12, tzinfo=dt.UTC))  # other year
    rows = {r["month"]: r for r in monthly(county_user, 2018, T0 + 60 * DAY)}
    assert rows["2018-03"] == {
        "month": "2018-03",
        "filed": 1,
        "complaints": 1,
        "answered": 1,
        "on_time": 1,
        "overdue": 0,
        "escalated": 0,
        "rated": 1,
        "satisfied": 1,
    }
    assert rows["2018-04"]["filed"] == 1 and rows["2018-04"]["complaints"] == 0
    assert rows["2018-04"]["overdue"] == 1 and rows["2018-04"]["escalated"] == 1
    assert sum(r["filed"] for r in rows.values()) == 2
    assert late.pk
