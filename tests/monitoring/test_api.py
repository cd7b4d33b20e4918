"""/api/v1/monitoring: the workflow through JSON, and the attacker cases — another township's
ids answer 404, wrong JSON types and far-future dates 422 naming the field, refusals 422 in Chinese."""

import datetime as dt
import json

import pytest

from fupin.access.models import Role
from fupin.monitoring.models import MonitoredHousehold, Stage
from tests.conftest import TOWN_A, TOWN_B, login

from .helpers import TODAY, exited, run


@pytest.fixture
def world(county_user, make_household):
    a = exited(make_household, TOWN_A, income_yuan=3000)
    b = exited(make_household, TOWN_B, income_yuan=3000)
    run(county_user)
    return MonitoredHousehold.objects.get(household=a), MonitoredHousehold.objects.get(household=b)


def post(client, path, data):
    return client.post(f"/api/v1{path}", data=json.dumps(data), content_type="application/json")


def test_workflow_through_the_api(world, town_a_user, make_user):
    m = world[0]
    village = login(make_user("village-a", Role.VILLAGE, TOWN_A))
    town = login(town_a_user)
    assert (
        post(
            village,
            f"/monitoring/households/{m.pk}/checks",
            {"checked_on": TODAY.isoformat(), "findings": "收入下降"},
        ).status_code
        == 201
    )
    r = post(
        village,
        f"/monitoring/households/{m.pk}/decision",
        {"include": True, "reason": "收入低", "day": TODAY.isoformat()},
    )
    assert r.status_code == 422 and "核查人不能认定" in r.json()["detail"]
    r = post(
        town,
        f"/monitoring/households/{m.pk}/decision",
        {"include": True, "reason": "收入低", "day": TODAY.isoformat()},
    )
    assert (
        r.status_code == 201
        and r.json()["stage"] == Stage.MONITORED
        and r.json()["risk_types"] == ["income"]
    )
    r = post(
        town,
        f"/monitoring/households/{m.pk}/measures",
        {"kind": "training", "description": "茶艺培训", "day": TODAY.isoformat()},
    )
    assert r.status_code == 201 and r.json()["stage_name"] == "帮扶中"
    r = post(
        town,
        f"/monitoring/households/{m.pk}/reviews",
        {
            "reviewed_on": TODAY.isoformat(),
            "income_per_capita_fen": 600000,
            "stable": True,
            "note": "稳定",
        },
    )
    assert r.status_code == 201
    r = post(
        town, f"/monitoring/households/{m.pk}/removal", {"day": TODAY.isoformat(), "reason": "稳定"}
    )
    assert r.status_code == 422 and "连续 2 个季度" in r.json()["detail"]
    d = town.get(f"/api/v1/monitoring/households/{m.pk}").json()
    assert d["alerts"][0]["signal_name"] == "人均纯收入低于监测线" and d["alerts"][0][
        "rule_name"
    ].endswith("监测线（人均纯收入）")


def test_other_townships_ids_are_404(world, town_a_user):
    c = login(town_a_user)
    other = world[1]
    assert c.get(f"/api/v1/monitoring/households/{other.pk}").status_code == 404
    assert (
        post(
            c,
            f"/monitoring/households/{other.pk}/checks",
            {"checked_on": TODAY.isoformat(), "findings": "x"},
        ).status_code
        == 404
    )
    assert (
        post(
            c,
            "/monitoring/events",
            {
                "household_id": other.household_id,
                "signal": "disaster",
                "day": TODAY.isoformat(),
                "description": "x",
            },
        ).status_code
        == 404
    )
    ids = [h["id"] for h in c.get("/api/v1/monitoring/households").json()]
    assert ids == [world[0].pk]
    assert c.get("/api/v1/monitoring/households", {"area": TOWN_B}).json() == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({"checked_on": "2026-01-01", "findings": 123}, "findings"),
        ({"checked_on": 20260101, "findings": "x"}, "checked_on"),
        ({"checked_on": "9999-12-31", "findings": "x"}, "checked_on"),
        (
            {"checked_on": "2026-01-01", "findings": "x", "income_per_capita_fen": "300000"},
            "income_per_capita_fen",
        ),
        (
            {"checked_on": "2026-01-01", "findings": "x", "income_per_capita_fen": 10**20},
            "income_per_capita_fen",
        ),
        ({"checked_on": "2026-01-01", "findings": "x" * 501}, "findings"),
    ],
)
def test_wrong_types_and_ranges_are_422(world, town_a_user, body, field):
    r = post(login(town_a_user), f"/monitoring/households/{world[0].pk}/checks", body)
    assert r.status_code == 422 and field in r.json()["errors"]


def test_tomorrow_is_refused_in_chinese(world, town_a_user):
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    r = post(
        login(town_a_user),
        f"/monitoring/households/{world[0].pk}/checks",
        {"checked_on": tomorrow, "findings": "x"},
    )
    assert r.status_code == 422 and "不能晚于今天" in r.json()["detail"]


def test_decision_include_must_be_a_boolean(world, town_a_user):
    r = post(
        login(town_a_user),
        f"/monitoring/households/{world[0].pk}/decision",
        {"include": "true", "reason": "x", "day": TODAY.isoformat()},
    )
    assert r.status_code == 422 and "include" in r.json()["errors"]


def test_run_through_the_api(world, town_a_user, django_capture_on_commit_callbacks):
    c = login(town_a_user)
    with django_capture_on_commit_callbacks(execute=True):
        r = post(c, "/monitoring/runs", {})
    assert r.status_code == 201
    got = c.get(f"/api/v1/monitoring/runs/{r.json()['id']}").json()
    assert got["state"] == "done" and got["new_alerts"] == 0  # already raised by the county's run
    assert post(c, "/monitoring/runs", {"area_code": TOWN_B}).status_code == 403
    assert post(c, "/monitoring/runs", {"area_code": "abc"}).status_code == 422
