"""Escalation texts the contacts the county set up for the level reached (升级短信通知), through the
message backend, after the step is committed; never the complainant's name, never another township."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from fupin.complaints import services
from fupin.complaints.models import Escalation, NoticeContact
from fupin.portal.sms import MemoryBackend, SmsError
from tests.complaints.conftest import T0
from tests.conftest import COUNTY, TOWN_A, TOWN_B

DAY = dt.timedelta(days=1)


@pytest.fixture
def texts(settings):
    settings.FUPIN_SMS_BACKEND = "fupin.portal.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


@pytest.fixture
def contacts(areas):
    def add(area, phone, **kw):
        return NoticeContact.objects.create(area_code=area, name="值班", phone=phone, **kw)

    return {
        "a": add(TOWN_A + "000", "13900000001"),
        "a_off": add(TOWN_A + "000", "13900000002", active=False),
        "b": add(TOWN_B + "000", "13900000003"),
        "county": add(COUNTY + "000000", "13900000004"),
    }


def _file(user, person, now=T0):
    return services.file_by_staff(
        user=user,
        person=person,
        village_code="",
        now=now,
        kind="complaint",
        category="subsidy",
        channel="phone",
        subject="岗位补贴没到账",
        content="三月份的补贴还没有发",
    )


def test_each_level_reached_texts_its_own_contacts(town_a_user, resident, contacts, texts):
    person = resident(TOWN_A)
    c = _file(town_a_user, person)
    assert services.escalate(now=T0 + DAY) == 0 and texts == []
    assert services.escalate(now=T0 + 3 * DAY) == 1
    assert [p for p, _ in texts] == ["13900000001"]  # township A's active contact only
    text = texts[0][1]
    assert text.startswith("【浮梁县人社局】") and f"第 {c.pk} 号投诉" in text
    assert "浮梁镇" in text and "升级至乡镇人社所" in text and "补贴" in text
    assert person.name not in text and "岗位补贴没到账" not in text  # no name, no subject
    assert Escalation.objects.get(complaint=c).notified == 1
    assert services.escalate(now=T0 + 4 * DAY) == 0 and len(texts) == 1  # nothing twice
    assert services.escalate(now=T0 + 16 * DAY) == 1
    assert [p for p, _ in texts] == ["13900000001", "13900000004"]
    assert "升级至县人社局" in texts[1][1]


def test_a_two_step_jump_texts_both_levels(town_b_user, resident, contacts, texts):
    _file(town_b_user, resident(TOWN_B))
    assert services.escalate(now=T0 + 40 * DAY) == 1
    assert [p for p, _ in texts] == ["13900000003", "13900000004"]


def test_no_contact_set_up_means_no_text_and_the_escalation_stands(
    town_a_user, resident, texts, areas
):
    c = _file(town_a_user, resident(TOWN_A))
    services.escalate(now=T0 + 3 * DAY)
    c.refresh_from_db()
    assert c.level == 2 and texts == [] and Escalation.objects.get(complaint=c).notified == 0


def test_a_failing_gateway_never_undoes_the_escalation(
    town_a_user, resident, contacts, settings, monkeypatch
):
    def refuse(self, phone, text):
        raise SmsError("短信平台无响应")

    monkeypatch.setattr(MemoryBackend, "send", refuse)
    settings.FUPIN_SMS_BACKEND = "fupin.portal.sms.MemoryBackend"
    c = _file(town_a_user, resident(TOWN_A))
    assert services.escalate(now=T0 + 3 * DAY) == 1
    c.refresh_from_db()
    assert c.level == 2 and Escalation.objects.get(complaint=c).notified == 0


def test_the_command_escalates_and_says_how_many(town_a_user, resident, contacts, texts, capsys):
    _file(town_a_user, resident(TOWN_A), now=T0 - 400 * DAY)
    call_command("escalate_complaints")
    assert "升级 1 件诉求" in capsys.readouterr().out
    assert [p for p, _ in texts] == ["13900000001", "13900000004"]


@pytest.mark.parametrize(
    "area, phone, field",
    [
        ("360222100", "13900000001", "area_code"),  # not padded
        ("360222100123", "13900000001", "area_code"),  # a village
        ("360222100000", "1390000000", "phone"),
        ("360222100000", "23900000001", "phone"),
        ("360222100000", "１３９００００００01", "phone"),
        ("360222100000", "1３900000001", "phone"),  # a full-width digit inside
    ],
)
def test_contact_fields_are_checked_in_chinese(areas, area, phone, field):
    with pytest.raises(ValidationError) as e:
        NoticeContact(area_code=area, name="值班", phone=phone).full_clean()
    assert field in e.value.message_dict
    assert all("应为" in m for m in e.value.message_dict[field])
