"""The person's category on each admission date, read from the registry's dated history, and
the quote API settling a person's claims with it (身份自动识别、费用自动减免)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied

from fupin.access.scope import OutOfScope
from fupin.insurance.categories import category_on
from fupin.registry.models import IdentityPeriod, Person, StatusChange
from fupin.registry.services import Conflict, record_identity_period
from tests.conftest import TOWN_A, login

D = dt.date


@pytest.fixture
def person(make_household):
    hh = make_household(TOWN_A, members=1)
    return Person.objects.get(household=hh)


def _status(person, day, old, new, *, household_level=False):
    StatusChange.objects.create(
        household=person.household,
        person=None if household_level else person,
        village_code=person.village_code,
        old_status=old,
        new_status=new,
        effective_date=day,
        reason="测试",
    )


def _period(person, identity, start, end=None):
    IdentityPeriod.objects.create(
        person=person, identity=identity, start=start, end=end, reason="测试"
    )


def test_identified_in_august(db, person):
    _status(person, D(2016, 8, 10), "", "new")
    assert category_on(person, D(2016, 3, 1)).category == "general"
    assert (
        category_on(person, D(2016, 3, 1)).basis
        == "非建档立卡享受政策人员：2016-08-10 建档之前未在册"
    )
    assert category_on(person, D(2016, 8, 10)).category == "poor"
    assert category_on(person, D(2016, 9, 1)).basis == "建档立卡：2016-08-10 起为“新识别”"


def test_exit_keeps_policies_then_loses_them(db, person):
    _status(person, D(2016, 1, 1), "", "poor", household_level=True)
    _status(person, D(2018, 12, 1), "poor", "exited_policy", household_level=True)
    _status(person, D(2020, 12, 1), "exited_policy", "exited", household_level=True)
    # No history of the person's own: the household's applies.
    assert category_on(person, D(2019, 5, 1)).category == "poor"  # 已脱贫(享受政策)
    assert category_on(person, D(2021, 1, 1)).category == "general"


def test_becomes_dibao_mid_year_and_tekun_wins(db, person):
    _status(person, D(2016, 1, 1), "", "poor")
    _period(person, "dibao", D(2018, 6, 15), D(2018, 12, 31))
    _period(person, "tekun", D(2018, 10, 1))
    assert category_on(person, D(2018, 6, 14)).category == "poor"
    assert category_on(person, D(2018, 6, 15)).category == "dibao"
    found = category_on(person, D(2018, 11, 1))
    assert found.category == "tekun" and found.basis == "特困供养人员：特困供养人员 2018-10-01–至今"
    assert category_on(person, D(2019, 1, 1)).category == "tekun"


def test_a_person_both_poor_and_dibao_is_settled_in_the_regions_order(db, person, town_a_user):
    """身份优先顺序: Jining gives 低保 nothing of its own (the general rules), so a 建档立卡 person
    who is also 低保 is settled as poor there; Jilin gives 低保 more, so as 低保."""
    _status(person, D(2016, 1, 1), "", "poor")
    _period(person, "dibao", D(2017, 6, 1))
    assert category_on(person, D(2017, 7, 1), ("poor", "tekun", "dibao")).category == "poor"
    assert category_on(person, D(2017, 7, 1), ("tekun", "dibao", "poor")).category == "dibao"
    client = login(town_a_user)
    for policy, category in (("jining", "poor"), ("jilin-2017", "dibao")):
        body = {"policy": policy, "person": person.pk,
                "claims": [_claim("2017-11-01", 2, "20000", "20000")]}  # fmt: skip
        r = _quote(client, body)
        assert r.status_code == 200, r.content
        assert r.json()["claims"][0]["category"] == category, policy


def test_flags_without_dates_apply_to_every_date_and_say_so(db, person):
    Person.objects.filter(pk=person.pk).update(dibao=True)
    person.refresh_from_db()
    found = category_on(person, D(2010, 1, 1))
    assert found.category == "dibao" and "无起止日期记录，按当前登记" in found.basis
    # no status history either: the current status (新识别) applies, said so
    Person.objects.filter(pk=person.pk).update(dibao=False)
    found = category_on(Person.objects.get(pk=person.pk), D(2010, 1, 1))
    assert (found.category, found.basis) == ("poor", "建档立卡：无状态变更记录，按当前状态“新识别”")


def test_record_identity_period_checks_overlap_scope_and_keeps_the_flag(
    db, person, town_a_user, town_b_user
):
    period = record_identity_period(
        user=town_a_user, person=person, identity="dibao", start=D(2018, 6, 15), reason="民政认定"
    )
    person.refresh_from_db()
    assert person.dibao and period.village_code == person.village_code
    with pytest.raises(Conflict, match="低保对象期间与已登记的 低保对象 2018-06-15–至今 重叠"):
        record_identity_period(
            user=town_a_user, person=person, identity="dibao", start=D(2019, 1, 1), reason="x"
        )
    with pytest.raises(Conflict, match="终止日期 2018-01-01 早于起始日期 2018-02-01"):
        record_identity_period(
            user=town_a_user,
            person=person,
            identity="tekun",
            start=D(2018, 2, 1),
            end=D(2018, 1, 1),
            reason="x",
        )
    with pytest.raises((PermissionDenied, OutOfScope)):
        record_identity_period(
            user=town_b_user, person=person, identity="tekun", start=D(2018, 1, 1), reason="x"
        )
    with pytest.raises(PermissionError):
        period.delete()


def _quote(client, body):
    return client.post(
        "/api/v1/settlements/quote", json.dumps(body), content_type="application/json"
    )


def _claim(day, level, total, in_policy):
    return {
        "visit_type": "inpatient",
        "hospital_level": level,
        "admission_date": day,
        "total_cost": total,
        "in_policy_cost": in_policy,
    }


def test_quote_settles_each_claim_with_the_category_of_its_day(db, person, town_a_user):
    _status(person, D(2016, 8, 10), "", "new")
    body = {
        "policy": "jining",
        "person": person.pk,
        "claims": [
            _claim("2016-03-01", 3, "60000", "50000"),
            _claim("2016-09-01", 1, "10000", "10000"),
        ],
    }
    r = _quote(login(town_a_user), body)
    assert r.status_code == 200, r.content
    first, second = r.json()["claims"]
    # Worked in tests/policy/test_dated.py C-01: general in March, poor from August; the 大病
    # year-to-date (23050 after March) is past the threshold when the September stay comes.
    assert [first[k] for k in ("category", "basic_pay", "critical_pay", "self_pay")] == [
        "general",
        "26950.00",
        "5525.00",
        "27525.00",
    ]
    assert [second[k] for k in ("category", "basic_pay", "critical_pay", "self_pay")] == [
        "poor",
        "8910.00",
        "599.50",
        "490.50",
    ]
    assert second["category_basis"] == "建档立卡：2016-08-10 起为“新识别”"
    assert second["period"] == "2016-01-01 至 2019-12-31（济宁市医疗保险精准扶贫（2016））"


def test_quote_of_another_townships_person_is_404(db, person, town_b_user):
    r = _quote(
        login(town_b_user),
        {
            "policy": "jining",
            "person": person.pk,
            "claims": [_claim("2016-03-01", 1, "100", "100")],
        },
    )
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"person": "abc"}, "person"),
        ({"person": 2**63}, "person"),
        ({"person": 1, "category": "poor"}, "person"),
    ],
)
def test_quote_person_bad_input_is_422_in_chinese(db, person, town_a_user, extra, field):
    body = {"policy": "jining", "claims": [_claim("2016-03-01", 1, "100", "100")], **extra}
    if extra.get("person") == 1:
        body["person"] = person.pk
    r = _quote(login(town_a_user), body)
    assert r.status_code == 422, r.content
    assert r.json()["detail"]


def test_quote_far_future_date_is_refused_by_the_date_bounds(db, person, town_a_user):
    r = _quote(
        login(town_a_user),
        {
            "policy": "jining",
            "person": person.pk,
            "claims": [_claim("9999-01-01", 1, "100", "100")],
        },
    )
    assert r.status_code == 422
