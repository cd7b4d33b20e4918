"""Resident login by ID number + phone + one-time code: faults answered in Chinese, nothing revealed."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fupin.access.models import AuditEntry
from fupin.portal.models import LoginCode
from fupin.registry.models import Household, Person
from tests.conftest import TOWN_A

PHONE = "13912345678"
UNKNOWN_ID = "110101199003077774"  # valid check digit, never in the test registry


@pytest.fixture
def resident(make_household):
    hh = make_household(TOWN_A, members=2)
    person = hh.members.order_by("id").first()
    Person.objects.filter(pk=person.pk).update(phone=PHONE)
    person.refresh_from_db()
    return person


def ask(client, id_number, phone=PHONE, **extra):
    return client.post(reverse("portal:login"), {"id_number": id_number, "phone": phone, **extra})


def enter(client, code):
    return client.post(reverse("portal:login_code"), {"code": code})


def code_in(outbox) -> str:
    return re.search(r"\d{6}", outbox[-1][1]).group()


def logged_in(client) -> bool:
    return client.get(reverse("portal:home")).status_code == 200


def test_the_right_code_logs_the_resident_in(resident, outbox):
    c = Client()
    r = ask(c, resident.id_number)
    assert r.status_code == 302 and r["Location"] == reverse("portal:login_code")
    assert outbox[-1][0] == PHONE
    page = c.get(reverse("portal:login_code")).content.decode()
    assert "139****5678" in page
    r = enter(c, code_in(outbox))
    assert r.status_code == 302 and r["Location"] == reverse("portal:home")
    assert logged_in(c)
    entry = AuditEntry.objects.filter(action="login").latest("id")
    assert entry.area_code == resident.village_code and resident.id_number not in entry.username


def test_household_phone_also_works_and_full_width_input_is_accepted(resident, outbox):
    Household.objects.filter(pk=resident.household_id).update(phone="13800000001")
    Person.objects.filter(pk=resident.pk).update(phone="")
    c = Client()
    wide = resident.id_number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    ask(c, wide, "138 0000 0001")
    assert outbox and outbox[-1][0] == "13800000001"
    enter(c, code_in(outbox))
    assert logged_in(c)


def test_unknown_id_gets_the_same_answer_and_no_message(resident, outbox, settings):
    settings.PORTAL_CODE_INTERVAL_SECONDS = 0
    known, unknown = Client(), Client()
    r1, r2 = ask(known, resident.id_number), ask(unknown, UNKNOWN_ID)
    assert (r1.status_code, r1["Location"]) == (r2.status_code, r2["Location"])
    p1 = known.get(reverse("portal:login_code")).content.decode()
    p2 = unknown.get(reverse("portal:login_code")).content.decode()
    strip = lambda s: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", s)  # noqa: E731
    assert strip(p1) == strip(p2)
    assert len(outbox) == 1  # only the registered resident was texted
    # a registered ID with a phone not on record: also the same answer, and no message
    r3 = ask(Client(), resident.id_number, "13700000000")
    assert r3.status_code == 302 and len(outbox) == 1
    w1, w2 = enter(known, "000000"), enter(unknown, "000000")
    assert strip(w1.content.decode()) == strip(w2.content.decode())


def test_wrong_code_counts_down_and_then_locks(resident, outbox, settings):
    settings.PORTAL_CODE_FAILURES = 3
    c = Client()
    ask(c, resident.id_number)
    good = code_in(outbox)
    bad = "000000" if good != "000000" else "111111"
    r = enter(c, bad)
    assert r.status_code == 200 and "验证码不正确，还可再试 2 次" in r.content.decode()
    assert "验证码不正确，还可再试 1 次" in enter(c, bad).content.decode()
    assert "已暂停登录 30 分钟" in enter(c, bad).content.decode()
    # the right code no longer helps, and no new code is sent while locked
    assert "已暂停登录" in enter(c, good).content.decode()
    assert not logged_in(c)
    r = ask(Client(), resident.id_number)
    assert r.status_code == 200 and "已暂停登录" in r.content.decode()
    assert len(outbox) == 1
    assert AuditEntry.objects.filter(action="login_failed").count() == 4


def test_unknown_id_locks_the_same_way(db, areas, settings):
    settings.PORTAL_CODE_FAILURES = 2
    c = Client()
    ask(c, UNKNOWN_ID)
    enter(c, "123456")
    assert "已暂停登录" in enter(c, "123456").content.decode()
    assert "已暂停登录" in ask(Client(), UNKNOWN_ID).content.decode()


def test_expired_code_is_refused(resident, outbox):
    c = Client()
    ask(c, resident.id_number)
    LoginCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = enter(c, code_in(outbox))
    assert "验证码已过期，请重新获取" in r.content.decode() and not logged_in(c)


def test_a_code_works_once(resident, outbox):
    c = Client()
    ask(c, resident.id_number)
    code = code_in(outbox)
    enter(c, code)
    c2 = Client()  # a second device replaying the pending step with the same row
    session = c2.session
    session["portal_login"] = {
        "code": LoginCode.objects.get().pk,
        "id": resident.id_number,
        "phone": PHONE,
        "next": "/portal/",
    }
    session.save()
    assert "该验证码已使用" in enter(c2, code).content.decode() and not logged_in(c2)


def test_flooding_the_code_endpoint_is_refused(resident, outbox, settings, make_household):
    settings.PORTAL_CODE_INTERVAL_SECONDS = 60
    c = Client()
    ask(c, resident.id_number)
    r = ask(c, resident.id_number)
    assert r.status_code == 200 and "秒后再获取" in r.content.decode()
    settings.PORTAL_CODE_INTERVAL_SECONDS = 0
    for _ in range(settings.PORTAL_CODES_PER_HOUR_ID - 1):
        assert ask(c, resident.id_number).status_code == 302
    r = ask(c, resident.id_number)
    assert "获取验证码过于频繁" in r.content.decode()
    assert len(outbox) == settings.PORTAL_CODES_PER_HOUR_ID
    # one address asking for many ID numbers
    settings.PORTAL_CODES_PER_HOUR_IP = LoginCode.objects.count() + 2
    others = [p.id_number for p in make_household(TOWN_A, members=3).members.all()]
    assert ask(Client(), others[0], "13600000000").status_code == 302
    assert ask(Client(), others[1], "13600000001").status_code == 302
    assert "过于频繁" in ask(Client(), others[2], "13600000002").content.decode()


@pytest.mark.parametrize(
    ("id_number", "phone", "message"),
    [
        ("", PHONE, "身份证号：未填写"),
        ("36022219900307777", PHONE, "身份证号："),
        ("110101199003077778", PHONE, "身份证号：校验码错误"),
        ("x" * 5000, PHONE, "身份证号：长度不对"),
        (UNKNOWN_ID, "12345", "手机号码：应为 11 位"),
        (UNKNOWN_ID, "", "手机号码"),
    ],
)
def test_bad_input_is_named_in_chinese_and_changes_nothing(db, areas, id_number, phone, message):
    c = Client()
    r = ask(c, id_number, phone)
    assert r.status_code == 200 and message in r.content.decode()
    assert LoginCode.objects.count() == 0


def test_bad_codes_and_missing_step(resident, outbox):
    c = Client()
    assert c.get(reverse("portal:login_code"))["Location"] == reverse("portal:login")
    ask(c, resident.id_number)
    for junk in ("12", "abcdef", "1" * 5000, ""):
        r = enter(c, junk)
        assert r.status_code == 200 and "验证码：应为 6 位数字" in r.content.decode()
    assert LoginCode.objects.get().attempts == 0


def test_next_must_stay_in_the_portal(resident, outbox):
    c = Client()
    ask(c, resident.id_number, next="https://evil.example/")
    assert enter(c, code_in(outbox))["Location"] == reverse("portal:home")
    c = Client()
    LoginCode.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))
    ask(c, resident.id_number, next="/portal/?x=1")
    assert enter(c, code_in(outbox))["Location"] == "/portal/?x=1"


def test_stored_rows_hold_no_id_phone_or_code(resident, outbox):
    ask(Client(), resident.id_number)
    row = LoginCode.objects.get()
    code = code_in(outbox)
    text = " ".join(str(v) for v in LoginCode.objects.values().get().values())
    assert resident.id_number not in text and PHONE not in text and code not in row.code_hash


def test_codes_are_sent_by_a_queued_job_after_commit_for_known_and_unknown_ids(
    resident, outbox, monkeypatch, django_capture_on_commit_callbacks
):
    """The page never waits on the gateway: the message is a background job queued once the
    page's transaction commits, and one is queued for an unregistered ID too (sending nothing).
    The job's argument is an outbox row's id: neither the phone nor the code is in it."""
    from types import SimpleNamespace

    from django.db import transaction

    from fupin.portal import otp, sms, tasks
    from fupin.portal.models import SmsOutbox

    queued = []
    fake = SimpleNamespace(enqueue=lambda *a: queued.append(a))
    monkeypatch.setattr(tasks, "send_code_task", fake)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            otp.request_code(id_raw=resident.id_number, phone_raw=PHONE, ip="10.0.0.1")
            assert queued == []  # nothing goes out before the commit
    known = SmsOutbox.objects.get()
    assert len(callbacks) == 1 and queued[0] == (known.pk,)
    otp.request_code(id_raw=UNKNOWN_ID, phone_raw=PHONE, ip="10.0.0.2")
    unknown = SmsOutbox.objects.exclude(pk=known.pk).get()
    assert queued[1] == (unknown.pk,)  # a job all the same
    assert unknown.person_id is None and unknown.phone_key == ""  # holding nothing of the visitor
    assert outbox == []  # the page itself sent nothing
    assert sms.send_queued(unknown.pk) is False and outbox == []
    assert sms.send_queued(known.pk) is True and outbox[-1][0] == PHONE
    assert not SmsOutbox.objects.exists()  # erased once sent
    assert sms.send_queued(known.pk) is False and len(outbox) == 1  # never twice


def test_no_phone_or_code_in_the_task_table_or_the_outbox(resident, settings):
    """With the database task backend (production's default) a requested code leaves no phone
    number and no code in the task table or the outbox; the worker then texts it and erases the row."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    from fupin.portal.models import SmsOutbox
    from fupin.portal.sms import MemoryBackend

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    ask(Client(), resident.id_number)
    ask(Client(), UNKNOWN_ID)
    assert MemoryBackend.outbox == [] and DBTaskResult.objects.count() == 2
    stored = " ".join(
        str(v)
        for model in (DBTaskResult, SmsOutbox, LoginCode)
        for row in model.objects.values()
        for v in row.values()
    )
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    for row in DBTaskResult.objects.all():  # what `fupin worker` does, in this test's connection
        worker.run_task(row)
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL"] * 2
    assert len(MemoryBackend.outbox) == 1
    phone, text = MemoryBackend.outbox[0]
    code = re.search(r"\d{6}", text).group()
    assert phone == PHONE
    assert PHONE not in stored and code not in stored and resident.id_number not in stored
    assert not SmsOutbox.objects.exists()


def test_a_stale_or_changed_phone_row_sends_nothing(resident, outbox, monkeypatch):
    from fupin.portal import otp, sms, tasks
    from fupin.portal.models import SmsOutbox

    monkeypatch.setattr(tasks, "send_code_task", type("T", (), {"enqueue": lambda *a: None}))
    otp.request_code(id_raw=resident.id_number, phone_raw=PHONE, ip="10.0.0.1")
    row = SmsOutbox.objects.get()
    Person.objects.filter(pk=resident.pk).update(phone="13700000000")
    assert sms.send_queued(row.pk) is False and outbox == []
    Person.objects.filter(pk=resident.pk).update(phone=PHONE)
    LoginCode.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))
    otp.request_code(id_raw=resident.id_number, phone_raw=PHONE, ip="10.0.0.1")
    row = SmsOutbox.objects.get()
    SmsOutbox.objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    assert sms.send_queued(row.pk) is False and outbox == []


def test_the_code_texted_is_the_code_that_logs_in(resident, outbox):
    c = Client()
    ask(c, resident.id_number)
    text = outbox[-1][1]
    assert text.startswith("【浮梁县人社局】")  # the county's name from COUNTY_CODE
    assert logged_in(c) is False
    enter(c, code_in(outbox))
    assert logged_in(c)
