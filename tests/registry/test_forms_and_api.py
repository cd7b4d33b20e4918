"""Bad input anywhere returns field-level Chinese messages, never a 500."""

import pytest

from fupin.access.models import AuditEntry
from fupin.registry.models import Household, Person
from tests.conftest import TOWN_A, login, village_of


@pytest.fixture
def hh(make_household):
    return make_household(members=1)


def post_json(client, url, data, method="post"):
    return getattr(client, method)(url, data, content_type="application/json")


def test_person_api_names_each_fault(hh, town_a_user):
    c = login(town_a_user)
    r = post_json(
        c,
        "/api/v1/persons",
        {"household": hh.pk, "id_number": "360222198001010015", "name": "李", "months_worked": 15},
    )
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert errors["id_number"] == ["校验码错误，应为4"]
    assert errors["name"] == ["姓名至少2个字"]
    assert errors["months_worked"] == ["务工时间 15 个月超过12个月"]
    assert "relation" in errors
    assert Person.objects.count() == 1


def test_person_created_through_api_derives_sex_and_birth(hh, town_a_user):
    c = login(town_a_user)
    r = post_json(
        c,
        "/api/v1/persons",
        {
            "household": hh.pk,
            "id_number": "３６０２２２１９８００１０１００１４",
            "name": "李四",
            "relation": "child",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["sex"] == "男" and body["birth_date"] == "1980-01-01"
    assert body["id_number"] == "360222********0014"
    assert AuditEntry.objects.filter(action="create", object_type="person").count() == 1


def test_duplicate_id_points_to_existing_record(hh, town_a_user):
    existing = hh.members.first()
    r = post_json(
        login(town_a_user),
        "/api/v1/persons",
        {"household": hh.pk, "id_number": existing.id_number, "name": "王五", "relation": "child"},
    )
    msg = r.json()["errors"]["id_number"][0]
    assert r.status_code == 422
    assert msg.startswith(f"身份证号已登记：{existing.name}，户编号 {hh.number}")
    assert f"/registry/persons/{existing.pk}/" in msg


def test_duplicate_id_outside_scope_reveals_nothing(make_household, town_a_user):
    other = make_household("360222101", members=1)
    mine = make_household(TOWN_A, members=1)
    dup = other.members.first()
    r = post_json(
        login(town_a_user),
        "/api/v1/persons",
        {"household": mine.pk, "id_number": dup.id_number, "name": "王五", "relation": "child"},
    )
    msg = r.json()["errors"]["id_number"][0]
    assert msg == "身份证号已在其他辖区登记，请联系县人社局核实"
    assert dup.name not in msg


def test_wrong_json_types_are_422_in_chinese(town_a_user):
    r = login(town_a_user).get("/api/v1/households?limit=abc")
    assert r.status_code == 422
    assert r.json()["errors"]["limit"] == ["应为整数"]
    r = login(town_a_user).get("/api/v1/households?status=nonsense")
    assert r.status_code == 422 and "无效" in r.json()["detail"]


def test_household_form_page_shows_field_errors(areas, town_a_user):
    c = login(town_a_user)
    r = c.post(
        "/registry/households/new/",
        {
            "number": "H1",
            "village": "999999999999",
            "year_identified": "2009",
            "main_cause": "illness",
            "cause_2": "illness",
            "phone": "abc",
        },
    )
    page = r.content.decode()
    assert r.status_code == 200
    assert "村代码“999999999999”不存在" in page
    assert "识别年度 2009 无效" in page
    assert "电话号码“abc”格式不正确" in page
    assert not Household.objects.exists()


def test_household_create_and_update_are_audited_with_old_and_new(areas, town_a_user):
    c = login(town_a_user)
    village = village_of(TOWN_A)
    r = post_json(
        c,
        "/api/v1/households",
        {
            "number": "H-1",
            "village": village.code,
            "year_identified": 2016,
            "main_cause": "illness",
            "income_wage": "1234.56",
        },
    )
    assert r.status_code == 201, r.content
    hh = Household.objects.get(number="H-1")
    assert hh.income_wage_fen == 123456 and hh.status == "new"
    r = post_json(c, f"/api/v1/households/{hh.pk}", {"address": "新地址1号"}, method="patch")
    assert r.status_code == 200, r.content
    entry = AuditEntry.objects.get(action="update", object_id=str(hh.pk))
    assert entry.changes["address"] == ["", "新地址1号"]
    assert hh.status_changes.get().reason == "建档"


def test_unmask_needs_permission_and_is_logged(hh, town_a_user, make_user):
    person = hh.members.first()
    r = login(town_a_user).get(f"/api/v1/persons/{person.pk}?unmasked=true")
    assert r.status_code == 403
    permitted = make_user("town-a-lead", "township", TOWN_A, unmask=True)
    c = login(permitted)
    assert c.get(f"/api/v1/persons/{person.pk}").json()["id_number"].count("*") == 8
    r = c.get(f"/api/v1/persons/{person.pk}?unmasked=true")
    assert r.json()["id_number"] == person.id_number
    r = c.post(f"/registry/persons/{person.pk}/unmask/")
    assert person.id_number in r.content.decode()
    assert (
        AuditEntry.objects.filter(action="unmask", object_id=str(person.pk), user=permitted).count()
        == 2
    )


def test_export_is_masked_and_logged(hh, town_a_user, county_user):
    person = hh.members.first()
    r = login(town_a_user).get("/registry/households/export.xlsx")
    from tests.access.test_scope_sweep import text_of

    text = text_of(r)
    assert person.masked_id in text and person.id_number not in text
    assert login(town_a_user).get("/registry/households/export.xlsx?unmasked=1").status_code == 403
    full = text_of(login(county_user).get("/registry/households/export.xlsx?unmasked=1"))
    assert person.id_number in full
    assert AuditEntry.objects.filter(action="export").count() == 2


def test_token_auth_and_failed_login_are_audited(town_a_user):
    from django.test import Client

    c = Client()
    r = post_json(c, "/api/v1/auth/token", {"username": "town-a", "password": "wrong"})
    assert r.status_code == 401 and r.json()["detail"] == "用户名或密码错误"
    assert AuditEntry.objects.filter(action="login_failed", username="town-a").exists()
    token = post_json(
        c, "/api/v1/auth/token", {"username": "town-a", "password": "test-pass-123"}
    ).json()["token"]
    assert Client().get("/api/v1/households").status_code == 401
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/households").status_code == 200
    assert Client(HTTP_AUTHORIZATION="Bearer nope").get("/api/v1/households").status_code == 401


def test_token_clients_can_write_and_sessions_still_need_csrf(hh, town_a_user):
    from django.test import Client

    token = post_json(
        Client(), "/api/v1/auth/token", {"username": "town-a", "password": "test-pass-123"}
    ).json()["token"]
    api = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token}")
    r = api.post(
        f"/api/v1/households/{hh.pk}/status",
        {"new_status": "exited_policy", "effective_date": "2019-12-01", "reason": "达标"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(town_a_user)
    r = browser.patch(
        f"/api/v1/households/{hh.pk}", {"address": "x"}, content_type="application/json"
    )
    assert r.status_code == 403  # a session without the CSRF token


def test_audit_log_is_append_only_and_for_auditors(town_a_user, make_user):
    from fupin.access.audit import record

    entry = record("export", user=town_a_user, summary="x")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert login(town_a_user).get("/audit/").status_code == 403
    auditor = make_user("aud", "auditor", "360222")
    page = login(auditor).get("/audit/?action=export").content.decode()
    assert "导出" in page and "town-a" in page


def test_auditors_read_only_their_own_areas_entries(
    make_household, town_a_user, town_b_user, make_user
):
    a = make_household("360222100", members=1).members.get()
    b = make_household("360222101", members=1).members.get()
    for user, person in ((town_a_user, a), (town_b_user, b)):
        post_json(
            login(user), f"/api/v1/persons/{person.pk}", {"phone": "13900000000"}, method="patch"
        )
    from django.test import Client

    Client().post("/login/", {"username": "nobody-at-all", "password": "x"})
    town_auditor = make_user("aud-a", "auditor", "360222100")
    page = login(town_auditor).get("/audit/").content.decode()
    assert a.name in page and b.name not in page
    assert (
        "town-b" not in page and "nobody-at-all" not in page
    )  # an unknown login name: no area, superusers only
    county_page = (
        login(make_user("aud-county", "auditor", "360222")).get("/audit/").content.decode()
    )
    assert a.name in county_page and b.name in county_page
