"""/api/v1/appraisal: the procedure as JSON, attacker cases (another township's ids → 404, wrong JSON
types and far-future dates → 422 naming the field, huge ids), and the chronic class on a date."""

import datetime as dt

import pytest

from fupin.appraisal.models import Application, Certificate, Notice
from fupin.registry.models import Person
from tests.conftest import TOWN_A, login

from . import factories as f

HUGE = 10**23


@pytest.fixture
def family(make_household):
    return list(Person.objects.filter(household=make_household(TOWN_A, members=2)).order_by("id"))


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_procedure_through_the_api(county_user, family):
    c = login(county_user)
    person = family[0]
    hospital = f.hospital()
    r = post(
        c,
        "/api/v1/appraisal/notices/village",
        {"village_code": person.village_code, "day": "2018-02-20"},
    )
    assert r.status_code == 200 and r.json()["notified"] == 2
    r = post(
        c,
        f"/api/v1/appraisal/persons/{person.pk}/applications",
        {
            "chronic_class": "II",
            "diseases": ["慢性阻塞性肺疾病"],
            "day": "2018-04-02",
            "applicant": "assistant",
        },
    )
    assert r.status_code == 201, r.content
    app = r.json()
    assert (app["stage"], app["stage_name"], app["round_id"]) == ("waiting", "待季度鉴定", None)
    r = post(c, "/api/v1/appraisal/rounds", {"held_on": "2018-06-20", "place": "县人民医院"})
    assert r.status_code == 201 and r.json()["quarter"] == 2
    r = post(
        c,
        f"/api/v1/appraisal/applications/{app['id']}/conclusion",
        {"approved": True, "day": "2018-06-20", "appraiser": "专家组"},
    )
    assert r.status_code == 200 and r.json()["notice_end"] == "2018-06-26"  # 20..26 June: 7 days
    r = post(
        c,
        f"/api/v1/appraisal/applications/{app['id']}/objections",
        {"objector": "村民", "content": "核实", "day": "2018-06-21"},
    )
    assert r.status_code == 201
    objection = r.json()["id"]
    r = post(c, f"/api/v1/appraisal/applications/{app['id']}/certificate", {"day": "2018-06-27"})
    assert r.status_code == 422 and "1 条公示异议未处理" in r.json()["detail"]
    r = post(
        c,
        f"/api/v1/appraisal/objections/{objection}/resolution",
        {"upheld": False, "resolution": "属实", "day": "2018-06-22"},
    )
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    r = post(
        c,
        f"/api/v1/appraisal/applications/{app['id']}/certificate",
        {"day": "2018-06-27", "hospital_id": hospital.pk},
    )
    assert r.status_code == 201, r.content
    cert = r.json()
    assert (cert["chronic_class"], cert["class_name"], cert["diseases"], cert["hospital_name"]) == (
        "II",
        "Ⅱ类门诊特殊慢性病",
        ["慢性阻塞性肺疾病"],
        "浮梁县人民医院",
    )
    detail = c.get(f"/api/v1/appraisal/certificates/{cert['id']}").json()
    assert [h["kind"] for h in detail["history"]] == ["issued"]
    r = c.get(f"/api/v1/appraisal/persons/{person.pk}/chronic-class", {"date": "2018-06-26"})
    assert r.json()["chronic_class"] is None and r.json()["class_name"] == "无"
    r = c.get(f"/api/v1/appraisal/persons/{person.pk}/chronic-class", {"date": "2018-06-27"})
    assert r.json()["chronic_class"] == "II"
    report = c.get("/api/v1/appraisal/report", {"date": "2018-06-27"}).json()
    assert report["total"]["issued"] == 1 and report["total"]["certified_total"] == 1
    progress = {p["person_id"]: p["progress"] for p in c.get("/api/v1/appraisal/progress").json()}
    assert progress == {person.pk: "certified", family[1].pk: "notified"}


