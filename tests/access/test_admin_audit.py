"""Every change made through the Django admin is in the audit trail, old → new, passwords hidden."""

import json
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import Client
from django.utils import timezone

import fupin
from fupin.access.admin_audit import AuditedModelAdmin
from fupin.access.models import ApiToken, AuditAction, AuditEntry, Role, User
from fupin.areas.models import Area
from tests.conftest import COUNTY, PASSWORD, TOWN_A, TOWN_B, login


@pytest.fixture
def admin_user(make_user):
    user = make_user("sysadmin", Role.ADMIN, COUNTY)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def change_form(user: User, **changes) -> dict:
    """What the admin's user change page posts back, with `changes` applied."""
    joined = timezone.localtime(user.date_joined).replace(microsecond=0)  # as the page shows it
    User.objects.filter(pk=user.pk).update(date_joined=joined)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "role": user.role,
        "area": str(user.area_id or ""),
        "can_unmask_id": "on" if user.can_unmask_id else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def entries(action, obj) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            action=action, object_type=obj._meta.model_name, object_id=str(obj.pk)
        )
    )


def no_secrets(entry: AuditEntry, user: User) -> None:
    text = json.dumps(entry.changes, ensure_ascii=False) + entry.summary
    assert user.password not in text and "pbkdf2" not in text and PASSWORD not in text


