"""Pages: the procedure clicked through as a township clerk, lists that export what they show,
the printable certificate and notice, the daily report, and refusals as messages (never a 500)."""

import datetime as dt
import io
import re
from html import unescape

import pytest
from python_calamine import CalamineWorkbook

from fupin.access.models import AuditEntry
from fupin.appraisal import services
from fupin.appraisal.models import Application, Certificate, Notice, Stage
from fupin.registry.models import Person
from tests.conftest import TOWN_A, TOWN_B, login

from . import factories as f

D = dt.date


def _rows(response) -> list[list]:
    body = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()


def _export_link(page: str, name: str) -> str:
    m = re.search(r'href="([^"]*' + re.escape(name) + r'[^"]*)"', page)
    assert m, f"no export link to {name}"
    return unescape(m.group(1))


@pytest.fixture
def family(make_household):
    return list(Person.objects.filter(household=make_household(TOWN_A, members=3)).order_by("id"))


def test_the_procedure_through_the_pages(town_a_user, family):
    c = login(town_a_user)
    person = family[0]
    hospital = f.hospital()
    r = c.post(
        "/appraisal/persons/notify/",
        {"village": person.village_code, "way": "meeting", "day": "2018-02-20"},
    )
    assert r.status_code == 302 and Notice.objects.count() == 3
    r = c.post(
        f"/appraisal/persons/{person.pk}/apply/",
        {
            "chronic_class": "I",
            "diseases": "高血压，糖尿病",
            "day": "2018-03-01",
            "applicant": "assistant",
            "home_appraisal": "on",
            "home_reason": "长期卧床",
        },
    )
    app = Application.objects.get(person=person)
    assert r.status_code == 302 and r["Location"] == f"/appraisal/applications/{app.pk}/"
    assert (app.diseases, app.home_appraisal, app.applicant) == (
        "高血压、糖尿病",
        True,
        "assistant",
    )
    page = c.get(f"/appraisal/applications/{app.pk}/").content.decode()
    assert "Ⅰ类门诊特殊慢性病" in page and "长期卧床" in page and "登记鉴定结论" in page

    c.post(
        f"/appraisal/applications/{app.pk}/appraise/",
        {
            "approved": "1",
            "chronic_class": "I",
            "diseases": "高血压",
            "day": "2018-03-05",
            "appraiser": "县医保局专家组",
        },
    )
    app.refresh_from_db()
    assert app.stage == Stage.NOTICE and app.notice_end == D(2018, 3, 11)
    notice = c.get("/appraisal/notice/?date=2018-03-08").content.decode()
    assert person.name in notice and "2018-03-05 至 2018-03-11" in notice and "打印公示" in notice

    r = c.post(
        f"/appraisal/applications/{app.pk}/certify/",
        {"day": "2018-03-10", "hospital": hospital.pk},
        follow=True,
    )
    assert "公示期至 2018-03-11 结束，期满后才能发证" in r.content.decode()
    r = c.post(
        f"/appraisal/applications/{app.pk}/certify/",
        {"day": "2018-03-12", "hospital": hospital.pk},
        follow=True,
    )
    cert = Certificate.objects.get(person=person)
    assert f"已发证：{cert.number}" in r.content.decode()
    printed = c.get(f"/appraisal/certificates/{cert.pk}/print/").content.decode()
    assert (
        "慢性病医疗证" in printed
        and cert.number in printed
        and "浮梁县人民医院" in printed
        and person.masked_id in printed
    )
    assert person.id_number not in printed and "appraisal/print.css" in printed
    person_page = c.get(f"/registry/persons/{person.pk}/").content.decode()
    assert "appraisal-section" in person_page and cert.number in person_page
    assert AuditEntry.objects.filter(object_type="certificate", object_id=str(cert.pk)).exists()


