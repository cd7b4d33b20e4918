"""Resident requests: each becomes a township task with the pack's deadline; faults in Chinese, nothing
changed; the township lists, exports and handles its own only."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from fupin.access.models import AuditEntry, Role
from fupin.insurance.models import InsuranceChange, PensionRecord, SubsidyEntry, SubsidyRun
from fupin.portal.models import ResidentRequest
from fupin.registry.models import Person
from tests.conftest import TOWN_A, TOWN_B, login
from tests.portal.clients import resident_client


@pytest.fixture
def me(make_household):
    return make_household(TOWN_A, members=2).members.order_by("id").first()


@pytest.fixture
def stranger(make_household):
    return make_household(TOWN_B, members=1).members.get()


def days_later(n):
    return timezone.localdate() + dt.timedelta(days=n)


def test_pension_tier_request_keeps_the_government_minimum(me, county_user):
    run = SubsidyRun.objects.create(
        year=2018, insurance="pension", pack_id="fuliang-2018", state="done", created_by=county_user
    )
    SubsidyEntry.objects.create(year=2018, insurance="pension", person=me,
                                village_code=me.village_code, outcome="entitled", amount_fen=10_000,
                                run=run)  # fmt: skip
    c = resident_client(me)
    page = c.get(reverse("portal:request_pension")).content.decode()
    assert "政府每年为您代缴 100.00 元" in page
    assert 'value="10000"' in page and 'value="200000"' in page  # 100 … 2000 yuan
    r = c.post(reverse("portal:request_pension"), {"tier": "50000"})
    row = ResidentRequest.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("portal:request", args=[row.pk])
    year = timezone.localdate().year + 1
    assert row.detail == {
        "year": year,
        "tier_fen": 50_000,
        "government_fen": 10_000,
        "self_fen": 40_000,
    }
    assert row.due_on == days_later(15) and row.rule == "fuliang-2018 portal.request_days"
    assert row.village_code == me.village_code and row.assistance is None
    entry = AuditEntry.objects.filter(action="create").latest("id")
    assert entry.object_type == "residentrequest" and entry.summary.startswith("【居民门户】")
    detail = c.get(reverse("portal:request", args=[row.pk])).content.decode()
    assert "500.00 元/年（政府代缴 100.00 元，自缴 400.00 元）" in detail


@pytest.mark.parametrize("tier", ["15000", "5000", "abc", "", "9" * 50, "-10000", "10000.5"])
def test_pension_tier_outside_the_list_is_refused(me, tier):
    r = resident_client(me).post(reverse("portal:request_pension"), {"tier": tier})
    assert r.status_code == 200 and "缴费档次：请从列出的档次中选择一个" in r.content.decode()
    assert not ResidentRequest.objects.exists()


def test_drawing_pensioner_chooses_no_tier(me):
    PensionRecord.objects.create(person=me, village_code=me.village_code, status="drawing")
    r = resident_client(me).post(reverse("portal:request_pension"), {"tier": "10000"})
    assert "您已按月领取养老金" in r.content.decode() and not ResidentRequest.objects.exists()


def test_one_open_request_of_a_kind(me):
    c = resident_client(me)
    assert c.post(reverse("portal:request_training"), {"wished_trade": "电工"}).status_code == 302
    r = c.post(reverse("portal:request_training"), {"wished_trade": "焊工"})
    assert "您已有一件未办结的“申请参加技能培训”" in r.content.decode()
    assert ResidentRequest.objects.count() == 1
    # another kind is fine
    assert (
        c.post(reverse("portal:request_job"), {"wished_work": "县城附近的工厂"}).status_code == 302
    )
    assert c.post(reverse("portal:request_appraisal"), {"disease": "高血压"}).status_code == 302
    assert ResidentRequest.objects.filter(kind="appraisal").get().due_on == days_later(20)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("portal:request_training", {}, "想学的工种（如电工、家政、电商）：未填写"),
        ("portal:request_training", {"wished_trade": "工" * 51}, "最多 50 字，现有 51 字"),
        ("portal:request_job", {"wished_work": "   "}, "想做的工作、希望的地点：未填写"),
        ("portal:request_appraisal", {"disease": "病", "note": "字" * 301}, "留言：最多 300 字"),
        ("portal:request_phone", {"phone": "12345"}, "新手机号码：应为 11 位"),
        ("portal:request_phone", {"phone": "<script>"}, "新手机号码"),
    ],
)
def test_bad_request_input_is_named_and_changes_nothing(me, name, data, message):
    r = resident_client(me).post(reverse(name), data)
    assert r.status_code == 200 and message in r.content.decode()
    assert not ResidentRequest.objects.exists()


def test_phone_update_request(me):
    c = resident_client(me)
    r = c.post(reverse("portal:request_phone"), {"phone": "139 0000 1111"})
    assert r.status_code == 302
    assert ResidentRequest.objects.get().detail == {"phone": "13900001111"}
    me.refresh_from_db()
    assert me.phone == ""  # the registry changes only when the township has checked it


def test_township_lists_exports_and_handles_its_own(me, stranger, town_a_user, town_b_user):
    resident_client(me).post(reverse("portal:request_job"), {"wished_work": "甲镇的工作"})
    resident_client(stranger).post(reverse("portal:request_job"), {"wished_work": "乙镇的工作"})
    mine = ResidentRequest.objects.get(person=me)
    a = login(town_a_user)
    page = a.get(reverse("portal:staff_requests")).content.decode()
    assert "甲镇的工作" in page and "乙镇的工作" not in page
    book = b"".join(a.get(reverse("portal:staff_requests"), {"format": "xlsx"}).streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(book))
    rows = sheet.get_sheet_by_index(0).to_python()
    assert len(rows) == 2 and "意向：甲镇的工作" in rows[1] and me.id_number not in str(rows)
    # town B can neither read nor handle it
    b = login(town_b_user)
    assert b.get(reverse("portal:staff_request", args=[mine.pk])).status_code == 404
    r = b.post(reverse("portal:staff_request", args=[mine.pk]), {"status": "done", "answer": "x"})
    assert r.status_code == 404
    mine.refresh_from_db()
    assert mine.status == "open"
    url = reverse("portal:staff_request", args=[mine.pk])
    r = a.post(url, {"status": "done", "answer": ""})
    assert "办理结果：办结或不予办理时请写明结果" in r.content.decode()
    assert a.post(url, {"status": "in_progress"}).status_code == 302
    assert a.post(url, {"status": "done", "answer": "已推荐到县工业园"}).status_code == 302
    r = a.post(url, {"status": "in_progress", "answer": ""})
    assert "已是“已办结”" in r.content.decode()
    mine.refresh_from_db()
    assert mine.status == "done" and mine.handled_by == town_a_user
    seen = resident_client(me).get(reverse("portal:request", args=[mine.pk])).content.decode()
    assert "已推荐到县工业园" in seen and "已办结" in seen


def test_filters_and_read_only_role(me, make_user):
    resident_client(me).post(reverse("portal:request_job"), {"wished_work": "工作"})
    row = ResidentRequest.objects.get()
    ResidentRequest.objects.filter(pk=row.pk).update(due_on=dt.date(2000, 1, 1))
    town = make_user("town", Role.TOWNSHIP, TOWN_A)
    c = login(town)
    assert "工作" in c.get(reverse("portal:staff_requests"), {"overdue": "on"}).content.decode()
    assert "超期" in c.get(reverse("portal:staff_requests")).content.decode()
    empty = c.get(reverse("portal:staff_requests"), {"status": "done"}).content.decode()
    assert '<td colspan="8" class="text-muted">无</td>' in empty
    junk = c.get(
        reverse("portal:staff_requests"), {"status": "x", "area": "不存在的村", "kind": "zz"}
    )
    assert junk.status_code == 200
    reader = login(make_user("reader", Role.POVERTY_OFFICE, TOWN_A))
    r = reader.post(
        reverse("portal:staff_request", args=[row.pk]), {"status": "done", "answer": "x"}
    )
    assert r.status_code == 403
    row.refresh_from_db()
    assert row.status == "open"


def handle(user, row, status, answer="已核实"):
    return login(user).post(
        reverse("portal:staff_request", args=[row.pk]), {"status": status, "answer": answer}
    )


def test_phone_request_done_updates_the_registry_audited(me, stranger, town_a_user):
    Person.objects.filter(pk=stranger.pk).update(phone="13900001111")  # another household's
    resident_client(me).post(reverse("portal:request_phone"), {"phone": "139 0000 1111"})
    row = ResidentRequest.objects.get()
    version = Person.objects.get(pk=me.pk).version
    r = handle(town_a_user, row, "done", "已电话核实")
    assert r.status_code == 302
    me.refresh_from_db()
    row.refresh_from_db()
    assert me.phone == "13900001111" and me.version == version + 1 and row.status == "done"
    entry = AuditEntry.objects.filter(object_type="person", object_id=str(me.pk)).latest("id")
    assert entry.action == "update" and entry.user == town_a_user
    assert "更新手机号码" in entry.summary and f"居民申请 {row.pk}" in entry.summary
    assert entry.changes == {"phone": ["", "13900001111"]}


@pytest.mark.parametrize("status", ["refused", "in_progress"])
def test_phone_request_not_done_leaves_the_phone(me, town_a_user, status):
    resident_client(me).post(reverse("portal:request_phone"), {"phone": "13900002222"})
    row = ResidentRequest.objects.get()
    assert handle(town_a_user, row, status).status_code == 302
    me.refresh_from_db()
    assert me.phone == ""
    assert not AuditEntry.objects.filter(object_type="person", object_id=str(me.pk)).exists()


@pytest.mark.parametrize("bad", ["12345", "2390000111", "", None, 13900001111])
def test_invalid_phone_in_a_request_is_refused_and_nothing_changes(me, town_a_user, bad):
    row = ResidentRequest.objects.create(
        person=me, village_code=me.village_code, kind="phone", detail={"phone": bad},
        due_on=days_later(5), rule="test",
    )  # fmt: skip
    r = handle(town_a_user, row, "done")
    assert r.status_code == 200 and "不是有效的手机号" in r.content.decode()
    me.refresh_from_db()
    row.refresh_from_db()
    assert me.phone == "" and row.status == "open" and row.handled_by is None


def test_tier_request_done_writes_the_chosen_tier_with_history(me, town_a_user):
    PensionRecord.objects.create(person=me, village_code=me.village_code, status="paying",
                                 tier_fen=10_000, paid_year=2026)  # fmt: skip
    resident_client(me).post(reverse("portal:request_pension"), {"tier": "50000"})
    row = ResidentRequest.objects.get()
    year = timezone.localdate().year + 1
    assert handle(town_a_user, row, "done", "已录入").status_code == 302
    rec = PensionRecord.objects.get(person=me)
    assert (rec.chosen_tier_fen, rec.chosen_year) == (50_000, year)
    assert rec.tier_fen == 10_000 and rec.updated_by == town_a_user  # the paid year's tier stays
    change = InsuranceChange.objects.get(person=me)
    assert change.changed_by == town_a_user and f"居民申请 {row.pk}" in change.reason
    assert change.before["chosen_tier_fen"] is None and change.after["chosen_tier_fen"] == 50_000
    row.refresh_from_db()
    assert row.status == "done"


def test_tier_request_refused_writes_nothing(me, town_a_user):
    resident_client(me).post(reverse("portal:request_pension"), {"tier": "50000"})
    row = ResidentRequest.objects.get()
    assert handle(town_a_user, row, "refused", "材料不全").status_code == 302
    assert not PensionRecord.objects.filter(person=me).exists()
    assert not InsuranceChange.objects.exists()


@pytest.mark.parametrize(
    "detail, message",
    [
        ({"year": 2027, "tier_fen": 5_000}, "低于 2020 年度政府代缴最低档次 100.00 元"),
        ({"year": 2019, "tier_fen": 9_999}, "低于 2019 年度政府代缴最低档次 100.00 元"),
        ({"year": "2027", "tier_fen": 50_000}, "缺少年度或档次"),
        ({"tier_fen": 50_000}, "缺少年度或档次"),
        ({"year": 99999, "tier_fen": 50_000}, "养老保险记录"),
        ({"year": 2027, "tier_fen": 10**12}, "养老保险记录"),
    ],
)
def test_tier_below_the_minimum_or_malformed_is_refused(me, town_a_user, detail, message):
    row = ResidentRequest.objects.create(
        person=me, village_code=me.village_code, kind="pension_tier", detail=detail,
        due_on=days_later(15), rule="test",
    )  # fmt: skip
    r = handle(town_a_user, row, "done")
    assert r.status_code == 200 and message in r.content.decode()
    assert not PensionRecord.objects.filter(person=me).exists()
    row.refresh_from_db()
    assert row.status == "open"


def test_drawing_pensioner_tier_request_cannot_be_done(me, town_a_user):
    PensionRecord.objects.create(person=me, village_code=me.village_code, status="drawing",
                                 drawing_since=dt.date(2020, 1, 1))  # fmt: skip
    row = ResidentRequest.objects.create(
        person=me, village_code=me.village_code, kind="pension_tier",
        detail={"year": 2027, "tier_fen": 50_000}, due_on=days_later(15), rule="test",
    )  # fmt: skip
    assert "已领取养老保险待遇" in handle(town_a_user, row, "done").content.decode()
    assert PensionRecord.objects.get(person=me).chosen_tier_fen is None


def test_the_chosen_tier_shows_to_the_resident_and_on_the_person_page(me, town_a_user):
    PensionRecord.objects.create(person=me, village_code=me.village_code, status="paying",
                                 tier_fen=10_000, paid_year=2026,
                                 chosen_tier_fen=150_000, chosen_year=2027)  # fmt: skip
    mine = resident_client(me).get(reverse("portal:me")).content.decode()
    assert "2027 年度选定档次 1500.00 元/年" in mine
    staff = login(town_a_user).get(reverse("registry:person", args=[me.pk]))
    assert "2027 年度选定档次 1500.00 元（居民选档）" in staff.content.decode()
