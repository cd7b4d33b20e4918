"""Held-out style probe of 慢性病鉴定 as a new user and as an attacker: every page and API route
with hostile input (wrong JSON types, garbage form values, other townships' ids, read-only roles)
answers in Chinese and never with a 500. The world is built here, not by the code under test."""

import datetime as dt
import io
import re

import openpyxl
import pytest

from fupin.access.models import Role
from fupin.appraisal import services
from fupin.appraisal.models import Application, AppraisalRound, Certificate, Objection
from fupin.registry.models import Person
from tests.conftest import COUNTY, TOWN_A, login

from . import factories as f

CJK = re.compile(r"[\u4e00-\u9fff]")
GARBAGE = [
    None,
    [],
    "x",
    1,
    -1,
    10**30,
    1.5,
    True,
    {"a": 1},
    "9999-12-31",
    "1900-01-01",
    "2018-02-30",
    "\x00",
    "<script>",
]


@pytest.fixture
def world(county_user, make_household):
    family = list(Person.objects.filter(household=make_household(TOWN_A, 3)).order_by("id"))
    hospital = f.hospital()
    cert = f.certified(county_user, family[0], hospital_obj=hospital)
    app = services.apply(
        user=county_user,
        person=family[1],
        chronic_class="I",
        diseases=["糖尿病"],
        day=dt.date(2018, 4, 1),
    )
    services.appraise(
        user=county_user, application=app, approved=True, day=dt.date(2018, 4, 2), appraiser="专家"
    )
    objection = services.raise_objection(
        user=county_user, application=app, objector="村民", content="核实", day=dt.date(2018, 4, 3)
    )
    rnd, _ = services.plan_round(user=county_user, held_on=dt.date(2018, 6, 20), place="县医院")
    return {
        "family": family,
        "hospital": hospital,
        "cert": cert,
        "app": app,
        "objection": objection,
        "round": rnd,
    }


def api_posts(w):
    p0, p2 = w["family"][0], w["family"][2]
    app, cert = w["app"], w["cert"]
    return [
        (f"/api/v1/appraisal/persons/{p2.pk}/notice", ["day", "way", "note"]),
        ("/api/v1/appraisal/notices/village", ["village_code", "day", "way"]),
        (
            f"/api/v1/appraisal/persons/{p2.pk}/applications",
            ["chronic_class", "diseases", "day", "applicant", "home_appraisal", "home_reason"],
        ),
        (
            f"/api/v1/appraisal/applications/{app.pk}/conclusion",
            ["approved", "day", "appraiser", "chronic_class", "diseases", "notice_start"],
        ),
        (f"/api/v1/appraisal/applications/{app.pk}/round", ["round_id"]),
        (f"/api/v1/appraisal/applications/{app.pk}/objections", ["objector", "content", "day"]),
        (f"/api/v1/appraisal/objections/{w['objection'].pk}/resolution", ["upheld", "resolution"]),
        (f"/api/v1/appraisal/applications/{app.pk}/certificate", ["day", "hospital_id"]),
        (f"/api/v1/appraisal/certificates/{cert.pk}/hospital", ["hospital_id", "day"]),
        (f"/api/v1/appraisal/certificates/{cert.pk}/revoke", ["reason", "day"]),
        ("/api/v1/appraisal/rounds", ["held_on", "place", "experts"]),
        (f"/api/v1/appraisal/persons/{p0.pk}/notice", ["day"]),
    ]


