"""约谈记录 (002: laggards are interviewed): recorded by the county for a township (or one of its
overdue tasks) with the minutes as a checked file; listed, filtered, exported, audited, followed
up; a township reads its own and never another's; bad input answered in Chinese."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.access.models import AuditAction, AuditEntry
from fupin.management.models import Interview, Task
from tests.conftest import TOWN_A, TOWN_B, login

pytestmark = pytest.mark.django_db


def _table(response) -> str:
    return response.content.decode().split('id="interview-table"')[1]


def _form(**over):
    today = dt.date.today()
    data = {
        "area": "浮梁镇",
        "held_on": (today - dt.timedelta(days=3)).isoformat(),
        "interviewee": "王某（浮梁镇分管副镇长）",
        "interviewer": "李某（县人社局局长）",
        "reason": "春季攻势培训人数滞后于时间进度",
        "actions": "两周内开班一期茶叶加工培训",
        "follow_up_on": (today + dt.timedelta(days=14)).isoformat(),
    }
    data.update(over)
    return data


def test_the_county_records_an_interview_with_its_minutes(county_user, town_a_user, town_b_user):
    c = login(county_user)
    pdf = SimpleUploadedFile(
        "../../约谈纪要.pdf", b"%PDF-1.4\n% minutes\n", content_type="text/plain"
    )
    r = c.post("/management/interviews/new/", {**_form(), "file": pdf})
    i = Interview.objects.get()
    assert r.status_code == 302 and r.url == f"/management/interviews/{i.pk}/"
    assert i.area_code == f"{TOWN_A}000" and i.file_kind == "pdf" and i.file_name == "约谈纪要.pdf"
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="interview", object_id=str(i.pk)
    ).exists()
    page = c.get(f"/management/interviews/{i.pk}/").content.decode()
    assert "浮梁镇" in page and "两周内开班" in page and "约谈纪要.pdf" in page
    # The township interviewed reads it and its file; the other township does not see it.
    a = login(town_a_user)
    assert "王某" in _table(a.get("/management/interviews/"))
    assert a.get(f"/management/interviews/{i.pk}/file/").status_code == 200
    b = login(town_b_user)
    assert "王某" not in _table(b.get("/management/interviews/"))
    assert b.get(f"/management/interviews/{i.pk}/").status_code == 404
    assert b.get(f"/management/interviews/{i.pk}/file/").status_code == 404
    # A township cannot record one.
    assert a.post("/management/interviews/new/", _form()).status_code == 403
    assert Interview.objects.count() == 1


def test_the_list_filters_and_exports_what_it_shows(county_user):
    c = login(county_user)
    c.post("/management/interviews/new/", _form())
    c.post("/management/interviews/new/", _form(area="鹅湖镇", interviewee="赵某"))
    old = _form(area="鹅湖镇", interviewee="钱某", held_on="2018-03-01", follow_up_on="2018-03-20")
    c.post("/management/interviews/new/", old)
    assert Interview.objects.count() == 3
    page = _table(c.get("/management/interviews/", {"area": "鹅湖镇", "state": "overdue"}))
    assert "钱某" in page and "赵某" not in page and "王某" not in page and "逾期未核查" in page
    r = c.get("/management/interviews/", {"area": "鹅湖镇", "format": "xlsx"})
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    names = {row[2] for row in rows[1:]}
    assert names == {"赵某", "钱某"} and rows[1][0] == "鹅湖镇"
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()
    bad = c.get("/management/interviews/", {"area": "不存在的乡"}).content.decode()
    assert "乡镇：" in bad


@pytest.mark.parametrize(
    "over, message",
    [
        ({"area": "火星镇"}, "被约谈乡镇"),
        ({"follow_up_on": "2000-01-01"}, "整改期限：不能早于约谈日期"),
        ({"held_on": "9999-01-01"}, "约谈日期"),
        ({"held_on": "昨天"}, "约谈日期"),
        ({"interviewee": "  "}, "被约谈人：必填"),
        ({"reason": "长" * 600}, "约谈事由最多 500 个字"),
    ],
)
def test_bad_input_is_answered_in_chinese(county_user, over, message):
    c = login(county_user)
    r = c.post("/management/interviews/new/", _form(**over), follow=True)
    assert r.status_code == 200 and message in r.content.decode()
    assert not Interview.objects.exists()


def test_a_disguised_file_is_refused(county_user):
    c = login(county_user)
    exe = SimpleUploadedFile("纪要.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    r = c.post("/management/interviews/new/", {**_form(), "file": exe}, follow=True)
    assert "文件类型不支持" in r.content.decode() and not Interview.objects.exists()


def test_an_overdue_task_is_interviewed_and_followed_up(county_user, town_b_user):
    task = Task.objects.create(
        title="建设扶贫车间", area_code=f"{TOWN_B}000", owner="孙所长", due_on=dt.date(2018, 3, 1)
    )
    c = login(county_user)
    form = c.get(f"/management/interviews/new/?task={task.pk}").content.decode()
    assert "逾期未完成" in form and "鹅湖镇" in form
    r = c.post(
        "/management/interviews/new/",
        _form(area="鹅湖镇", task=task.pk, reason="车间建设逾期"),
    )
    i = Interview.objects.get()
    assert r.status_code == 302 and i.task == task
    # The task of another township cannot be named for this one.
    c.post("/management/interviews/new/", _form(area="浮梁镇", task=task.pk))
    assert Interview.objects.count() == 1
    today = dt.date.today().isoformat()
    c.post(
        f"/management/interviews/{i.pk}/follow-up/",
        {"followed_up_on": today, "follow_up_note": "车间已投产"},
    )
    i.refresh_from_db()
    assert i.followed_up_on == dt.date.today() and i.follow_up_note == "车间已投产"
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(i.pk)).get()
    assert entry.changes["follow_up_note"] == ["", "车间已投产"]
    # The township reads the follow-up but cannot record one.
    b = login(town_b_user)
    assert "车间已投产" in b.get(f"/management/interviews/{i.pk}/").content.decode()
    assert (
        b.post(
            f"/management/interviews/{i.pk}/follow-up/",
            {"followed_up_on": today, "follow_up_note": "x"},
        ).status_code
        == 403
    )
