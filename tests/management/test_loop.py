"""Targets, the task ledger with its evidence, and the bulletin, through the pages as county and
township staff; attacker cases (another township's ids, forged files, junk input)."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from fupin.management import bulletins, services
from fupin.management.loading import load_indicators
from fupin.management.models import Bulletin, BulletinRead, Evidence, Indicator, Plan, Target, Task
from fupin.registry.models import Person, StatusChange
from tests.conftest import COUNTY, TOWN_A, TOWN_B, login

SPRING = (dt.date(2018, 2, 1), dt.date(2018, 4, 30))


@pytest.fixture
def plan(db, county_user):
    load_indicators()
    return services.save_plan(
        user=county_user, name="春季攻势", starts_on=SPRING[0], ends_on=SPRING[1]
    )


def test_a_county_total_is_split_by_registered_poor_population(plan, county_user, make_household):
    # 浮梁镇 6 active poor, 鹅湖镇 3: 17 workshops → 17×6/9 = 11.33, 17×3/9 = 5.67 → 11 and 6
    # (largest remainder), other townships 0.
    for town, n in ((TOWN_A, 6), (TOWN_B, 3)):
        hh = make_household(town, members=n)
        Person.objects.filter(household=hh).update(status="poor")
    shares = services.decompose(
        user=county_user, plan=plan, indicator=Indicator.objects.get(code="workshops"), total=17
    )
    assert shares[TOWN_A] == 11 and shares[TOWN_B] == 6 and sum(shares.values()) == 17
    assert Target.objects.get(plan=plan, area_code=COUNTY.ljust(12, "0")).value == 17


def test_largest_remainder_adds_up():
    assert services.largest_remainder(293, {"a": 1, "b": 1, "c": 1}) == {"a": 98, "b": 98, "c": 97}
    assert services.largest_remainder(5, {"a": 0, "b": 0}) == {"a": 0, "b": 0}


def test_a_township_sees_its_own_target_and_cannot_set_any(
    plan, county_user, town_a_user, town_b_user
):
    ind = Indicator.objects.get(code="job_fairs")
    services.set_target(user=county_user, plan=plan, indicator=ind, area_code=TOWN_A, value=2)
    services.set_target(user=county_user, plan=plan, indicator=ind, area_code=TOWN_B, value=7)
    page = login(town_a_user).get(reverse("management:plan", args=[plan.pk])).content.decode()
    assert "浮梁镇" in page and "鹅湖镇" not in page
    r = login(town_b_user).post(
        reverse("management:plan_target", args=[plan.pk]),
        {"indicator": "job_fairs", "area": TOWN_B, "value": "0"},
    )
    assert r.status_code == 403
    assert Target.objects.get(area_code=TOWN_B.ljust(12, "0")).value == 7


@pytest.mark.parametrize(
    "value, message",
    [
        ("十七", "应为整数"),
        ("-3", "不能为负数"),
        ("99999999999999999999", "超出范围"),
        ("", "应为整数"),
    ],
)
def test_bad_targets_are_refused_in_chinese(plan, county_user, value, message):
    r = login(county_user).post(
        reverse("management:plan_target", args=[plan.pk]),
        {"indicator": "workshops", "value": value},
        follow=True,
    )
    assert message in r.content.decode() and not Target.objects.exists()


def test_progress_behind_the_calendar_is_named(plan, county_user, make_household):
    # Plan 2018-02-01…04-30 (89 days); as of 2018-03-31 (59 days) the time share is 59/89 = 66 %.
    # 鹅湖镇 target 3 households out, 1 done (33 % < 66 %) → 滞后; 浮梁镇 target 1, 1 done → 已完成.
    ind = Indicator.objects.get(code="households_out")
    services.set_target(user=county_user, plan=plan, indicator=ind, area_code=TOWN_A, value=1)
    services.set_target(user=county_user, plan=plan, indicator=ind, area_code=TOWN_B, value=3)
    for town in (TOWN_A, TOWN_B):
        hh = make_household(town, members=2)
        StatusChange.objects.create(
            household=hh,
            village_code=hh.village_code,
            old_status="poor",
            new_status="exited_policy",
            effective_date=dt.date(2018, 3, 10),
            reason="脱贫",
        )
    b = bulletins.generate(user=county_user, month=dt.date(2018, 3, 1), plan=plan)
    section = next(s for s in b.data["sections"] if s["code"] == "households_out")
    rows = {r["name"]: r for r in section["rows"]}
    assert rows["浮梁镇"]["status"] == "已完成" and rows["浮梁镇"]["rank"] == 1
    assert rows["鹅湖镇"]["status"] == "滞后" and rows["鹅湖镇"]["rate"] == pytest.approx(
        1 / 3, abs=1e-4
    )
    assert section["laggards"] == ["鹅湖镇"] and "鹅湖镇" in b.data["laggards"]


def test_the_bulletin_pdf_reads_in_chinese(plan, county_user, make_household):
    services.set_target(
        user=county_user,
        plan=plan,
        indicator=Indicator.objects.get(code="job_fairs"),
        area_code=TOWN_B,
        value=3,
    )
    b = bulletins.generate(user=county_user, month=dt.date(2018, 3, 1), plan=plan)
    r = login(county_user).get(reverse("management:bulletin_pdf", args=[b.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages).replace(
        " ", ""
    )
    assert "浮梁县就业脱贫工程实施进度通报（2018年3月）" in text
    assert "专场招聘会场次" in text and "鹅湖镇" in text and "进度滞后的乡镇" in text


def test_published_to_every_township_which_confirms_reading(
    plan, county_user, town_a_user, town_b_user
):
    b = bulletins.generate(user=county_user, month=dt.date(2018, 3, 1), plan=plan)
    a = login(town_a_user)
    assert (
        a.get(reverse("management:bulletin", args=[b.pk])).status_code == 404
    )  # not yet published
    assert "尚无通报" in a.get(reverse("management:bulletins")).content.decode()
    login(county_user).post(reverse("management:bulletin_publish", args=[b.pk]))
    home = a.get("/").content.decode()
    assert b.title in home and "确认已阅" in home
    a.post(reverse("management:bulletin_read", args=[b.pk]), {"next": "home"})
    a.post(reverse("management:bulletin_read", args=[b.pk]))  # twice: still one confirmation
    read = BulletinRead.objects.get(bulletin=b)
    assert read.user == town_a_user and read.area_code == TOWN_A.ljust(12, "0") and read.read_at
    assert "已于" in a.get("/").content.decode()
    county_page = (
        login(county_user).get(reverse("management:bulletin", args=[b.pk])).content.decode()
    )
    assert (
        "town-a" in county_page and "未确认" in county_page
    )  # 鹅湖镇 and the rest have not confirmed
    assert (
        "town-a"
        not in login(town_b_user).get(reverse("management:bulletin", args=[b.pk])).content.decode()
    )
    with pytest.raises(services.ManagementError, match="已发布"):
        bulletins.generate(user=county_user, month=dt.date(2018, 3, 1), plan=plan)
    xlsx = login(town_b_user).get(reverse("management:bulletin_xlsx", args=[b.pk]))
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"


def test_a_township_cannot_generate_or_publish(plan, county_user, town_a_user):
    b = bulletins.generate(user=county_user, month=dt.date(2018, 3, 1), plan=plan)
    a = login(town_a_user)
    assert a.post(reverse("management:bulletin_generate"), {"month": "2018-03"}).status_code == 403
    assert a.post(reverse("management:bulletin_publish", args=[b.pk])).status_code == 404
    assert not Bulletin.objects.get(pk=b.pk).published_at


# -- task ledger -------------------------------------------------------------------------------------
@pytest.fixture
def task(plan, county_user):
    return services.create_task(
        user=county_user,
        area_code=TOWN_A,
        title="设立就业扶贫示范点",
        owner="张所长",
        due_on=dt.date(2018, 4, 30),
        plan=plan,
    )


def test_overdue_tasks_are_listed(task, county_user):
    services.create_task(
        user=county_user,
        area_code=TOWN_B,
        title="车间检查",
        owner="李所长",
        due_on=dt.date.today() + dt.timedelta(days=30),
    )
    page = (
        login(county_user).get(reverse("management:tasks"), {"status": "overdue"}).content.decode()
    )
    assert "设立就业扶贫示范点" in page and "车间检查" not in page and "浮梁镇" in page


def test_another_townships_task_is_not_found(task, town_b_user):
    b = login(town_b_user)
    for name in ("management:task", "management:task_update", "management:task_upload"):
        assert b.post(reverse(name, args=[task.pk]), {"status": "done"}).status_code == 404
    assert Task.objects.get(pk=task.pk).status == "todo"
    assert "设立就业扶贫示范点" not in b.get(reverse("management:tasks")).content.decode()


def test_a_township_updates_its_task_with_evidence(task, town_a_user):
    a = login(town_a_user)
    a.post(
        reverse("management:task_update", args=[task.pk]),
        {"status": "done", "done_on": "2018-04-20", "progress_note": "已挂牌"},
    )
    task.refresh_from_db()
    assert task.status == "done" and task.done_on == dt.date(2018, 4, 20)
    pdf = SimpleUploadedFile(
        "../../etc/挂牌照片\u202egpj.exe", b"%PDF-1.4\n%test\n", content_type="image/jpeg"
    )
    a.post(reverse("management:task_upload", args=[task.pk]), {"file": pdf, "note": "挂牌通知"})
    ev = Evidence.objects.get(task=task)
    assert (
        ev.kind == "pdf" and ev.name == "挂牌照片gpj.pdf" and "/" not in ev.name
    )  # path and bidi override gone, real type
    assert "挂牌照片" not in ev.file.name  # stored under a random name
    r = a.get(reverse("management:evidence", args=[ev.pk]))
    assert (
        r.status_code == 200
        and r["Content-Type"] == "application/pdf"
        and r["X-Content-Type-Options"] == "nosniff"
    )
    assert "attachment" in r["Content-Disposition"]


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("报告.pdf", b"<html><script>alert(1)</script></html>", "文件类型不支持"),
        ("photo.jpg", b"MZ\x90\x00" + b"\x00" * 100, "文件类型不支持"),
        ("表.xlsx", _zip({"evil.sh": b"rm -rf /"}), "不是 Word/Excel 文档"),
        (
            "表.xlsx",
            _zip({"[Content_Types].xml": b"<x/>", "xl/bomb.xml": b"0" * 5_000_000}),
            "压缩炸弹",
        ),
        ("表.docx", b"PK\x03\x04broken", "文件已损坏"),
        ("空.pdf", b"", "文件是空的"),
    ],
)
def test_forged_and_hostile_files_are_refused(task, town_a_user, name, data, message):
    r = login(town_a_user).post(
        reverse("management:task_upload", args=[task.pk]),
        {"file": SimpleUploadedFile(name, data)},
        follow=True,
    )
    assert message in r.content.decode()
    assert not Evidence.objects.exists()


def test_a_file_over_the_limit_is_refused(task, town_a_user, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    r = login(town_a_user).post(
        reverse("management:task_upload", args=[task.pk]),
        {"file": SimpleUploadedFile("大.pdf", b"%PDF-" + b"0" * 2000)},
        follow=True,
    )
    assert "超过上限" in r.content.decode() and not Evidence.objects.exists()


@pytest.mark.parametrize(
    "form, message",
    [
        ({"title": "", "owner": "张", "due_on": "2018-04-01", "area": TOWN_A}, "任务：必填"),
        ({"title": "任务", "owner": "张", "due_on": "9999-12-31", "area": TOWN_A}, "超出范围"),
        ({"title": "任务", "owner": "张", "due_on": "2018-02-30", "area": TOWN_A}, "完成时限"),
        (
            {"title": "任" * 101, "owner": "张", "due_on": "2018-04-01", "area": TOWN_A},
            "最多 100 个字",
        ),
        (
            {"title": "任务", "owner": "张", "due_on": "2018-04-01", "area": TOWN_B},
            "责任区划：请从列表中选择",
        ),
    ],
)
def test_bad_task_input_is_answered_in_chinese(db, town_a_user, form, message):
    load_indicators()
    r = login(town_a_user).post(reverse("management:task_new"), form)
    assert r.status_code == 200 and message in r.content.decode()
    assert not Task.objects.exists()


def test_township_reports_a_manual_count(db, town_a_user, county_user):
    load_indicators()
    a = login(town_a_user)
    a.post(
        reverse("management:report"), {"indicator": "demo_points", "month": "2018-03", "value": "2"}
    )
    r = a.post(
        reverse("management:report"),
        {"indicator": "demo_points", "month": "2018-03", "value": "两个"},
        follow=True,
    )
    assert "数值应为整数" in r.content.decode()
    assert (
        login(county_user)
        .post(
            reverse("management:report"),
            {"indicator": "workshops", "month": "2018-03", "value": "1"},
            follow=True,
        )
        .status_code
        == 200
    )
    page = login(county_user).get(reverse("management:report")).content.decode()
    assert "浮梁镇" in page and TOWN_A not in page


def test_plans_are_shared_but_only_the_county_makes_them(db, county_user, town_a_user):
    load_indicators()
    assert login(town_a_user).get(reverse("management:plan_new")).status_code == 403
    r = login(county_user).post(
        reverse("management:plan_new"),
        {"name": "攻势", "starts_on": "2018-05-01", "ends_on": "2018-02-01"},
    )
    assert "早于开始日期" in r.content.decode() and not Plan.objects.exists()


# -- API -----------------------------------------------------------------------------------------------
def test_api_indicators_per_township(db, make_household, town_a_user):
    load_indicators()
    hh = make_household(TOWN_A, members=3)
    Person.objects.filter(household=hh).update(status="poor", medical_status="enrolled")
    Person.objects.filter(pk=Person.objects.filter(household=hh).first().pk).update(
        medical_status="not_enrolled"
    )
    rows = {
        r["code"]: r
        for r in login(town_a_user).get("/api/v1/management/indicators?period=2018-Q1").json()
    }
    med = rows["medical_coverage"]
    assert med["period"] == "2018-Q1" and [t["name"] for t in med["townships"]] == ["浮梁镇"]
    assert (
        med["townships"][0]["numerator"] == 2
        and med["townships"][0]["denominator"] == 3
        and med["total"] == 66.7
    )  # 2 of 3


def test_api_tasks_in_scope_and_bad_json(task, town_a_user, town_b_user):
    assert login(town_b_user).get(f"/api/v1/management/tasks/{task.pk}").status_code == 404
    assert (
        login(town_b_user)
        .post(
            f"/api/v1/management/tasks/{task.pk}",
            {"status": "done"},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    a = login(town_a_user)
    assert [t["title"] for t in a.get("/api/v1/management/tasks?overdue=true").json()] == [
        "设立就业扶贫示范点"
    ]
    for body in (
        {"status": ["done"]},
        {"status": "finished"},
        {"status": "done", "done_on": "9999-12-31"},
        {"status": "done", "progress_note": "长" * 501},
    ):
        r = a.post(f"/api/v1/management/tasks/{task.pk}", body, content_type="application/json")
        assert r.status_code == 422, body
    r = a.post(
        f"/api/v1/management/tasks/{task.pk}",
        {"status": "done", "done_on": "2018-04-02"},
        content_type="application/json",
    )
    assert (
        r.status_code == 200
        and r.json()["status_name"] == "已完成"
        and r.json()["area_name"] == "浮梁镇"
    )
