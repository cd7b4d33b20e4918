"""Pages: the dashboard per township, the lists filtered and exported (masked, audited), one
household's steps through forms, refusals shown in Chinese, another township's ids → 404."""

import datetime as dt
import io

import pytest
from python_calamine import CalamineWorkbook

from fupin.access.models import AuditEntry, Role
from fupin.monitoring.models import MonitoredHousehold, MonitoringRun, Stage
from tests.conftest import TOWN_A, TOWN_B, login

from .helpers import TODAY, exited, run


@pytest.fixture
def world(county_user, make_household):
    a = exited(make_household, TOWN_A, income_yuan=3000)
    b = exited(make_household, TOWN_B, income_yuan=3000)
    run(county_user)
    return MonitoredHousehold.objects.get(household=a), MonitoredHousehold.objects.get(household=b)


def _sheet(response) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return book.get_sheet_by_name(book.sheet_names[0]).to_python()


def test_home_lists_townships_by_name(world, county_user):
    body = login(county_user).get("/monitoring/").content.decode()
    assert "浮梁镇" in body and "鹅湖镇" in body and "360222100" not in body


def test_lists_filter_and_export_the_filtered_set(world, county_user):
    c = login(county_user)
    body = c.get("/monitoring/households/", {"area": TOWN_A}).content.decode()
    assert world[0].head_name in body and world[1].head_name not in body
    rows = _sheet(c.get("/monitoring/households/export/", {"area": TOWN_A}))
    assert [r[0] for r in rows[1:]] == [world[0].head_name]
    assert AuditEntry.objects.filter(action="export", object_id="防止返贫监测对象.xlsx").exists()
    rows = _sheet(c.get("/monitoring/alerts/export/", {"signal": "income"}))
    assert (
        len(rows) == 3
        and "低于监测线 5300.00 元" in rows[1][4]
        and "监测线（人均纯收入）" in rows[1][5]
    )
    body = c.get("/monitoring/alerts/").content.decode()
    assert (
        "fuliang-2018" not in body and "monitoring.income_line" not in body
    )  # rules by name, not codes


def test_other_townships_household_is_404(world, town_a_user):
    c = login(town_a_user)
    assert c.get(f"/monitoring/households/{world[1].pk}/").status_code == 404
    assert (
        c.post(
            f"/monitoring/households/{world[1].pk}/check/",
            {"checked_on": TODAY.isoformat(), "findings": "x"},
        ).status_code
        == 404
    )
    assert c.get(f"/monitoring/report/{world[1].household_id}/").status_code == 404
    assert world[1].head_name not in c.get("/monitoring/households/").content.decode()
    assert (
        world[1].head_name
        not in c.get("/monitoring/households/", {"area": TOWN_B}).content.decode()
    )


def test_steps_through_forms(world, town_a_user, make_user):
    m = world[0]
    village = make_user("village-a", Role.VILLAGE, TOWN_A)
    cv, ct = login(village), login(town_a_user)
    r = cv.post(
        f"/monitoring/households/{m.pk}/check/",
        {
            "checked_on": TODAY.isoformat(),
            "findings": "务工收入下降",
            "income_per_capita_fen": "3000",
        },
    )
    assert r.status_code == 302
    r = cv.post(
        f"/monitoring/households/{m.pk}/decide/",
        {
            "include": "1",
            "category": "unstable",
            "risk_types": ["income"],
            "reason": "收入低",
            "day": TODAY.isoformat(),
        },
    )
    assert "核查人不能认定自己核查的户" in r.content.decode()
    ct.post(
        f"/monitoring/households/{m.pk}/decide/",
        {
            "include": "1",
            "category": "unstable",
            "risk_types": ["income"],
            "reason": "收入低",
            "day": TODAY.isoformat(),
        },
    )
    ct.post(
        f"/monitoring/households/{m.pk}/measure/",
        {"kind": "welfare_post", "description": "安排村保洁公益性岗位", "day": TODAY.isoformat()},
    )
    m.refresh_from_db()
    assert m.stage == Stage.ASSISTING
    r = ct.post(
        f"/monitoring/households/{m.pk}/review/",
        {"reviewed_on": "9999-01-01", "income_per_capita_fen": "abc", "stable": "1", "note": "x"},
    )
    body = r.content.decode()
    assert r.status_code == 200 and "请按提示更正" in body
    body = ct.get(f"/monitoring/households/{m.pk}/").content.decode()
    assert "安排村保洁公益性岗位" in body and "暂不能标注" in body


