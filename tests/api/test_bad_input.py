"""Faults found by fuzzing the OpenAPI schema (schemathesis): each is now a Chinese 4xx, never a 500."""

import datetime as dt

from django.test import Client

from tests.conftest import login


def test_token_post_with_malformed_multipart_is_400(county_user):
    token = (
        Client()
        .post(
            "/api/v1/auth/token",
            {"username": "county", "password": "test-pass-123"},
            content_type="application/json",
        )
        .json()["token"]
    )
    r = Client(HTTP_AUTHORIZATION=f"Bearer {token}").generic(
        "POST", "/api/v1/exchange/imports", b"kind=roster", content_type="multipart/form-data"
    )
    assert r.status_code == 400 and "multipart/form-data" in r.json()["detail"]


def test_impossible_award_year_is_422(county_user):
    r = login(county_user).get("/api/v1/employment/workshops/awards?year=0")
    assert r.status_code == 422 and r.json()["errors"]["year"] == [
        "年度 0 超出范围：应在 1890 至 2036 年之间".replace("2036", str(dt.date.today().year + 10))
    ]
    assert login(county_user).get("/employment/workshops/?year=0").status_code == 200


def test_loan_of_nothing_is_refused(make_household, county_user):
    person = make_household(members=1).members.get()
    c = login(county_user)
    body = {"person_id": person.pk, "principal_fen": 0, "project": "养殖", "start_on": "2020-01-01"}
    r = c.post("/api/v1/startup/loans", body, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"]["principal_fen"] == ["数值过小：应大于 0"]
    r = c.post(
        "/api/v1/startup/loans",
        {**body, "principal_fen": 100_00, "term_months": 0},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"]["term_months"] == ["数值过小：最小为 1"]
