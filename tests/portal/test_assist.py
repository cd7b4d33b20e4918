"""Assisted service (代办): authorisation recorded (photo or code read aloud), every action marked as on
the resident's behalf, only inside the assistant's area, hostile files refused."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fupin.access.models import AuditEntry, Role
from fupin.portal.models import Assistance, ResidentRequest
from fupin.registry.models import Person
from tests.conftest import TOWN_A, TOWN_B, login

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def resident(make_household):
    return make_household(TOWN_A, members=2).members.order_by("id").first()


@pytest.fixture
def helper(make_user, resident):
    village = resident.village_code
    return make_user("village-helper", Role.VILLAGE, village)


def start(client, person, **extra):
    data = {
        "id_number": person.id_number,
        "mode": "station",
        "authorisation": "photo",
        "note": "",
        **extra,
    }
    return client.post(reverse("portal:assist_start"), data)


def photo(content=PNG, name="授权书.png"):
    return SimpleUploadedFile(name, content, content_type="image/png")


def test_photo_authorisation_then_every_action_is_marked(helper, resident):
    c = login(helper)
    r = start(c, resident, photo=photo())
    assert r.status_code == 302 and r["Location"] == reverse("portal:home")
    a = Assistance.objects.get()
    assert a.person == resident and a.assistant == helper and a.photo.name.endswith(".png")
    assert "授权书" not in a.photo.name  # stored under a random name
    home = c.get(reverse("portal:home")).content.decode()
    assert "【代办】village-helper" in home and resident.name in home
    c.post(reverse("portal:request_training"), {"wished_trade": "家政"})
    req = ResidentRequest.objects.get()
    assert req.assistance == a and req.person == resident
    entry = AuditEntry.objects.filter(object_type="residentrequest").get()
    assert entry.user == helper and entry.summary.startswith("【代办】")
    staff_page = c.get(reverse("portal:staff_request", args=[req.pk])).content.decode()
    assert "代办" in staff_page and "村便民服务站代办" in staff_page
    # end: the record closes, the resident pages are closed to this session, staff pages stay
    assert c.post(reverse("portal:assist_end"))["Location"] == reverse("portal:assist_records")
    a.refresh_from_db()
    assert a.ended_at is not None
    assert c.get(reverse("portal:home")).status_code == 302
    records = c.get(reverse("portal:assist_records")).content.decode()
    assert resident.name in records


def test_code_read_aloud(helper, resident, outbox):
    Person.objects.filter(pk=resident.pk).update(phone="13955556666")
    c = login(helper)
    r = start(c, resident, authorisation="code", mode="home", note="行动不便，上门到家")
    assert r["Location"] == reverse("portal:assist_code")
    phone, text = outbox[-1]
    assert phone == "13955556666" and "village-helper" in text
    code = re.search(r"\d{6}", text).group()
    wrong = "000000" if code != "000000" else "111111"
    r = c.post(reverse("portal:assist_code"), {"code": wrong})
    assert "验证码不正确" in r.content.decode() and not Assistance.objects.exists()
    r = c.post(reverse("portal:assist_code"), {"code": code})
    assert r["Location"] == reverse("portal:home")
    a = Assistance.objects.get()
    assert (a.mode, a.authorisation, a.note) == ("home", "code", "行动不便，上门到家")
    assert "上门" in c.get(reverse("portal:home")).content.decode()


def test_no_phone_means_photo(helper, resident, outbox):
    r = start(login(helper), resident, authorisation="code")
    assert "没有登记手机号码" in r.content.decode() and not outbox


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"photo": photo(b"MZ\x90\x00 not an image", "a.png")}, "授权书照片：文件类型不支持"),
        ({"photo": photo(b"", "a.png")}, "授权书照片："),
        ({}, "授权书照片：请选择要上传的文件"),
        ({"photo": photo(b"PK\x03\x04junk", "a.docx")}, "授权书照片："),
        ({"mode": "home", "photo": photo()}, "上门服务请写明上门地址"),
        ({"mode": "nowhere", "photo": photo()}, "服务方式"),
        ({"authorisation": "smoke", "photo": photo()}, "授权方式"),
        ({"id_number": "123"}, "身份证号："),
    ],
)
def test_bad_input_changes_nothing(helper, resident, extra, message):
    r = start(login(helper), resident, **extra)
    assert r.status_code == 200 and message in r.content.decode()
    assert not Assistance.objects.exists()


def test_oversized_photo_refused(helper, resident, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    r = start(login(helper), resident, photo=photo(PNG + b"\x00" * 2000))
    assert "超过上限" in r.content.decode() and not Assistance.objects.exists()


def test_only_inside_the_area_and_only_writers(make_household, make_user, resident, helper):
    outsider = make_household(TOWN_B, members=1).members.get()
    r = start(login(helper), outsider, photo=photo())
    assert "本辖区没有这个人员" in r.content.decode() and not Assistance.objects.exists()
    reader = make_user("reader", Role.POVERTY_OFFICE, TOWN_A)
    assert start(login(reader), resident, photo=photo()).status_code == 403
    assert not Assistance.objects.exists()


def test_authorisation_photo_is_scoped_and_audited(helper, resident, make_user):
    start(login(helper), resident, photo=photo())
    a = Assistance.objects.get()
    r = login(helper).get(reverse("portal:assist_photo", args=[a.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content) == PNG
    assert r["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="export", object_type="assistance").exists()
    other = make_user("town-b-user", Role.TOWNSHIP, TOWN_B)
    assert login(other).get(reverse("portal:assist_photo", args=[a.pk])).status_code == 404
    assert login(other).get(reverse("portal:assist_record", args=[a.pk])).status_code == 404
