"""Out-of-range and wrongly typed input, on the API and on the pages: a Chinese 4xx naming the
field, nothing stored, never a 500 (issue 8, item 5). Each case was a 500 or was stored before."""

import datetime as dt
import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from fupin.assistance.models import PlannedMeasure
from fupin.employment.models import WelfareSubsidy
from fupin.registry.models import Person
from fupin.startup.models import Loan, StartupSubsidy
from fupin.training.models import TechnicalStudentAid
from tests.conftest import login
from tests.employment import factories as f

FAR = "9999-11-01"
HUGE = "99999999999999999999999"


def post_json(client, url, body):
    return client.post(url, json.dumps(body, ensure_ascii=False), content_type="application/json")


def flashed(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.fixture
def person(make_household):
    return make_household(members=1).members.get()


def test_far_future_loan_is_refused_by_api_and_page(person, county_user):
    c = login(county_user)
    r = post_json(
        c,
        "/api/v1/startup/loans",
        {"person_id": person.pk, "principal_fen": 100_000_00, "project": "养殖", "start_on": FAR},
    )
    assert r.status_code == 422
    assert (
        "超出范围" in r.json()["errors"]["start_on"][0]
        and "9999-11-01" in r.json()["errors"]["start_on"][0]
    )
    r = c.post(
        reverse("startup:loan_new"),
        {
            "person": person.pk,
            "kind": "individual",
            "guaranteed": "on",
            "principal": "1000",
            "project": "养殖",
            "start_on": FAR,
            "term_months": "24",
        },
    )
    assert r.status_code == 200 and "超出范围" in r.content.decode()
    r = c.post(
        reverse("startup:loan_new"),
        {
            "person": person.pk,
            "kind": "individual",
            "guaranteed": "on",
            "principal": "NaN",
            "project": "养殖",
            "start_on": "2020-01-01",
            "term_months": "24",
        },
    )
    assert r.status_code == 200 and "贷款金额" in r.content.decode()
    assert not Loan.objects.exists()
    # the loan pages and both exports stay up
    for name in ("startup:loans", "startup:loans_export"):
        assert c.get(reverse(name)).status_code == 200


def test_far_future_startup_subsidy_is_refused(person, county_user):
    r = post_json(
        login(county_user),
        "/api/v1/startup/subsidies",
        {
            "person_id": person.pk,
            "firm_name": "浮梁茶社",
            "credit_code": "91360222MA35XXXX1X",
            "founded_on": "9999-12-31",
            "first_firm": True,
        },
    )
    assert r.status_code == 422 and "超出范围" in r.json()["errors"]["founded_on"][0]
    r = login(county_user).post(
        reverse("startup:subsidy_new"),
        {
            "person": person.pk,
            "firm_name": "浮梁茶社",
            "credit_code": "91360222MA35XXXX1X",
            "founded_on": "9999-12-31",
            "first_firm": "on",
        },
    )
    assert r.status_code == 200 and "超出范围" in r.content.decode()
    assert not StartupSubsidy.objects.exists()


def test_far_future_month_on_timetable_and_welfare_grant(areas, county_user):
    c = login(county_user)
    r = c.get(reverse("employment:timetable"), {"month": "9999-12"})
    assert r.status_code == 200
    r = c.post(reverse("employment:welfare_grant"), {"month": "9999-12"})
    assert r.status_code == 302 and "超出范围" in flashed(r)
    r = c.post(reverse("employment:welfare_grant"), {"month": "2020-13"})
    assert r.status_code == 302 and "月份“2020-13”不存在" in flashed(r)
    assert not WelfareSubsidy.objects.exists()


@pytest.mark.parametrize("year", [HUGE, "-5", "0", "10000"])
def test_technical_aid_year_out_of_range_is_refused_in_chinese(person, county_user, year):
    Person.objects.filter(pk=person.pk).update(technical_student=True)
    r = login(county_user).post(
        reverse("training:technical_grant", args=[person.pk]),
        {"year": year, "school": "景德镇技师学院"},
    )
    assert r.status_code == 302
    message = flashed(r)
    assert f"学年 {year} 超出范围" in message or "学年应为四位数字年份" in message, message
    assert "学年已登记资助" not in message
    assert not TechnicalStudentAid.objects.exists()


def test_huge_household_filter_is_422(county_user):
    r = login(county_user).get(f"/api/v1/persons?household={HUGE}")
    assert r.status_code == 422 and r.json()["errors"]["household"]
    r = login(county_user).get(f"/api/v1/households?after={HUGE}")
    assert r.status_code == 422 and r.json()["errors"]["after"]


def test_pages_take_huge_ids_as_missing(person, county_user):
    c = login(county_user)
    assert c.get(reverse("registry:households"), {"after": HUGE}).status_code == 200
    assert c.get(reverse("registry:person_new"), {"household": HUGE}).status_code == 200
    r = c.post(reverse("employment:refer", args=[person.pk]), {"posting": HUGE})
    assert r.status_code == 302 and "岗位不存在" in flashed(r)


def test_three_megabyte_json_body_is_413_in_chinese(county_user):
    body = json.dumps(
        {"policy": "fuliang-2018", "category": "poor", "claims": [], "pad": "x" * 3_000_000}
    )
    r = login(county_user).post("/api/v1/settlements/quote", body, content_type="application/json")
    assert r.status_code == 413 and "请求体过大" in r.json()["detail"]


@pytest.mark.parametrize(
    "body", ["{bad", "[" * 100_000 + "]" * 100_000, '{"policy": "fuliang-2018",']
)
def test_malformed_or_deeply_nested_json_is_400_in_chinese(county_user, body):
    r = login(county_user).post("/api/v1/settlements/quote", body, content_type="application/json")
    assert r.status_code == 400 and "请求体不是有效的 JSON" in r.json()["detail"]


def test_json_of_the_wrong_type_is_refused_not_stored(person, county_user):
    c = login(county_user)
    for body in (
        {"name": ["张", "三"]},
        {"name": 123},
        {"phone": {"a": 1}},
        {"training_need": "yes"},
    ):
        r = c.patch(
            f"/api/v1/persons/{person.pk}",
            json.dumps(body, ensure_ascii=False),
            content_type="application/json",
        )
        assert r.status_code == 422, body
        assert set(r.json()["errors"]) == set(body)
    assert Person.objects.get(pk=person.pk).name == person.name
    r = c.patch(
        f"/api/v1/households/{person.household_id}",
        json.dumps({"address": ["浮梁", "镇"]}),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"]["address"] == ["应为文本"]


def test_api_text_limits_are_the_forms(person, county_user):
    c = login(county_user)
    r = post_json(
        c,
        f"/api/v1/assistance/persons/{person.pk}/measures",
        {"kind": "training", "description": "帮" * 5000, "cadre": "李干部", "due_on": "2026-01-01"},
    )
    assert r.status_code == 422 and r.json()["errors"]["description"] == ["文本过长：最多 200 个字"]
    assert not PlannedMeasure.objects.exists()
    r = c.patch(
        f"/api/v1/persons/{person.pk}",
        json.dumps({"name": "张" * 500}),
        content_type="application/json",
    )
    assert r.status_code == 422 and "最多" in r.json()["errors"]["name"][0]
    # the same limit on the page
    r = c.post(
        reverse("assistance:plan", args=[person.pk]),
        {"kind": "training", "description": "帮" * 5000, "cadre": "李干部", "due_on": "2026-01-01"},
    )
    assert r.status_code == 200 and not PlannedMeasure.objects.exists()


def test_api_csrf_failure_is_chinese(county_user):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(county_user)
    r = c.post("/api/v1/settlements/quote", "{}", content_type="application/json")
    assert r.status_code == 403 and "CSRF 校验失败" in r.json()["detail"]


def test_schedule_stays_up_for_the_longest_allowed_loan(person, county_user):
    """The latest start the bounds allow, with the longest term, still has a schedule."""
    c = login(county_user)
    latest = dt.date.today().replace(month=1, day=1).replace(year=dt.date.today().year + 10)
    r = post_json(
        c,
        "/api/v1/startup/loans",
        {
            "person_id": person.pk,
            "principal_fen": 100_000_00,
            "project": "养殖",
            "start_on": latest.isoformat(),
            "term_months": 120,
        },
    )
    assert r.status_code == 201, r.content
    loan = r.json()["id"]
    assert c.get(f"/api/v1/startup/loans/{loan}/schedule").status_code == 200
    assert c.get(reverse("startup:loan", args=[loan])).status_code == 200


def test_employment_inputs_out_of_range(person, county_user):
    c = login(county_user)
    emp = f.employer("360222100")
    posting = f.posting(emp)
    r = post_json(
        c,
        "/api/v1/employment/referrals",
        {"person_id": person.pk, "posting_id": posting.pk, "day": "0001-01-01"},
    )
    assert r.status_code == 422 and "超出范围" in r.json()["errors"]["day"][0]
    r = post_json(c, "/api/v1/employment/referrals", {"person_id": HUGE, "posting_id": posting.pk})
    assert r.status_code == 422 and r.json()["errors"]["person_id"]
    r = post_json(
        c,
        f"/api/v1/employment/persons/{person.pk}/visits",
        {"day": "2020-01-01", "note": "访" * 301},
    )
    assert r.status_code == 422 and r.json()["errors"]["note"] == ["文本过长：最多 300 个字"]
