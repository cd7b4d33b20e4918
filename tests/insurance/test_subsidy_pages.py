"""代缴 pages and API: start a run, its result in Chinese, lists with filters and the xlsx of the
filtered set, 应保尽保 coverage, the person section and record edits; another township's ids →
404; attacker input on every route."""

import datetime as dt
import io
import re

import pytest
from python_calamine import CalamineWorkbook

from fupin.access.models import AuditEntry, Role
from fupin.insurance.models import (
    InsuranceChange,
    MedicalEnrolment,
    PensionRecord,
    SubsidyEntry,
    SubsidyRun,
)
from tests.conftest import TOWN_A, TOWN_B, login

from .factories import person

pytestmark = pytest.mark.django_db
RAW = re.compile(
    r"\b(poor|exited_policy|exited|premium|back_pay|early_pension|entitled|excluded|not_covered|under_age|over_age|deceased|"
    r"drawing|medical|pension|360222\d{3,6})\b"
)


def visible(html: str) -> str:
    """The text a person reads: no tags, attributes, scripts."""
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def sheet(response) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return book.get_sheet_by_name(book.sheet_names[0]).to_python()


@pytest.fixture
def world(areas):
    return {
        "a_poor": person(TOWN_A, name="甲镇贫困"),
        "a_exited": person(TOWN_A, status="exited", name="甲镇脱贫"),
        "a_old": person(TOWN_A, born=dt.date(1950, 3, 1), name="甲镇老人"),
        "b_poor": person(TOWN_B, name="乙镇贫困"),
    }


def test_county_runs_from_the_page_and_reads_the_result_in_chinese(world, county_user):
    c = login(county_user)
    r = c.post("/insurance/subsidy/", {"year": "2018", "insurance": "pension"})
    run = SubsidyRun.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/insurance/subsidy/runs/{run.pk}/")
    assert run.state == "done" and run.area_code == "360222"
    page = c.get(r["Location"]).content.decode()
    text = visible(page)
    # 2 entitled (甲镇贫困, 乙镇贫困) × 100 元 = 200.00 元; 甲镇老人 on the back-pay list 15 × 100 = 1500.00 元.
    assert "列入 2 人，合计 200.00 元" in " ".join(text.split())
    assert "1500.00" in text and "已脱贫（不再享受政策）" in text
    assert "浮人社发" in text or "004" in page  # the source sentence is shown
    assert not RAW.findall(text), RAW.findall(text)
    home = visible(c.get("/insurance/subsidy/").content.decode())
    assert "浮梁县" in home and "fuliang" not in home and not RAW.findall(home)


def test_list_filters_and_exports_the_filtered_set(world, county_user):
    c = login(county_user)
    c.post("/insurance/subsidy/", {"year": "2018", "insurance": "medical"})
    page = c.get(
        "/insurance/subsidy/list/",
        {"year": 2018, "insurance": "medical", "outcome": "excluded", "reason": "exited"},
    )
    text = visible(page.content.decode())
    assert "甲镇脱贫" in text and "甲镇贫困" not in text and not RAW.findall(text)
    before = AuditEntry.objects.filter(action="export").count()
    x = c.get(
        "/insurance/subsidy/list/export.xlsx",
        {"year": 2018, "insurance": "medical", "town": TOWN_B},
    )
    rows = sheet(x)
    assert rows[0][:4] == ["区划", "身份证号", "姓名", "结果"]
    assert [r[2] for r in rows[1:]] == ["乙镇贫困"]
    assert rows[1][3] == "应代缴" and rows[1][7] == 220.0 and "*" in rows[1][1]
    assert AuditEntry.objects.filter(action="export").count() == before + 1


def test_unmasked_export_needs_the_permission(world, town_a_user):
    c = login(town_a_user)
    assert c.get("/insurance/subsidy/list/export.xlsx", {"unmasked": "1"}).status_code == 403


