import io
import json

from python_calamine import CalamineWorkbook

from fupin.access.models import AuditEntry
from fupin.complaints.models import Complaint
from tests.conftest import TOWN_A, TOWN_B, login
from tests.portal.clients import resident_client


def _xlsx_rows(r):
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
    return book.get_sheet_by_name(book.sheet_names[0]).to_python()


FORM = {
    "channel": "phone",
    "kind": "complaint",
    "category": "subsidy",
    "subject": "补贴没到账",
    "content": "三月份的岗位补贴没有发",
}


def test_staff_files_answers_and_exports(town_a_user, resident):
    p = resident(TOWN_A)
    c = login(town_a_user)
    r = c.post("/complaints/new/", {**FORM, "person": str(p.pk)}, follow=True)
    assert "已登记" in r.content.decode()
    k = Complaint.objects.get()
    assert (k.person, k.channel, k.filed_by) == (p, "phone", town_a_user)
    assert "补贴没到账" in c.get("/complaints/").content.decode()
    r = c.post(f"/complaints/{k.pk}/answer/", {"answer": "已于本周发放"}, follow=True)
    assert "已于本周发放" in r.content.decode()
    # the open list no longer shows it; the answered list and its export do
    assert "补贴没到账" not in c.get("/complaints/").content.decode()
    rows = _xlsx_rows(c.get("/complaints/?state=answered&format=xlsx"))
    assert [row[4] for row in rows[1:]] == ["补贴没到账"]
    rows = _xlsx_rows(c.get("/complaints/monthly/?format=xlsx"))
    assert sum(row[1] for row in rows[1:]) == 1


def test_phone_call_without_person_needs_village_and_name(town_a_user, town_b_user, resident):
    c = login(town_a_user)
    r = c.post("/complaints/new/", FORM)
    assert "请填写反映人，或选择所在的村" in r.content.decode()
    r = c.post("/complaints/new/", {**FORM, "village": "鹅湖镇", "contact_name": "张三"})
    assert r.status_code == 200 and not Complaint.objects.exists()
    other = resident(TOWN_B)
    r = c.post("/complaints/new/", {**FORM, "person": other.id_number})
    assert "本辖区内没有这个人员" in r.content.decode()
    assert not Complaint.objects.exists()


def test_other_townships_complaint_is_404(town_a_user, town_b_user, resident):
    a = login(town_a_user)
    a.post("/complaints/new/", {**FORM, "person": str(resident(TOWN_A).pk)})
    k = Complaint.objects.get()
    b = login(town_b_user)
    assert b.get(f"/complaints/{k.pk}/").status_code == 404
    assert b.post(f"/complaints/{k.pk}/answer/", {"answer": "x"}).status_code == 404
    assert b.get(f"/api/v1/complaints/{k.pk}").status_code == 404
    r = b.post(
        f"/api/v1/complaints/{k.pk}/answer",
        json.dumps({"answer": "x"}),
        content_type="application/json",
    )
    assert r.status_code == 404
    k.refresh_from_db()
    assert k.answered_at is None


def test_api_wrong_types_and_huge_text(town_a_user, resident):
    p = resident(TOWN_A)
    c = login(town_a_user)
    base = {"person_id": p.pk, **FORM}
    for body in (
        {**base, "subject": 123},
        {**base, "content": "字" * 2001},
        {**base, "category": "ufo"},
        {**base, "channel": "portal"},
        {**base, "person_id": "1"},
        {**base, "person_id": 2**70},
        {k: v for k, v in base.items() if k != "person_id"},
        [],
    ):
        r = c.post("/api/v1/complaints", json.dumps(body), content_type="application/json")
        assert r.status_code == 422, (body, r.content)
    assert not Complaint.objects.exists()
    r = c.post("/api/v1/complaints", json.dumps(base), content_type="application/json")
    assert r.status_code == 201 and r.json()["level"] == 1
    pk = r.json()["id"]
    r = c.post(
        f"/api/v1/complaints/{pk}/satisfaction",
        json.dumps({"satisfaction": "satisfied"}),
        content_type="application/json",
    )
    assert r.status_code == 422 and "答复之后" in r.json()["detail"]
    assert c.get("/api/v1/complaints/monthly?year=99999").status_code == 422


def test_resident_files_reads_answer_and_rates(town_a_user, resident):
    p = resident(TOWN_A)
    rc = resident_client(p)
    r = rc.post(
        "/portal/complaints/new/",
        {
            "kind": "request",
            "category": "training",
            "subject": "想报名电工培训",
            "content": "请安排",
        },
        follow=True,
    )
    assert "已提交" in r.content.decode()
    k = Complaint.objects.get()
    assert (k.person, k.channel, k.filed_by) == (p, "portal", None)
    assert AuditEntry.objects.filter(object_type="complaint", object_id=str(k.pk)).exists()
    login(town_a_user).post(f"/complaints/{k.pk}/answer/", {"answer": "下周一到镇里报名"})
    r = rc.get(f"/portal/complaints/{k.pk}/")
    assert "下周一到镇里报名" in r.content.decode()
    rc.post(f"/portal/complaints/{k.pk}/rate/", {"satisfaction": "satisfied"})
    k.refresh_from_db()
    assert k.satisfaction == "satisfied"


def test_resident_never_reaches_another_household(resident):
    mine, theirs = resident(TOWN_A), resident(TOWN_A)
    rc_other = resident_client(theirs)
    rc_other.post(
        "/portal/complaints/new/",
        {"kind": "request", "category": "other", "subject": "别人家的事", "content": "隐私"},
    )
    k = Complaint.objects.get()
    rc = resident_client(mine)
    assert rc.get(f"/portal/complaints/{k.pk}/").status_code == 404
    assert (
        rc.post(f"/portal/complaints/{k.pk}/rate/", {"satisfaction": "unsatisfied"}).status_code
        == 404
    )
    assert "别人家的事" not in rc.get("/portal/complaints/").content.decode()
    r = rc.post(
        "/portal/complaints/new/",
        {"kind": "request", "category": "other", "subject": "x" * 500, "content": "字" * 5000},
    )
    assert r.status_code == 200 and Complaint.objects.count() == 1


def test_person_page_lists_complaints(town_a_user, resident):
    p = resident(TOWN_A)
    c = login(town_a_user)
    assert 'id="complaints-section"' not in c.get(f"/registry/persons/{p.pk}/").content.decode()
    c.post("/complaints/new/", {**FORM, "person": str(p.pk)})
    text = c.get(f"/registry/persons/{p.pk}/").content.decode()
    assert 'id="complaints-section"' in text and "补贴没到账" in text and "待受理" in text