def test_run_page_and_progress(world, county_user):
    r = MonitoringRun.objects.first()
    c = login(county_user)
    body = c.get(f"/monitoring/runs/{r.pk}/").content.decode()
    assert "浮梁镇" in body and "人均纯收入低于监测线 1 条" in body
    assert "已完成" in c.get(f"/monitoring/runs/{r.pk}/progress/").content.decode()


def test_read_only_role_cannot_start_a_run(world, make_user):
    auditor = make_user("aud", Role.AUDITOR, "360222")
    assert login(auditor).post("/monitoring/runs/start/").status_code == 403


def test_enter_off_list_household_page(town_a_user, areas):
    from tests.conftest import village_of

    c = login(town_a_user)
    assert "所在村" in c.get("/monitoring/households/new/").content.decode()
    r = c.post(
        "/monitoring/households/new/",
        {
            "village_code": village_of(TOWN_A).code,
            "head_name": "孙七",
            "head_id_number": "123",
            "member_count": "3",
            "category": "edge",
            "description": "x",
            "day": TODAY.isoformat(),
        },
    )
    assert "户主身份证号" in r.content.decode() and not MonitoredHousehold.objects.exists()


def test_person_page_shows_the_households_monitoring(world, county_user):
    person = world[0].household.members.first()
    body = login(county_user).get(f"/registry/persons/{person.pk}/").content.decode()
    assert "防止返贫监测" in body and "人均纯收入低于监测线" in body


def test_monitor_run_command(county_user, make_household):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    exited(make_household, TOWN_A, income_yuan=1000)
    out = io.StringIO()
    call_command("monitor", "run", "--user", "county", stdout=out)
    assert (
        "浮梁镇：人均纯收入低于监测线 1 条" in out.getvalue() and "新增预警 1 条" in out.getvalue()
    )
    out = io.StringIO()
    call_command("monitor", "run", "--user", "county", stdout=out)
    assert "新增预警 0 条" in out.getvalue()
    with pytest.raises(CommandError, match="超出范围"):
        call_command("monitor", "run", "--user", "county", "--date", "9000-01-01")
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    with pytest.raises(CommandError, match="不能晚于今天"):
        call_command("monitor", "run", "--user", "county", "--date", tomorrow)
    with pytest.raises(CommandError, match="不存在"):
        call_command("monitor", "run", "--user", "nobody")


def test_abandoned_run_is_failed_with_the_reason(county_user, areas):
    run = MonitoringRun.objects.create(
        area_code="360222", day=TODAY, state="running", step=2, steps=6, created_by=county_user
    )
    body = login(county_user).get(f"/monitoring/runs/{run.pk}/").content.decode()
    run.refresh_from_db()
    assert (
        run.state == "failed" and "后台进程意外退出" in run.message and "后台进程意外退出" in body
    )


def test_overdue_filters(world, county_user):
    m = world[0]
    MonitoredHousehold.objects.filter(pk=m.pk).update(check_due=TODAY - dt.timedelta(days=1))
    c = login(county_user)
    body = c.get("/monitoring/households/", {"overdue": "alert"}).content.decode()
    assert m.head_name in body and world[1].head_name not in body
    assert "预警逾期未核查" in c.get("/monitoring/").content.decode()
    assert [
        h["id"] for h in c.get("/api/v1/monitoring/households", {"overdue": "alert"}).json()
    ] == [m.pk]