def test_role_area_and_unmask_changes_are_audited_old_to_new(admin_user, town_a_user):
    county = Area.objects.get(code=COUNTY)
    r = login(admin_user).post(
        f"/admin/access/user/{town_a_user.pk}/change/",
        change_form(town_a_user, role=Role.COUNTY, area=str(county.pk), can_unmask_id="on"),
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    [entry] = entries(AuditAction.UPDATE, town_a_user)
    assert entry.user == admin_user
    assert entry.changes == {
        "role": ["乡镇人社所", "人社局工作人员"],
        "area": ["浮梁镇（360222100）", "浮梁县（360222）"],
        "can_unmask_id": [False, True],
    }
    assert (
        "管理后台修改用户" in entry.summary
        and "角色" in entry.summary
        and "可查看完整身份证号" in entry.summary
    )
    assert entry.area_code == COUNTY


def test_deactivation_through_the_admin_is_audited(admin_user, town_a_user):
    r = login(admin_user).post(
        f"/admin/access/user/{town_a_user.pk}/change/", change_form(town_a_user, is_active="")
    )
    assert r.status_code == 302
    assert entries(AuditAction.UPDATE, town_a_user)[0].changes == {"is_active": [True, False]}


def test_password_change_through_the_admin_is_audited_without_the_hash(admin_user, town_a_user):
    ApiToken.issue(town_a_user)
    url = f"/admin/access/user/{town_a_user.pk}/password/"
    client = login(admin_user)
    r = client.post(
        url, {"password1": "12345678", "password2": "12345678", "usable_password": "true"}
    )
    assert (
        r.status_code == 200 and "密码太短" in r.content.decode()
    )  # the validators guard the admin too
    assert not entries(AuditAction.UPDATE, town_a_user)

    r = client.post(
        url,
        {"password1": "New-Secret-2026", "password2": "New-Secret-2026", "usable_password": "true"},
    )
    assert r.status_code == 302
    town_a_user.refresh_from_db()
    changed = [e for e in entries(AuditAction.UPDATE, town_a_user) if e.user == admin_user]
    assert len(changed) == 1 and changed[0].changes == {"password": ["（不记录）", "已修改"]}
    assert "密码" in changed[0].summary
    for entry in AuditEntry.objects.all():
        no_secrets(entry, town_a_user)
        assert (
            "New-Secret-2026" not in json.dumps(entry.changes, ensure_ascii=False) + entry.summary
        )
    assert not ApiToken.objects.filter(user=town_a_user).exists()  # and the tokens are gone


def test_a_user_added_through_the_admin_is_audited(admin_user):
    village = Area.objects.filter(code__startswith=TOWN_B, level=5).order_by("code").first()
    client = login(admin_user)
    r = client.post(
        "/admin/access/user/add/",
        {
            "username": "village-new",
            "usable_password": "true",
            "password1": "abcdefghijkl",
            "password2": "abcdefghijkl",
            "role": Role.VILLAGE,
            "area": str(village.pk),
        },
    )
    assert r.status_code == 200 and "密码太简单" in r.content.decode()
    r = client.post(
        "/admin/access/user/add/",
        {
            "username": "village-new",
            "usable_password": "true",
            "password1": "Cun-xieli-2026",
            "password2": "Cun-xieli-2026",
            "role": Role.VILLAGE,
            "area": str(village.pk),
        },
    )
    assert r.status_code == 302
    user = User.objects.get(username="village-new")
    [entry] = entries(AuditAction.CREATE, user)
    assert entry.user == admin_user and entry.area_code == village.code
    assert entry.changes["password"] == [None, "已设置"]
    assert entry.changes["username"] == [None, "village-new"]
    assert entry.changes["role"] == [None, "村协理员"]
    assert entry.changes["area"] == [None, f"{village.name}（{village.code}）"]
    no_secrets(entry, user)


def test_area_changes_and_user_deletions_are_audited(admin_user, make_user):
    town = Area.objects.get(code=TOWN_A)
    old_name = town.name
    client = login(admin_user)
    r = client.post(
        f"/admin/areas/area/{town.pk}/change/",
        {
            "code": town.code,
            "name": "浮梁镇（更正）",
            "level": town.level,
            "parent": town.parent_id,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    [entry] = entries(AuditAction.UPDATE, town)
    assert entry.changes == {"name": [old_name, "浮梁镇（更正）"]} and entry.area_code == TOWN_A

    doomed = make_user("leaving", Role.TOWNSHIP, TOWN_A)
    r = client.post(f"/admin/access/user/{doomed.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302 and not User.objects.filter(username="leaving").exists()
    [gone] = AuditEntry.objects.filter(
        action=AuditAction.DELETE, object_type="user", object_id=str(doomed.pk)
    )
    assert gone.user == admin_user and "leaving" in gone.summary and gone.area_code == TOWN_A
    assert gone.changes["username"] == ["leaving", None] and gone.changes["role"] == [
        "乡镇人社所",
        None,
    ]
    no_secrets(gone, doomed)


def test_every_admin_on_the_site_is_audited():
    assert admin.site._registry, "no admin registered"
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, AuditedModelAdmin), model


def test_unlocking_through_the_admin_is_audited(admin_user, town_a_user, settings):
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        Client(REMOTE_ADDR="10.0.0.4").post(
            "/login/", {"username": "town-a", "password": "Wrong-pass-42"}
        )
    attempt = AccessAttempt.objects.get(username="town-a")
    client = login(admin_user)
    assert "town-a" in client.get("/admin/axes/accessattempt/").content.decode()
    r = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302 and not AccessAttempt.objects.exists()
    [entry] = entries(AuditAction.DELETE, attempt)
    assert entry.user == admin_user and "town-a" in entry.summary
    assert entry.changes["username"] == ["town-a", None] and entry.changes[
        "failures_since_start"
    ] == [2, None]
    assert (
        Client(REMOTE_ADDR="10.0.0.4")
        .post("/login/", {"username": "town-a", "password": PASSWORD})
        .status_code
        == 302
    )


def test_the_lockout_records_read_in_chinese_in_the_admin(admin_user):
    catalogue = Path(fupin.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    if not catalogue.exists():
        pytest.skip("翻译目录未编译：先运行 python -m fupin.web.locale_build（make 会自动运行）")
    page = login(admin_user).get("/admin/").content.decode()
    assert "登录失败计数（删除即解锁）" in page and "access attempts" not in page.lower()
