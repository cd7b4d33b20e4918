"""低保/特困 periods on the person page (issue 10): add a dated period, end an open one; dates
checked, no overlap, Chinese messages, another township's person or period is a 404; the
settlement then uses the category of each claim's day."""

from __future__ import annotations

import datetime as dt

import pytest

from fupin.access.models import AuditEntry
from fupin.insurance.categories import timelines
from fupin.registry.models import IdentityPeriod, Person
from tests.conftest import TOWN_A, TOWN_B, login


@pytest.fixture
def person(make_household):
    return Person.objects.get(household=make_household(TOWN_A, members=1))


def add(client, person, **data):
    return client.post(f"/registry/persons/{person.pk}/identity/", data, follow=True)


def text(r) -> str:
    return r.content.decode()


def test_add_then_end_a_period_and_the_category_follows_the_day(person, town_a_user):
    c = login(town_a_user)
    r = add(c, person, identity="dibao", start="2018-07-01", reason="浮民发〔2018〕12号")
    assert r.status_code == 200 and "已登记低保对象期间 2018-07-01 至 今" in text(r)
    assert "低保、特困期间" in text(r) and "浮民发〔2018〕12号" in text(r)
    period = IdentityPeriod.objects.get(person=person)
    assert (period.identity, period.start, period.end) == ("dibao", dt.date(2018, 7, 1), None)
    assert Person.objects.get(pk=person.pk).dibao is True  # open period covers today
    r = c.post(
        f"/registry/persons/{person.pk}/identity/{period.pk}/end/",
        {"end": "2019-03-31", "reason": "退出低保"},
        follow=True,
    )
    assert "低保对象期间已终止于 2019-03-31" in text(r)
    period.refresh_from_db()
    assert period.end == dt.date(2019, 3, 31)
    assert Person.objects.get(pk=person.pk).dibao is False
    line = timelines(Person.objects.filter(pk=person.pk))[person.pk]
    assert line.on(dt.date(2018, 6, 30)).category != "dibao"
    assert line.on(dt.date(2018, 7, 1)).category == "dibao"
    assert line.on(dt.date(2019, 3, 31)).category == "dibao"
    assert line.on(dt.date(2019, 4, 1)).category != "dibao"
    assert AuditEntry.objects.filter(summary__contains="低保对象期间终止于 2019-03-31").exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"identity": "dibao", "start": "2018-02-30", "reason": "x"}, "起始日期“2018-02-30”不存在"),
        (
            {"identity": "dibao", "start": "2018/07/01", "reason": "x"},
            "起始日期格式应为 YYYY-MM-DD",
        ),
        (
            {"identity": "dibao", "start": "2999-01-01", "reason": "x"},
            "起始日期 2999-01-01 超出范围",
        ),
        (
            {"identity": "dibao", "start": "2018-07-01", "end": "2018-06-01", "reason": "x"},
            "早于起始日期",
        ),
        (
            {"identity": "wubao", "start": "2018-07-01", "reason": "x"},
            "身份：请选择低保对象或特困供养人员",
        ),
        ({"identity": "dibao", "start": "2018-07-01", "reason": ""}, "依据：必填"),
        ({"identity": "dibao", "start": "2018-07-01", "reason": "长" * 301}, "依据：内容过长"),
        (
            {"identity": ["dibao", "tekun"], "start": "", "reason": "x"},
            "起始日期格式应为 YYYY-MM-DD",
        ),
    ],
)
def test_bad_input_is_a_chinese_message(person, town_a_user, data, message):
    r = add(login(town_a_user), person, **data)
    assert r.status_code == 200 and message in text(r), text(r)[:3000]
    assert not IdentityPeriod.objects.exists()


def test_overlap_and_double_end_are_refused(person, town_a_user):
    c = login(town_a_user)
    add(c, person, identity="tekun", start="2018-01-01", end="2018-12-31", reason="a")
    r = add(c, person, identity="tekun", start="2018-12-31", reason="b")
    assert "特困供养人员期间与已登记的" in text(r) and "重叠" in text(r)
    # Another identity may overlap (低保 and 特困 are separate lines).
    add(c, person, identity="dibao", start="2018-06-01", reason="c")
    assert IdentityPeriod.objects.count() == 2
    closed = IdentityPeriod.objects.get(identity="tekun")
    r = c.post(
        f"/registry/persons/{person.pk}/identity/{closed.pk}/end/",
        {"end": "2019-01-01", "reason": "x"},
        follow=True,
    )
    assert "已于 2018-12-31 终止" in text(r)
    open_ = IdentityPeriod.objects.get(identity="dibao")
    r = c.post(
        f"/registry/persons/{person.pk}/identity/{open_.pk}/end/",
        {"end": "2018-05-01", "reason": "x"},
        follow=True,
    )
    assert "早于低保对象期间的起始日期 2018-06-01" in text(r)
    open_.refresh_from_db()
    assert open_.end is None


def test_other_township_and_read_only_are_refused(
    person, town_b_user, make_user, make_household, town_a_user
):
    r = add(login(town_b_user), person, identity="dibao", start="2018-07-01", reason="x")
    assert r.status_code == 404
    mine = Person.objects.get(household=make_household(TOWN_B, members=1))
    add(login(town_b_user), mine, identity="dibao", start="2018-07-01", reason="x")
    theirs = IdentityPeriod.objects.get(person=mine)
    # A period of another person (even with my own person's id in the URL) is a 404.
    r = login(town_a_user).post(
        f"/registry/persons/{person.pk}/identity/{theirs.pk}/end/",
        {"end": "2019-01-01", "reason": "x"},
    )
    assert r.status_code == 404
    viewer = make_user("viewer-a", "auditor", TOWN_A)
    r = add(login(viewer), person, identity="dibao", start="2018-07-01", reason="x")
    assert r.status_code == 403 and not IdentityPeriod.objects.filter(person=person).exists()