def test_township_sees_only_its_own(world, town_a_user, town_b_user):
    a, b = login(town_a_user), login(town_b_user)
    a.post("/insurance/subsidy/", {"year": "2018", "insurance": "medical"})
    b.post("/insurance/subsidy/", {"year": "2018", "insurance": "medical"})
    run_a, run_b = (
        SubsidyRun.objects.get(area_code=TOWN_A),
        SubsidyRun.objects.get(area_code=TOWN_B),
    )
    assert a.get(f"/insurance/subsidy/runs/{run_b.pk}/").status_code == 404
    assert a.get(f"/insurance/subsidy/runs/{run_b.pk}/progress/").status_code == 404
    assert a.get(f"/insurance/persons/{world['b_poor'].pk}/").status_code == 404
    text = visible(a.get("/insurance/subsidy/list/", {"year": 2018}).content.decode())
    assert "甲镇贫困" in text and "乙镇贫困" not in text
    xl = sheet(a.get("/insurance/subsidy/list/export.xlsx", {"year": 2018, "town": TOWN_B}))
    assert len(xl) == 1  # header only: the other township filtered out by scope
    api = a.get(f"/api/v1/insurance/subsidy-runs/{run_b.pk}")
    assert api.status_code == 404
    assert a.get(f"/api/v1/insurance/persons/{world['b_poor'].pk}").status_code == 404
    r = a.put(
        f"/api/v1/insurance/persons/{world['b_poor'].pk}/pension",
        {"status": "paying", "tier_fen": 10000, "paid_year": 2018, "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 404 and not PensionRecord.objects.exists()
    names = {e["name"] for e in a.get("/api/v1/insurance/subsidy-entries", {"year": 2018}).json()}
    assert names == {"甲镇贫困", "甲镇脱贫", "甲镇老人"}
    assert run_a.area_code == TOWN_A


def test_bad_input_on_the_page(world, county_user):
    c = login(county_user)
    for year, message in (
        ("abcd", "年度应为四位数字年份"),
        ("2031", "没有 2031 年度"),
        ("99999999999999999999999", "超出范围"),
    ):
        r = c.post("/insurance/subsidy/", {"year": year, "insurance": "medical"}, follow=True)
        assert message in r.content.decode()
    r = c.post("/insurance/subsidy/", {"year": "2018", "insurance": "dental"}, follow=True)
    assert "险种应为" in r.content.decode()
    assert not SubsidyRun.objects.exists()
    for q in (
        {"year": "abc"},
        {"year": "99999"},
        {"insurance": "x" * 500, "scheme": "<script>"},
        {"page": "-1"},
        {"outcome": "💥"},
    ):
        assert c.get("/insurance/subsidy/list/", q).status_code == 200
        assert c.get("/insurance/coverage/", q).status_code == 200
        assert c.get("/insurance/subsidy/changes/", q).status_code == 200


def test_read_only_roles_cannot_run(world, make_user):
    auditor = make_user("auditor", Role.AUDITOR, "360222")
    c = login(auditor)
    c.post("/insurance/subsidy/", {"year": "2018", "insurance": "medical"})
    assert not SubsidyRun.objects.exists()
    r = c.post(
        "/api/v1/insurance/subsidy-runs",
        {"year": 2018, "insurance": "medical"},
        content_type="application/json",
    )
    assert r.status_code == 403 and not SubsidyRun.objects.exists()


def test_coverage_per_township_with_gaps(world, county_user):
    MedicalEnrolment.objects.create(
        person=world["a_poor"],
        year=2018,
        village_code=world["a_poor"].village_code,
        paid_by="government",
    )
    MedicalEnrolment.objects.create(
        person=world["a_old"], year=2018, village_code=world["a_old"].village_code, paid_by="self"
    )
    c = login(county_user)
    c.post("/insurance/subsidy/", {"year": "2018", "insurance": "medical"})
    # 甲镇: 3 people; 甲镇贫困 enrolled + subsidised; 甲镇老人 self-paid → excluded "paid" (enrolled, not on the list:
    # the 已参保未享受财政补助 gap of 000);
    # 甲镇脱贫 exited, not enrolled → "未参保且不在代缴名单". 乙镇: 乙镇贫困 entitled but not enrolled.
    rows = {
        t["township"]: t
        for t in c.get("/api/v1/insurance/coverage", {"year": 2018, "insurance": "medical"}).json()
    }
    a, b = rows["浮梁镇"], rows["鹅湖镇"]
    assert (a["people"], a["enrolled"], a["entitled"], a["subsidised"]) == (3, 2, 1, 1)
    assert a["gaps"] == {"应代缴未参保": 0, "已参保未享受财政补助": 1, "未参保且不在代缴名单": 1}
    assert (b["people"], b["entitled"], b["gaps"]["应代缴未参保"]) == (1, 1, 1)
    text = visible(
        c.get("/insurance/coverage/", {"year": 2018, "insurance": "medical"}).content.decode()
    )
    assert (
        "乙镇贫困" in text
        and "应代缴未参保" in text
        and "未参保且不在代缴名单（已脱贫（不再享受政策））" in text
    )
    assert not RAW.findall(text)
    x = c.get(
        "/insurance/coverage/",
        {"year": 2018, "insurance": "medical", "gap": "not_enrolled", "export": "xlsx"},
    )
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(x.streaming_content)))
    gaps = book.get_sheet_by_name("缺口名单").to_python()
    assert [r[2] for r in gaps[1:]] == ["乙镇贫困"]


