"""帮扶台账 pages: the filtered ledger and its export list the same rows; bad input is a
Chinese message on the page; another township's person or measure is a 404."""

import datetime as dt

import pytest
from django.urls import reverse

from fupin.assistance.models import PlannedMeasure
from fupin.assistance.services import log
from tests.access.test_scope_sweep import text_of
from tests.conftest import TOWN_A, TOWN_B, login

from .test_services import plan

TODAY = dt.date.today()


@pytest.fixture
def people(make_household):
    return make_household(TOWN_A, members=2).members.order_by("id")


def test_export_takes_the_pages_filter(county_user, people, make_household):
    a, b = people
    c = make_household(TOWN_B, members=1).members.get()
    log(person=a, kind="training", summary="报名培训甲")
    log(person=b, kind="loan", summary="贷款乙")
    log(person=c, kind="training", summary="报名培训丙")
    client = login(county_user)
    page = client.get(
        reverse("assistance:ledger"), {"kind": "training", "area": TOWN_A}
    ).content.decode()
    assert "报名培训甲" in page and "贷款乙" not in page and "报名培训丙" not in page
    text = text_of(
        client.get(reverse("assistance:ledger_export"), {"kind": "training", "area": TOWN_A})
    )
    assert (
        "报名培训甲" in text
        and "贷款乙" not in text
        and "报名培训丙" not in text
        and a.id_number not in text
    )
    text = text_of(
        client.get(reverse("assistance:ledger_export"), {"area": "'; DROP TABLE x;--"})
    )  # not digits: ignored
    assert all(s in text for s in ("报名培训甲", "贷款乙", "报名培训丙"))


def test_township_sees_its_own_ledger_only(town_b_user, people):
    log(person=people[0], kind="other", summary="甲的台账")
    assert "甲的台账" not in login(town_b_user).get(reverse("assistance:ledger")).content.decode()
    assert "甲的台账" not in text_of(login(town_b_user).get(reverse("assistance:ledger_export")))
    assert (
        login(town_b_user).get(reverse("assistance:plan", args=[people[0].pk])).status_code == 404
    )


def test_plan_form_refuses_bad_dates_and_kinds(town_a_user, people):
    client = login(town_a_user)
    url = reverse("assistance:plan", args=[people[0].pk])
    data = {"kind": "training", "description": "参加培训", "cadre": "张三", "due_on": "2026-02-30"}
    assert "不存在" in client.post(url, data).content.decode()
    assert "超出范围" in client.post(url, {**data, "due_on": "9999-01-01"}).content.decode()
    assert (
        "pension 不在可用的选项中"
        in client.post(
            url, {**data, "kind": "pension", "due_on": TODAY.isoformat()}
        ).content.decode()
    )
    assert not PlannedMeasure.objects.exists()
    assert client.post(url, {**data, "due_on": TODAY.isoformat()}).status_code == 302
    assert PlannedMeasure.objects.get().kind == "training"


def test_measure_status_bad_value_and_other_township(town_a_user, town_b_user, county_user, people):
    m = plan(county_user, people[0])
    body = (
        login(town_a_user)
        .post(
            reverse("assistance:measure_status", args=[m.pk]), {"status": "finished"}, follow=True
        )
        .content.decode()
    )
    assert "状态无效" in body
    assert (
        login(town_b_user)
        .post(reverse("assistance:measure_status", args=[m.pk]), {"status": "done"})
        .status_code
        == 404
    )
    m.refresh_from_db()
    assert m.status == "planned"
    assert (
        login(town_a_user).get(reverse("assistance:measure_status", args=[m.pk])).status_code == 405
    )