def test_refusals_are_messages_not_errors(town_a_user, family):
    c = login(town_a_user)
    person = family[0]
    for data, message in [
        ({"chronic_class": "Z", "diseases": "高血压", "day": "2018-03-01"}, "申请类别“Z”不存在"),
        (
            {"chronic_class": "I", "diseases": "高血压", "day": "9999-12-31"},
            "申请日期 9999-12-31 超出范围",
        ),
        ({"chronic_class": "I", "diseases": "", "day": "2018-03-01"}, "请填写申报病种"),
        (
            {
                "chronic_class": "I",
                "diseases": "高血压",
                "day": "2018-03-01",
                "home_appraisal": "on",
            },
            "请填写上门鉴定原因",
        ),
    ]:
        r = c.post(f"/appraisal/persons/{person.pk}/apply/", data, follow=True)
        assert r.status_code == 200 and message in r.content.decode(), message
    assert not Application.objects.exists()
    app = services.apply(
        user=town_a_user, person=person, chronic_class="I", diseases=["高血压"], day=D(2018, 3, 1)
    )
    r = c.post(
        f"/appraisal/applications/{app.pk}/appraise/",
        {"chronic_class": "I", "appraiser": "专家组"},
        follow=True,
    )
    assert "请选择鉴定结论" in r.content.decode()
    r = c.post(
        f"/appraisal/applications/{app.pk}/certify/",
        {"day": "2018-03-20", "hospital": "99999999999999999999999"},
        follow=True,
    )
    assert r.status_code == 200 and "定点医院无效" in r.content.decode()
    r = c.post(f"/appraisal/applications/{app.pk}/certify/", {"day": "2018-03-20"}, follow=True)
    assert "“待鉴定”，不能改为“已发证”" in r.content.decode()


def test_another_townships_objects_are_404(town_b_user, town_a_user, family):
    app = services.apply(
        user=town_a_user,
        person=family[0],
        chronic_class="I",
        diseases=["高血压"],
        day=D(2018, 3, 1),
    )
    c = login(town_b_user)
    assert c.get(f"/appraisal/applications/{app.pk}/").status_code == 404
    assert (
        c.post(
            f"/appraisal/applications/{app.pk}/appraise/", {"approved": "1", "appraiser": "x"}
        ).status_code
        == 404
    )
    assert (
        c.post(
            f"/appraisal/persons/{family[0].pk}/apply/", {"chronic_class": "I", "diseases": "x"}
        ).status_code
        == 404
    )
    r = c.post("/appraisal/persons/notify/", {"village": family[0].village_code})
    assert r.status_code == 403 and not Notice.objects.exists()
    assert family[0].name not in c.get("/appraisal/persons/", {"area": TOWN_A}).content.decode()
    app.refresh_from_db()
    assert app.stage == Stage.APPLIED


def test_village_list_filters_and_exports_what_it_shows(town_a_user, family):
    services.notify(user=town_a_user, person=family[0], day=D(2018, 3, 1))
    services.apply(
        user=town_a_user, person=family[1], chronic_class="II", diseases=["胃炎"], day=D(2018, 3, 1)
    )
    c = login(town_a_user)
    page = c.get("/appraisal/persons/", {"progress": "not_notified"}).content.decode()
    linked = re.findall(r'/appraisal/persons/\d+/">([^<]+)</a>', page)
    assert linked == [family[2].name]
    rows = _rows(c.get(_export_link(page, "/appraisal/persons/export/")))
    assert rows[0] == [
        "身份证号",
        "姓名",
        "村",
        "村代码",
        "健康状况",
        "鉴定进度",
        "通知日期",
        "通知人",
    ]
    assert [(r[1], r[5]) for r in rows[1:]] == [(family[2].name, "未通知")]
    assert "*" in rows[1][0]  # masked
    all_rows = _rows(c.get("/appraisal/persons/export/"))[1:]
    assert sorted(r[5] for r in all_rows) == sorted(["已通知未申请", "待季度鉴定", "未通知"])
    notified = next(r for r in all_rows if r[1] == family[0].name)
    assert notified[7] == town_a_user.username and str(notified[6]).startswith("2018-03-01")


def test_application_list_exports_its_filter(town_a_user, family):
    services.apply(
        user=town_a_user,
        person=family[0],
        chronic_class="I",
        diseases=["高血压"],
        day=D(2018, 3, 1),
    )
    services.apply(
        user=town_a_user, person=family[1], chronic_class="II", diseases=["胃炎"], day=D(2018, 3, 1)
    )
    c = login(town_a_user)
    page = c.get("/appraisal/", {"stage": "waiting"}).content.decode()
    assert family[1].name in page and family[0].name not in page
    rows = _rows(c.get(_export_link(page, "/appraisal/export/")))
    assert [(r[1], r[3], r[9]) for r in rows[1:]] == [
        (family[1].name, "Ⅱ类门诊特殊慢性病", "待季度鉴定")
    ]
    assert AuditEntry.objects.filter(action="export", summary__contains="慢性病鉴定申请").exists()


