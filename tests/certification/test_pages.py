import datetime as dt
import io
import json

from python_calamine import CalamineWorkbook

from fupin.certification.models import Certification
from tests.conftest import TOWN_A, TOWN_B, login


def test_list_export_and_certify_page(town_a_user, pensioner):
    a1, a2 = pensioner(TOWN_A), pensioner(TOWN_A)
    c = login(town_a_user)
    r = c.get("/certification/")
    assert r.status_code == 200
    text = r.content.decode()
    assert a1.name in text and a2.name in text and a1.id_number not in text
    today = dt.date.today()
    r = c.post(
        f"/certification/person/{a1.pk}/",
        {"certified_on": today.isoformat(), "method": "home", "note": "卧床"},
        follow=True,
    )
    assert "已登记" in r.content.decode()
    assert Certification.objects.get().method == "home"
    # the default list shows only those not yet certified; its export is the same set
    text = c.get("/certification/").content.decode()
    assert a2.name in text and a1.name not in text
    r = c.get("/certification/?format=xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    assert [row[1] for row in rows[1:]] == [a2.name]
    assert a2.id_number not in str(rows)
    r = c.get("/certification/villages/?format=xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    assert rows[1][1:4] == [2, 1, 1]


def test_bad_input_answers_in_chinese(town_a_user, pensioner):
    p = pensioner(TOWN_A)
    c = login(town_a_user)
    for data in (
        {"certified_on": "9999-01-01", "method": "in_person"},
        {"certified_on": "2018-02-30", "method": "in_person"},
        {"certified_on": "", "method": "portal"},
    ):
        r = c.post(f"/certification/person/{p.pk}/", data)
        assert r.status_code == 200
        assert "invalid-feedback" in r.content.decode() or "alert-danger" in r.content.decode()
    assert not Certification.objects.exists()
    assert c.get("/certification/?year=99999&area=不存在的村").status_code == 200
    r = c.get(f"/certification/?area={TOWN_B}")
    assert "不在本辖区" in r.content.decode()


def test_other_township_person_is_404(town_b_user, pensioner):
    p = pensioner(TOWN_A)
    c = login(town_b_user)
    assert c.get(f"/certification/person/{p.pk}/").status_code == 404
    r = c.post(
        f"/certification/person/{p.pk}/", {"certified_on": "2018-06-01", "method": "in_person"}
    )
    assert r.status_code == 404
    r = c.post(
        f"/api/v1/certification/persons/{p.pk}",
        json.dumps({"certified_on": "2018-06-01", "method": "in_person"}),
        content_type="application/json",
    )
    assert r.status_code == 404
    assert not Certification.objects.exists()


def test_api_wrong_types_and_far_dates(town_a_user, pensioner):
    p = pensioner(TOWN_A)
    c = login(town_a_user)
    url = f"/api/v1/certification/persons/{p.pk}"
    for body in (
        {"certified_on": 20180601, "method": "in_person"},
        {"certified_on": "9999-12-31", "method": "in_person"},
        {"certified_on": "2018-06-01", "method": "portal"},
        {"certified_on": "2018-06-01", "method": ["home"]},
        {"certified_on": "2018-06-01", "method": "home", "note": "字" * 5000},
        [],
    ):
        r = c.post(url, json.dumps(body), content_type="application/json")
        assert r.status_code == 422, (body, r.content)
    assert not Certification.objects.exists()
    day = dt.date.today().isoformat()
    r = c.post(
        url,
        json.dumps({"certified_on": day, "method": "in_person"}),
        content_type="application/json",
    )
    assert r.status_code == 201
    r = c.post(
        url,
        json.dumps({"certified_on": day, "method": "in_person"}),
        content_type="application/json",
    )
    assert r.status_code == 422 and "已经登记过" in r.json()["detail"]
    rows = c.get("/api/v1/certification/pensioners?shown=all").json()
    assert [(x["person_id"], x["certified"]) for x in rows] == [(p.pk, True)]
    assert c.get("/api/v1/certification/pensioners?year=99999").status_code == 422


def test_person_page_shows_this_years_certification(town_a_user, pensioner):
    p = pensioner(TOWN_A)
    c = login(town_a_user)
    text = c.get(f"/registry/persons/{p.pk}/").content.decode()
    assert 'id="certification-section"' in text and "截止" in text
    day = dt.date.today()
    c.post(
        f"/certification/person/{p.pk}/", {"certified_on": day.isoformat(), "method": "in_person"}
    )
    text = c.get(f"/registry/persons/{p.pk}/").content.decode()
    assert f"{day:%Y-%m-%d} 认证（村服务站现场认证）" in text
