"""约谈整改报告: the township interviewed submits its rectification report (text and a file checked
by its content) and may correct it; the county sees it and accepts it, after which nothing changes;
audited, filtered and exported; another township, a village, the county itself, read-only roles and
hostile input are refused in Chinese; two acceptances at once leave one."""

import datetime as dt
import io
import threading

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from fupin.access.models import AuditAction, AuditEntry
from fupin.management import services
from fupin.management.models import Interview
from tests.conftest import TOWN_A, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def interview(county_user):
    today = dt.date.today()
    return services.record_interview(
        user=county_user,
        area_code=TOWN_A,
        held_on=today - dt.timedelta(days=3),
        interviewee="王某（浮梁镇分管副镇长）",
        interviewer="李某（县人社局局长）",
        reason="春季攻势培训人数滞后于时间进度",
        actions="两周内开班一期茶叶加工培训",
        follow_up_on=today + dt.timedelta(days=14),
    )


def _pdf(name="整改报告.pdf", body=b"report"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n% " + body + b"\n", content_type="text/plain")


def _report(client, interview, **data):
    return client.post(f"/management/interviews/{interview.pk}/report/", data, follow=True)


def test_the_township_reports_and_the_county_accepts(interview, county_user, town_a_user):
    a = login(town_a_user)
    page = a.get(f"/management/interviews/{interview.pk}/").content.decode()
    assert 'id="report-form"' in page and "未提交整改报告" in page
    assert "约谈待提交整改报告：1 项" in a.get("/").content.decode()
    assert "rectification-notice" not in login(county_user).get("/").content.decode()
    r = _report(a, interview, report_text="已于3月20日开班，培训42人", report_file=_pdf())
    assert "已提交整改报告" in r.content.decode()
    i = Interview.objects.get()
    assert i.report_text == "已于3月20日开班，培训42人" and i.report_file_kind == "pdf"
    assert i.report_submitted_by == town_a_user and i.report_accepted_at is None
    first_file = i.report_file.name
    # Corrected before acceptance: the text changes, the file kept when none is chosen.
    _report(a, interview, report_text="已开班两期，培训85人")
    i.refresh_from_db()
    assert i.report_text == "已开班两期，培训85人" and i.report_file.name == first_file
    assert a.get(f"/management/interviews/{interview.pk}/report-file/").status_code == 200

    c = login(county_user)
    assert "整改报告待验收：1 项" in c.get("/").content.decode()
    assert "rectification-notice" not in a.get("/").content.decode()
    page = c.get(f"/management/interviews/{interview.pk}/").content.decode()
    assert "已开班两期" in page and 'id="accept-form"' in page and "整改报告.pdf" in page
    assert 'id="report-form"' not in page  # the county does not write the township's report
    listed = c.get("/management/interviews/?state=reported").content.decode()
    assert "王某" in listed.split('id="interview-table"')[1]
    r = c.post(
        f"/management/interviews/{interview.pk}/accept/",
        {"report_accept_note": "整改到位"},
        follow=True,
    )
    assert "已验收整改报告" in r.content.decode()
    i.refresh_from_db()
    assert i.report_accepted_by == county_user and i.report_accept_note == "整改到位"
    summaries = list(
        AuditEntry.objects.filter(
            action=AuditAction.UPDATE, object_type="interview", object_id=str(i.pk)
        ).values_list("summary", flat=True)
    )
    assert any(s.startswith("提交整改报告") for s in summaries)
    assert any(s.startswith("重新提交整改报告") for s in summaries)
    assert any(s.startswith("验收整改报告") for s in summaries)
    # Accepted: the township can no longer change it, nor can it be accepted twice.
    r = _report(a, interview, report_text="改一下", report_file=_pdf())
    assert "整改报告已验收，不能再修改" in r.content.decode()
    r = c.post(f"/management/interviews/{interview.pk}/accept/", {}, follow=True)
    assert "整改报告已经验收" in r.content.decode()
    i.refresh_from_db()
    assert i.report_text == "已开班两期，培训85人" and i.report_accept_note == "整改到位"
    assert 'id="report-form"' not in a.get(f"/management/interviews/{i.pk}/").content.decode()

    # The export carries the report's state, text and acceptance.
    x = c.get("/management/interviews/?state=accepted&format=xlsx")
    data = b"".join(x.streaming_content) if x.streaming else x.content
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [cell.value for cell in ws[1]]
    row = dict(zip(header, [cell.value for cell in ws[2]], strict=False))
    assert row["整改报告"] == "整改报告已验收" and row["整改报告内容"] == "已开班两期，培训85人"
    assert row["验收意见"] == "整改到位" and row["整改报告材料"] == "整改报告.pdf"


def test_others_cannot_submit_or_accept(interview, county_user, town_b_user, make_user):
    b = login(town_b_user)
    for url in ("report", "accept", "report-file"):
        assert b.post(f"/management/interviews/{interview.pk}/{url}/").status_code in (404, 405)
        assert b.get(f"/management/interviews/{interview.pk}/{url}/").status_code in (404, 405)
    village = make_user("village-a", "village", f"{TOWN_A}001")
    auditor = make_user("audit", "auditor", "360222")
    for user in (county_user, village, auditor):
        r = login(user).post(
            f"/management/interviews/{interview.pk}/report/",
            {"report_text": "代报", "report_file": _pdf()},
        )
        assert r.status_code in (403, 404), user.username
    town_a = make_user("town-a2", "township", TOWN_A)
    r = login(town_a).post(f"/management/interviews/{interview.pk}/accept/", {})
    assert r.status_code == 403
    # Nothing reported yet: the county has nothing to accept.
    r = login(county_user).post(f"/management/interviews/{interview.pk}/accept/", {}, follow=True)
    assert "尚未提交整改报告" in r.content.decode()
    assert (
        login(county_user).get(f"/management/interviews/{interview.pk}/report-file/").status_code
        == 404
    )
    i = Interview.objects.get()
    assert i.report_submitted_at is None and i.report_accepted_at is None


@pytest.mark.parametrize(
    "data, message",
    [
        ({"report_text": "", "report_file": "pdf"}, "整改报告：必填"),
        ({"report_text": "   ", "report_file": "pdf"}, "整改报告：必填"),
        ({"report_text": "已整改"}, "请上传整改报告文件"),
        ({"report_text": "字" * 2001, "report_file": "pdf"}, "最多 2000 个字"),
        ({"report_text": "已整改", "report_file": "exe"}, "未提交"),
        ({"report_text": "已整改", "report_file": "empty"}, "未提交"),
    ],
)
def test_bad_reports_are_refused_in_chinese(interview, town_a_user, data, message):
    files = {
        "pdf": _pdf(),
        "exe": SimpleUploadedFile("报告.pdf", b"MZ\x90\x00" + b"\x00" * 64),
        "empty": SimpleUploadedFile("报告.pdf", b""),
    }
    if "report_file" in data:
        data = {**data, "report_file": files[data["report_file"]]}
    r = _report(login(town_a_user), interview, **data)
    assert r.status_code == 200
    page = r.content.decode()
    assert "未提交" in page and message in page
    assert Interview.objects.get().report_submitted_at is None


@pytest.mark.django_db(transaction=True)
def test_two_acceptances_at_once_leave_one(county_user, town_a_user, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    today = dt.date.today()
    i = services.record_interview(
        user=county_user,
        area_code=TOWN_A,
        held_on=today,
        interviewee="王某",
        interviewer="李某",
        reason="滞后",
        actions="加快",
        follow_up_on=today,
    )
    services.submit_rectification(user=town_a_user, interview=i, text="已整改", upload=_pdf())
    second = make_user("county-2", "county", "360222")
    done, refused = [], []

    def accept(user, note):
        try:
            services.accept_rectification(user=user, interview=i, note=note)
            done.append(note)
        except services.ManagementError:
            refused.append(note)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=(u, n))
        for u, n in ((county_user, "甲"), (second, "乙"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(done) == 1 and len(refused) == 1
    i.refresh_from_db()
    assert i.report_accept_note == done[0]
    assert AuditEntry.objects.filter(summary__startswith="验收整改报告").count() == 1