def test_another_townships_ids_are_404(town_b_user, county_user, family):
    cert = f.certified(county_user, family[0])
    c = login(town_b_user)
    for method, url, body in [
        ("post", f"/api/v1/appraisal/persons/{family[0].pk}/notice", {}),
        (
            "post",
            f"/api/v1/appraisal/persons/{family[1].pk}/applications",
            {"chronic_class": "I", "diseases": ["高血压"]},
        ),
        ("get", f"/api/v1/appraisal/applications/{cert.application_id}", None),
        ("get", f"/api/v1/appraisal/certificates/{cert.pk}", None),
        ("post", f"/api/v1/appraisal/certificates/{cert.pk}/revoke", {"reason": "越权"}),
        ("get", f"/api/v1/appraisal/persons/{family[0].pk}/chronic-class", None),
    ]:
        r = post(c, url, body) if method == "post" else c.get(url)
        assert r.status_code == 404 and r.json()["detail"] == "记录不存在或不在本辖区", url
    r = post(c, "/api/v1/appraisal/notices/village", {"village_code": family[0].village_code})
    assert r.status_code == 403
    assert not Notice.objects.exists() and Application.objects.count() == 1
    assert Certificate.objects.get().status == "valid"
    assert c.get("/api/v1/appraisal/certificates").json() == []


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"chronic_class": "I", "diseases": "高血压"}, "diseases", "应为列表"),
        ({"chronic_class": "I", "diseases": []}, "diseases", "至少需要一项"),
        ({"chronic_class": "I", "diseases": [1]}, "diseases.0", "应为文本"),
        ({"chronic_class": 1, "diseases": ["高血压"]}, "chronic_class", "应为文本"),
        (
            {"chronic_class": "I", "diseases": ["高血压"], "home_appraisal": "yes"},
            "home_appraisal",
            "应为是/否",
        ),
        ({"chronic_class": "I", "diseases": ["高血压"], "day": "9999-12-31"}, "day", "超出范围"),
        (
            {"chronic_class": "I", "diseases": ["高血压"], "day": 20180301},
            "day",
            "格式应为 YYYY-MM-DD",
        ),
        ({"chronic_class": "I", "diseases": ["高血压"] * 11}, "diseases", "最多 10 项"),
    ],
)
def test_wrong_json_is_422_naming_the_field(county_user, family, body, field, message):
    r = post(login(county_user), f"/api/v1/appraisal/persons/{family[0].pk}/applications", body)
    assert r.status_code == 422
    assert any(message in m for m in r.json()["errors"][field]), r.json()
    assert not Application.objects.exists()


def test_refusals_and_huge_ids(county_user, family):
    c = login(county_user)
    r = post(
        c,
        f"/api/v1/appraisal/persons/{family[0].pk}/applications",
        {"chronic_class": "Z", "diseases": ["高血压"], "day": "2018-03-01"},
    )
    assert r.status_code == 422 and "申请类别“Z”不存在" in r.json()["detail"]
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    r = post(
        c,
        f"/api/v1/appraisal/persons/{family[0].pk}/applications",
        {"chronic_class": "I", "diseases": ["高血压"], "day": tomorrow},
    )
    assert r.status_code == 422 and "晚于今天" in r.json()["detail"]
    assert c.get(f"/api/v1/appraisal/applications/{HUGE}").status_code in (404, 422)
    r = post(c, f"/api/v1/appraisal/applications/{family[0].pk}/certificate", {"hospital_id": HUGE})
    assert r.status_code in (404, 422)
    r = post(c, "/api/v1/appraisal/rounds", {"held_on": "2018-13-01", "place": "x"})
    assert r.status_code == 422 and "held_on" in r.json()["errors"]
    assert c.get("/api/v1/appraisal/report", {"date": "9999-12-31"}).status_code == 422
    assert c.get("/api/v1/appraisal/report", {"area": "360222101999"}).status_code == 422


def test_moving_a_waiting_application_through_the_api(county_user, town_b_user, family):
    c = login(county_user)
    first = post(
        c, "/api/v1/appraisal/rounds", {"held_on": "2018-05-20", "place": "县人民医院"}
    ).json()
    later = post(
        c, "/api/v1/appraisal/rounds", {"held_on": "2018-08-20", "place": "县人民医院"}
    ).json()
    app = post(
        c,
        f"/api/v1/appraisal/persons/{family[0].pk}/applications",
        {"chronic_class": "II", "diseases": ["胃炎"], "day": "2018-04-02"},
    ).json()
    assert app["round_id"] == first["id"]
    r = post(c, f"/api/v1/appraisal/applications/{app['id']}/round", {"round_id": later["id"]})
    assert r.status_code == 200 and r.json()["round_id"] == later["id"]
    assert (
        post(c, f"/api/v1/appraisal/applications/{app['id']}/round", {"round_id": "x"}).status_code
        == 422
    )
    assert (
        post(c, f"/api/v1/appraisal/applications/{app['id']}/round", {"round_id": HUGE}).status_code
        == 422
    )
    assert (
        post(
            c, f"/api/v1/appraisal/applications/{app['id']}/round", {"round_id": 10**9}
        ).status_code
        == 404
    )
    r = post(
        login(town_b_user),
        f"/api/v1/appraisal/applications/{app['id']}/round",
        {"round_id": first["id"]},
    )
    assert r.status_code == 404 and Application.objects.get(pk=app["id"]).round_id == later["id"]
