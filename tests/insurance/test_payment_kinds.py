"""The 代缴/补缴 payment kinds: lines from the stored run, amounts as computed, inside the batch's
area and the user's scope; back-pay once in a lifetime."""

import datetime as dt

import pytest

from fupin.insurance import services
from fupin.payments import providers
from tests.conftest import TOWN_A, TOWN_B

from .factories import person

pytestmark = pytest.mark.django_db


def test_kinds_are_registered_for_the_agency():
    kinds = providers.kinds()
    for code in (
        "medical_premium",
        "pension_premium",
        "pension_back_pay",
        "pension_account_subsidy",
    ):
        assert kinds[code].channel == "agency" and kinds[code].unit == "year"


def test_lines_come_from_the_run(areas, county_user, town_a_user):
    a, b = person(TOWN_A), person(TOWN_B)
    old = person(TOWN_A, born=dt.date(1950, 1, 1))
    person(TOWN_A, status="exited")
    for insurance in ("medical", "pension"):
        services.execute_run(
            services.create_run(user=None, year=2018, insurance=insurance, pack_id="fuliang-2018")
        )
    lines = list(
        providers.get_kind("medical_premium").lines(
            user=county_user, period="2018", area_code=TOWN_A
        )
    )
    # 甲镇: a and old entitled (220 元 each); the exited person is not; 乙镇's b is outside the area.
    assert {(x.person_id, x.amount_fen, x.period) for x in lines} == {
        (a.pk, 22000, "2018"),
        (old.pk, 22000, "2018"),
    }
    assert all(
        x.rule == "fuliang-2018 subsidy.medical.entitled.poor"
        and x.source
        and x.village_code.startswith(TOWN_A)
        for x in lines
    )
    back = list(
        providers.get_kind("pension_back_pay").lines(
            user=county_user, period="2018", area_code="360222"
        )
    )
    # 15 years × 100 元 = 1500 元, once in a lifetime.
    assert [(x.person_id, x.amount_fen, x.period) for x in back] == [(old.pk, 150000, "once")]
    assert "15 年" in back[0].note
    # A township user asking for the county gets only his township (scope).
    mine = list(
        providers.get_kind("pension_premium").lines(
            user=town_a_user, period="2018", area_code="360222"
        )
    )
    assert {x.person_id for x in mine} == {a.pk} and b.pk not in {x.person_id for x in mine}
    assert not list(
        providers.get_kind("medical_premium").lines(
            user=county_user, period="2019", area_code="360222"
        )
    )