def test_api_wrong_types_never_500_and_answer_in_chinese(county_user, world):
    c = login(county_user)
    bad = []
    for url, fields in api_posts(world):
        for raw in ["", "[]", "null", '"x"', "1", "{"]:
            r = c.post(url, raw, content_type="application/json")
            if r.status_code not in (400, 404, 409, 422) or not CJK.search(r.json()["detail"]):
                bad.append((url, raw, r.status_code, r.content[:200]))
        for field in fields:
            for value in GARBAGE:
                r = c.post(url, {field: value}, content_type="application/json")
                if r.status_code >= 500 or (r.status_code >= 400 and not CJK.search(str(r.json()))):
                    bad.append((url, field, value, r.status_code, r.content[:200]))
    assert not bad, "\n".join(map(str, bad))
    r = c.post(api_posts(world)[0][0], "[]", content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"] == {"__all__": ["请求体应为 JSON 对象"]}


def test_api_queries_never_500(county_user, world):
    c = login(county_user)
    p0 = world["family"][0]
    for url in [
        "/api/v1/appraisal/report",
        f"/api/v1/appraisal/persons/{p0.pk}/chronic-class",
        "/api/v1/appraisal/applications",
        "/api/v1/appraisal/certificates",
        "/api/v1/appraisal/progress",
    ]:
        for key in ["date", "area", "stage", "progress"]:
            for value in ["x", "9" * 40, "2018-02-30", "0000-01-01", "-1", "%00", "360222"]:
                r = c.get(url, {key: value})
                assert r.status_code in (200, 404, 422), (url, key, value, r.status_code)
                if r.status_code != 200:
                    assert CJK.search(r.json()["detail"]), (url, key, value, r.content)
    for url in [
        "/api/v1/appraisal/applications/0",
        f"/api/v1/appraisal/applications/{10**30}",
        "/api/v1/appraisal/certificates/-1",
        f"/api/v1/appraisal/persons/{10**19}/chronic-class",
    ]:
        r = c.get(url)
        assert r.status_code in (404, 422), (url, r.status_code)


def page_posts(w):
    p2 = w["family"][2]
    app, cert = w["app"], w["cert"]
    return [
        ("/appraisal/persons/notify/", ["village", "day", "way"]),
        (f"/appraisal/persons/{p2.pk}/notify/", ["day", "way", "note"]),
        (
            f"/appraisal/persons/{p2.pk}/apply/",
            ["chronic_class", "diseases", "day", "applicant", "home_appraisal", "home_reason"],
        ),
        (
            f"/appraisal/applications/{app.pk}/appraise/",
            ["approved", "day", "chronic_class", "diseases", "appraiser", "notice_start"],
        ),
        (f"/appraisal/applications/{app.pk}/round/", ["round"]),
        (f"/appraisal/applications/{app.pk}/object/", ["objector", "content", "day"]),
        (f"/appraisal/applications/{app.pk}/certify/", ["day", "hospital"]),
        (f"/appraisal/applications/{app.pk}/withdraw/", ["day", "reason"]),
        (f"/appraisal/objections/{w['objection'].pk}/resolve/", ["upheld", "resolution", "day"]),
        ("/appraisal/rounds/new/", ["held_on", "place", "experts"]),
        (f"/appraisal/certificates/{cert.pk}/hospital/", ["hospital", "day"]),
        (f"/appraisal/certificates/{cert.pk}/revoke/", ["reason", "day"]),
        ("/appraisal/report/submit/", ["day", "note"]),
    ]


FORM_GARBAGE = ["", "x", "0", "1", "-1", "9" * 40, "2018-02-30", "9999-12-31", "\x00", "、、、"]


def test_pages_with_garbage_forms_never_500(county_user, world):
    c = login(county_user)
    for url, fields in page_posts(world):
        for field in fields:
            for value in FORM_GARBAGE:
                r = c.post(url, {field: value})
                assert r.status_code in (200, 302, 400, 403, 404), (
                    url,
                    field,
                    value,
                    r.status_code,
                )


PAGES = [
    "/appraisal/",
    "/appraisal/export/",
    "/appraisal/persons/",
    "/appraisal/persons/export/",
    "/appraisal/rounds/",
    "/appraisal/notice/",
    "/appraisal/notice/export/",
    "/appraisal/certificates/",
    "/appraisal/certificates/export/",
    "/appraisal/report/",
    "/appraisal/report/export/",
]


def test_pages_with_garbage_queries_never_500(county_user, world):
    c = login(county_user)
    for url in PAGES:
        for key in ["area", "stage", "class", "q", "date", "page", "status", "progress", "day"]:
            for value in ["x", "9" * 40, "2018-02-30", "-1", "\x00", "0" * 12, "360222"]:
                r = c.get(url, {key: value})
                # a NUL is refused for every app by fupin.web.middleware.NulGuardMiddleware
                expected = 400 if "\x00" in value else 200
                assert r.status_code == expected, (url, key, value, r.status_code)


def test_a_read_only_user_is_refused_in_chinese(make_user, world):
    auditor = make_user("auditor-ro", Role.AUDITOR, COUNTY)
    c = login(auditor)
    before = Application.objects.count(), Certificate.objects.count(), Objection.objects.count()
    for url, _ in api_posts(world):
        r = c.post(url, {}, content_type="application/json")
        assert r.status_code in (403, 422), (url, r.status_code)
    for url, _ in page_posts(world):
        r = c.post(url, {})
        assert r.status_code == 403, (url, r.status_code)
    assert before == (
        Application.objects.count(),
        Certificate.objects.count(),
        Objection.objects.count(),
    )
    assert AppraisalRound.objects.count() == 1


def test_another_township_cannot_reach_any_object(town_b_user, world):
    c = login(town_b_user)
    app, cert, p0 = world["app"], world["cert"], world["family"][0]
    for url in [
        f"/appraisal/persons/{p0.pk}/",
        f"/appraisal/applications/{app.pk}/",
        f"/appraisal/certificates/{cert.pk}/",
        f"/appraisal/certificates/{cert.pk}/print/",
    ]:
        r = c.get(url)
        assert r.status_code == 404, (url, r.status_code)
        assert CJK.search(r.content.decode()), url
    for url, _ in page_posts(world):
        if re.search(r"/\d+/", url):
            r = c.post(url, {"day": "2018-05-01", "reason": "越权"})
            assert r.status_code in (403, 404), (url, r.status_code)
    for url, _ in api_posts(world):
        if re.search(r"/\d+/", url):
            r = c.post(url, {}, content_type="application/json")
            assert r.status_code in (404, 422), (url, r.status_code)
            if r.status_code == 422:  # a body error before the object is looked up
                assert "errors" in r.json(), (url, r.content)
    assert Objection.objects.get().status == "open"
    assert Certificate.objects.get(pk=cert.pk).status == "valid"


def _xlsx_text(response) -> str:
    wb = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return "\n".join(
        "|".join("" if v is None else str(v) for v in row)
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
    )


def test_exports_follow_the_filter_and_never_leak_another_township(
    town_a_user, county_user, make_household, world
):
    """Town B's certificate holder in every export asked for by town A — with town B's code as the
    filter, too — is never there; town A's own export has its holder; no cell is a formula."""
    b = Person.objects.filter(household=make_household("360222101", members=1)).get()
    f.certified(county_user, b, diseases=('=HYPERLINK("http://x","y")',))
    c = login(town_a_user)
    for url in [
        "/appraisal/export/",
        "/appraisal/persons/export/",
        "/appraisal/certificates/export/",
        "/appraisal/notice/export/",
        "/appraisal/report/export/",
    ]:
        for query in [{}, {"area": "360222101"}, {"area": b.village_code}]:
            r = c.get(url, query)
            assert r.status_code == 200, (url, query, r.status_code)
            text = _xlsx_text(r)
            assert b.name not in text and "HYPERLINK" not in text, (url, query)
    own = _xlsx_text(c.get("/appraisal/certificates/export/", {"area": TOWN_A}))
    assert world["family"][0].name in own
    whole = login(county_user).get("/appraisal/certificates/export/")
    ws = openpyxl.load_workbook(
        io.BytesIO(b"".join(whole.streaming_content) if whole.streaming else whole.content)
    ).active
    cells = [cell for row in ws.iter_rows() for cell in row if "HYPERLINK" in str(cell.value)]
    assert cells and all(cell.data_type == "s" for cell in cells)
    text = _xlsx_text(login(county_user).get("/appraisal/certificates/export/"))
    assert b.name in text and world["family"][0].name in text