def test_person_section_and_record_edits(world, county_user):
    p = world["a_old"]
    c = login(county_user)
    c.post("/insurance/subsidy/", {"year": "2018", "insurance": "pension"})
    page = visible(c.get(f"/registry/persons/{p.pk}/").content.decode())
    assert "60周岁以上补缴" in page and "1500.00" in page and "无养老保险参保记录" in page
    r = c.post(
        f"/insurance/persons/{p.pk}/",
        {
            "form": "pension",
            "p-status": "drawing",
            "p-drawing_since": "2018-03-01",
            "p-monthly": "105.50",
            "p-years_paid": "15",
            "p-paid_by": "",
            "p-reason": "开始领取待遇",
        },
    )
    assert r.status_code == 302
    rec = PensionRecord.objects.get(person=p)
    assert (rec.status, rec.monthly_amount_fen, rec.drawing_since) == (
        "drawing",
        10550,
        dt.date(2018, 3, 1),
    )
    h = InsuranceChange.objects.get(person=p)
    assert (
        h.reason == "开始领取待遇"
        and h.changed_by == county_user
        and h.after["status"] == "drawing"
    )
    assert AuditEntry.objects.filter(action="update", object_type="pensionrecord").exists()
    # Paying without tier and year is refused in Chinese, nothing changes.
    r = c.post(
        f"/insurance/persons/{p.pk}/",
        {"form": "pension", "p-status": "paying", "p-years_paid": "3", "p-reason": "改"},
        follow=True,
    )
    assert "参保缴费须填写缴费档次和缴费年度" in r.content.decode()
    assert PensionRecord.objects.get(person=p).status == "drawing"
    # Rerun: now drawing → off the back-pay list with the reason.
    c.post("/insurance/subsidy/", {"year": "2018", "insurance": "pension"})
    e = SubsidyEntry.objects.get(person=p, scheme="back_pay")
    assert (e.outcome, e.reason) == ("excluded", "drawing")
    page = visible(c.get(f"/registry/persons/{p.pk}/").content.decode())
    assert "领取待遇：2018-03-01 起，每月 105.50 元" in page and "开始领取待遇" in page


def test_api_run_and_lists(world, county_user):
    c = login(county_user)
    r = c.post(
        "/api/v1/insurance/subsidy-runs",
        {"year": 2018, "insurance": "medical"},
        content_type="application/json",
    )
    assert (
        r.status_code == 201 and r.json()["state"] == "done" and r.json()["state_name"] == "已完成"
    )
    rows = c.get("/api/v1/insurance/subsidy-entries", {"year": 2018, "outcome": "entitled"}).json()
    assert {(x["name"], x["amount_fen"], x["rule"]) for x in rows} == {
        ("甲镇贫困", 22000, "fuliang-2018 subsidy.medical.entitled.poor"),
        ("甲镇老人", 22000, "fuliang-2018 subsidy.medical.entitled.poor"),
        ("乙镇贫困", 22000, "fuliang-2018 subsidy.medical.entitled.poor"),
    }
    assert all("*" in x["id_number"] for x in rows)
    assert (
        c.get(f"/api/v1/insurance/persons/{world['a_poor'].pk}").json()["entries"][0]["amount_fen"]
        == 22000
    )