def test_rounds_page_plans_a_round_for_the_county_only(county_user, town_a_user, family):
    services.apply(
        user=town_a_user, person=family[0], chronic_class="II", diseases=["胃炎"], day=D(2018, 3, 1)
    )
    page = login(town_a_user).get("/appraisal/rounds/").content.decode()
    assert "1 件乙类申请尚待安排" in page and "round-form" not in page
    c = login(county_user)
    r = c.post(
        "/appraisal/rounds/new/",
        {"held_on": "2018-03-28", "place": "县人民医院", "experts": "市专家组"},
        follow=True,
    )
    assert "已安排2018年第一季度乙类鉴定（2018-03-28），编入待鉴定申请 1 件" in r.content.decode()
    r = c.post(
        "/appraisal/rounds/new/", {"held_on": "2018-02-01", "place": "县人民医院"}, follow=True
    )
    assert "2018年第一季度已安排乙类鉴定" in r.content.decode()
    r = login(town_a_user).post(
        "/appraisal/rounds/new/", {"held_on": "2018-06-01", "place": "镇卫生院"}, follow=True
    )
    assert "由县级统一安排" in r.content.decode()


def test_daily_report_page_and_export(county_user, town_a_user, family, make_household):
    services.notify_village(
        user=town_a_user, village_code=family[0].village_code, day=D(2018, 3, 1)
    )
    services.apply(
        user=town_a_user,
        person=family[0],
        chronic_class="I",
        diseases=["高血压"],
        day=D(2018, 3, 1),
    )
    make_household(TOWN_B, members=2)
    c = login(county_user)
    page = c.get("/appraisal/report/", {"date": "2018-03-01"}).content.decode()
    assert "浮梁县慢性病鉴定日报" in page and "浮梁镇" in page and "鹅湖镇" in page
    rows = _rows(c.get("/appraisal/report/export/", {"date": "2018-03-01", "area": "360222"}))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["区划", "当日通知", "当日申请", "其中上门鉴定"]
    by_name = {r[0]: r for r in body}
    assert (
        by_name["浮梁镇"][1:3] == [3, 1]
        and by_name["鹅湖镇"][1:3] == [0, 0]
        and by_name["合计"][1:3] == [3, 1]
    )
    # A township asking for the county or another township gets its own report.
    page = (
        login(town_a_user)
        .get("/appraisal/report/", {"date": "2018-03-01", "area": TOWN_B})
        .content.decode()
    )
    assert "所选区划不在本辖区" in page and "浮梁镇慢性病鉴定日报" in page
    assert login(county_user).get("/appraisal/report/", {"date": "9999-99-99"}).status_code == 200


def test_certificate_page_history_and_hospital_change(town_a_user, family):
    cert = f.certified(town_a_user, family[0])
    first, second = f.hospital("浮梁县人民医院"), f.hospital("浮梁县中医院")
    c = login(town_a_user)
    c.post(
        f"/appraisal/certificates/{cert.pk}/hospital/", {"hospital": first.pk, "day": "2018-03-13"}
    )
    c.post(
        f"/appraisal/certificates/{cert.pk}/hospital/", {"hospital": second.pk, "day": "2018-04-01"}
    )
    page = c.get(f"/appraisal/certificates/{cert.pk}/").content.decode()
    assert "定点医院 浮梁县人民医院 → 浮梁县中医院" in page and "发证" in page
    rows = _rows(c.get("/appraisal/certificates/export/", {"class": "I"}))
    assert rows[1][0] == cert.number and rows[1][8] == "浮梁县中医院"


def test_townships_submit_the_daily_report_and_the_county_sees_who_has(
    county_user, town_a_user, family
):
    services.notify_village(
        user=town_a_user, village_code=family[0].village_code, day=D(2018, 3, 1)
    )
    c = login(town_a_user)
    r = c.post(
        "/appraisal/report/submit/", {"day": "2018-03-01", "note": "已全部入户"}, follow=True
    )
    assert "已报送鉴定日报" in r.content.decode()
    r = c.post("/appraisal/report/submit/", {"day": "2018-03-01"}, follow=True)
    assert "2018-03-01 的鉴定日报已报送" in r.content.decode()
    from fupin.appraisal.models import ReportSubmission

    s = ReportSubmission.objects.get()
    assert (
        s.area_code == TOWN_A + "000" and s.figures["total"]["notified"] == 3
    )  # the figures as sent
    page = login(county_user).get("/appraisal/report/", {"date": "2018-03-01"}).content.decode()
    assert "已全部入户" in page and "未报送" in page  # 鹅湖镇 and the others have not
    r = login(county_user).post("/appraisal/report/submit/", {"day": "2018-03-01"}, follow=True)
    assert "请以乡镇账号报送" in r.content.decode()