@pytest.mark.parametrize(
    "body",
    [
        {"year": "abc", "insurance": "medical"},
        {"year": 99999999999999999999, "insurance": "medical"},
        {"year": 2090, "insurance": "medical"},
        {"year": 2018, "insurance": 7},
        {"year": 2018, "insurance": "dental"},
        {"year": [2018], "insurance": "medical"},
        {"insurance": "medical"},
        {"year": 2031, "insurance": "medical"},
    ],
)
def test_api_attacker_bodies_get_422_in_chinese(world, county_user, body):
    c = login(county_user)
    r = c.post("/api/v1/insurance/subsidy-runs", body, content_type="application/json")
    assert r.status_code == 422, r.content
    assert re.search(r"[\u4e00-\u9fff]", r.json()["detail"])
    assert not SubsidyRun.objects.exists()


def test_api_attacker_queries_and_record_bodies(world, county_user):
    c = login(county_user)
    assert (
        c.get("/api/v1/insurance/subsidy-entries", {"year": 2018, "scheme": "<x>"}).status_code
        == 422
    )
    assert (
        c.get("/api/v1/insurance/subsidy-entries", {"year": 2018, "limit": 10**12}).status_code
        == 422
    )
    assert c.get("/api/v1/insurance/subsidy-runs/99999999999999999999").status_code in (404, 422)
    assert c.get("/api/v1/insurance/persons/0").status_code in (404, 422)
    pk = world["a_poor"].pk
    for body in (
        {"status": "paying", "reason": "x"},
        {"status": "flying", "reason": "x"},
        {"status": "drawing", "reason": ""},
        {"status": "paying", "tier_fen": -5, "paid_year": 2018, "reason": "x"},
        {"status": "paying", "tier_fen": 10**15, "paid_year": 2018, "reason": "x"},
        {"status": "drawing", "drawing_since": "2999-01-01", "reason": "x"},
    ):
        r = c.put(f"/api/v1/insurance/persons/{pk}/pension", body, content_type="application/json")
        assert r.status_code == 422, (body, r.content)
    assert not PensionRecord.objects.exists() and not InsuranceChange.objects.exists()
    r = c.put(
        f"/api/v1/insurance/persons/{pk}/medical",
        {"year": 2018, "enrolled_on": "2016-01-01", "paid_by": "self", "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "不在 2018 年度" in r.json()["detail"]
    r = c.put(
        f"/api/v1/insurance/persons/{pk}/medical",
        {"year": 2018, "enrolled_on": "2018-06-15", "paid_by": "government", "reason": "年中参保"},
        content_type="application/json",
    )
    # 浮梁 follows 002 (assumed): benefits from the month after payment.
    assert r.status_code == 200 and r.json()["medical"][0]["benefits_from"] == "2018-07-01"


def test_records_from_the_imported_extract(world, town_a_user):
    from fupin.insurance.models import EnrolmentRecord

    def extract(p, insurance, status="active", subsidy=True):
        EnrolmentRecord.objects.create(
            id_number=p.id_number,
            name=p.name,
            area_code=p.village_code,
            village_code=p.village_code,
            insurance=insurance,
            enrolment_status=status,
            premium_subsidy=subsidy,
        )

    extract(world["a_poor"], "pension")
    extract(world["a_poor"], "medical")
    extract(world["a_exited"], "medical", subsidy=False)
    extract(world["a_old"], "pension", status="suspended")
    extract(world["b_poor"], "medical")  # another township: not this user's to update
    c = login(town_a_user)
    r = c.post("/insurance/subsidy/", {"action": "sync", "year": "2018"}, follow=True)
    assert "养老保险 2 人，医疗保险 2 人" in r.content.decode()
    assert PensionRecord.objects.get(person=world["a_poor"]).status == "paying"
    assert PensionRecord.objects.get(person=world["a_old"]).status == "suspended"
    assert MedicalEnrolment.objects.get(person=world["a_exited"], year=2018).paid_by == "self"
    assert not MedicalEnrolment.objects.filter(person=world["b_poor"]).exists()
    assert InsuranceChange.objects.filter(source="extract").count() == 4
    # Again: nothing differs, nothing written.
    r = c.post("/insurance/subsidy/", {"action": "sync", "year": "2018"}, follow=True)
    assert "养老保险 0 人，医疗保险 0 人" in r.content.decode()
    assert InsuranceChange.objects.filter(source="extract").count() == 4
    r = c.post("/insurance/subsidy/", {"action": "sync", "year": "二〇一八"}, follow=True)
    assert "年度应为四位数字年份" in r.content.decode()
