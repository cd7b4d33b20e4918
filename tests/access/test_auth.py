"""Authentication as 等保 level 3 asks: lockout after failed logins, expiring and revocable API
tokens, password rules, and settings that refuse to run without a secret key."""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client
from django.utils import timezone

from fupin.access.models import ApiToken, AuditAction, AuditEntry, Role
from tests.conftest import PASSWORD, TOWN_A

WRONG = "Wrong-pass-42"


@pytest.fixture
def limits(settings):
    """Small thresholds so each test stays quick: 3 per account, 5 per address, 30 minutes."""
    settings.AXES_FAILURE_LIMIT = 3
    settings.FUPIN_LOGIN_ADDRESS_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=30)


def page_login(username: str, password: str, address: str = "127.0.0.1"):
    client = Client(REMOTE_ADDR=address)
    return client, client.post("/login/", {"username": username, "password": password})


def token_login(username: str, password: str, address: str = "127.0.0.1"):
    return Client(REMOTE_ADDR=address).post(
        "/api/v1/auth/token",
        json.dumps({"username": username, "password": password}),
        content_type="application/json",
    )


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- lockout -----------------------------------------------------------------------------------


def test_login_page_locks_the_account_after_repeated_failures(town_a_user, limits):
    for _ in range(2):
        _, r = page_login("town-a", WRONG)
        assert r.status_code == 200 and "用户名或密码错误" in r.content.decode()
    _, r = page_login("town-a", WRONG)
    assert r.status_code == 429
    assert "登录失败次数过多，账号已锁定 30 分钟" in r.content.decode()

    # Locked means locked: the right password from another address is refused, on every door.
    client, r = page_login("town-a", PASSWORD, address="10.0.0.7")
    assert r.status_code == 429 and not logged_in(client)
    r = token_login("town-a", PASSWORD, address="10.0.0.8")
    assert r.status_code == 429 and "账号已锁定" in r.json()["detail"] and "token" not in r.json()
    admin_client = Client(REMOTE_ADDR="10.0.0.9")
    r = admin_client.post("/admin/login/", {"username": "town-a", "password": PASSWORD})
    assert r.status_code == 429 and not logged_in(admin_client)

    locks = AuditEntry.objects.filter(action=AuditAction.LOCKOUT, username="town-a")
    assert locks.exists()
    assert locks.first().area_code == TOWN_A  # the township's auditor sees it
    assert "账号已锁定 30 分钟" in locks.first().summary
    assert (
        AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, username="town-a").count() >= 3
    )

    # After the cool-off the account opens again.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=31))
    client, r = page_login("town-a", PASSWORD, address="10.0.0.7")
    assert r.status_code == 302 and logged_in(client)


def test_token_api_locks_the_account_too(town_a_user, limits):
    for _ in range(2):
        r = token_login("town-a", WRONG)
        assert r.status_code == 401 and r.json()["detail"] == "用户名或密码错误"
    r = token_login("town-a", WRONG)
    assert r.status_code == 429
    assert r.json()["detail"].startswith("登录失败次数过多，账号已锁定 30 分钟")
    client, r = page_login("town-a", PASSWORD, address="10.0.0.3")
    assert r.status_code == 429 and not logged_in(client)
    assert AuditEntry.objects.filter(action=AuditAction.LOCKOUT, username="town-a").exists()


def test_an_address_is_locked_after_failures_across_accounts(town_a_user, town_b_user, limits):
    attacker = "10.6.6.6"
    for name in ("town-a", "nobody-1", "nobody-2", "nobody-3"):  # no account reaches its own limit
        _, r = page_login(name, WRONG, address=attacker)
        assert r.status_code == 200
    _, r = page_login("nobody-4", WRONG, address=attacker)  # the address's 5th failure
    assert r.status_code == 429 and "本机地址登录失败次数过多" in r.content.decode()

    client, r = page_login("town-b", PASSWORD, address=attacker)
    assert r.status_code == 429 and not logged_in(client)
    assert token_login("town-b", PASSWORD, address=attacker).status_code == 429
    # The accounts themselves are not locked: from another address town-b logs in.
    client, r = page_login("town-b", PASSWORD, address="10.0.0.2")
    assert r.status_code == 302 and logged_in(client)
    assert AuditEntry.objects.filter(action=AuditAction.LOCKOUT, ip=attacker).exists()


def test_behind_the_proxy_the_clients_address_is_counted(
    town_a_user, town_b_user, limits, settings
):
    settings.BEHIND_PROXY, settings.FUPIN_PROXY_COUNT = True, 1

    def via_proxy(username, password, client_wrote=""):
        forwarded = f"{client_wrote}, 203.0.113.5" if client_wrote else "203.0.113.5"
        client = Client(
            REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
        )  # the proxy's own address
        return client, client.post("/login/", {"username": username, "password": password})

    for n in range(5):  # whatever the client writes itself does not give it a fresh address
        _, r = via_proxy(f"nobody-{n}", WRONG, client_wrote=f"198.51.100.{n}")
    assert r.status_code == 429 and "本机地址" in r.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.LOCKOUT, ip="203.0.113.5").exists()
    assert not AuditEntry.objects.filter(ip="10.0.0.1").exists()
    # Others behind the same proxy are other addresses.
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.77")
    assert client.post("/login/", {"username": "town-b", "password": PASSWORD}).status_code == 302


def test_failures_below_the_limit_do_not_lock(town_a_user, limits):
    page_login("town-a", WRONG)
    page_login("town-a", WRONG)
    client, r = page_login("town-a", PASSWORD)
    assert r.status_code == 302 and logged_in(client)


# --- API tokens --------------------------------------------------------------------------------


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def issue(username: str = "town-a", password: str = PASSWORD) -> str:
    r = token_login(username, password)
    assert r.status_code == 200, r.content
    return r.json()["token"]


def test_tokens_expire_after_the_configured_hours(town_a_user, settings):
    settings.FUPIN_TOKEN_HOURS = 8
    before = timezone.now()
    r = token_login("town-a", PASSWORD)
    expires = dt.datetime.fromisoformat(r.json()["expires_at"])
    assert dt.timedelta(hours=8) <= expires - before < dt.timedelta(hours=8, minutes=1)
    token = r.json()["token"]
    assert Client().get("/api/v1/areas", **bearer(token)).status_code == 200

    ApiToken.objects.update(created_at=F("created_at") - dt.timedelta(hours=7, minutes=59))
    assert Client().get("/api/v1/areas", **bearer(token)).status_code == 200
    ApiToken.objects.update(created_at=F("created_at") - dt.timedelta(minutes=2))
    r = Client().get("/api/v1/areas", **bearer(token))
    assert r.status_code == 401 and r.json()["detail"] == "未登录或令牌无效"


def test_a_password_change_revokes_the_users_tokens(town_a_user, town_b_user):
    token, other = issue("town-a"), issue("town-b")
    town_a_user.set_password("Fresh-pass-2026")
    town_a_user.save()
    assert Client().get("/api/v1/areas", **bearer(token)).status_code == 401
    assert Client().get("/api/v1/areas", **bearer(other)).status_code == 200  # nobody else's
    entry = AuditEntry.objects.filter(
        action=AuditAction.UPDATE, object_type="user", object_id=str(town_a_user.pk)
    ).get()
    assert "吊销" in entry.summary and "密码已修改" in entry.summary
    assert (
        Client().get("/api/v1/areas", **bearer(issue("town-a", "Fresh-pass-2026"))).status_code
        == 200
    )


def test_deactivation_revokes_the_users_tokens(town_a_user):
    token = issue()
    town_a_user.is_active = False
    town_a_user.save()
    assert Client().get("/api/v1/areas", **bearer(token)).status_code == 401
    town_a_user.is_active = True
    town_a_user.save()
    assert (
        Client().get("/api/v1/areas", **bearer(token)).status_code == 401
    )  # revoked, not suspended
    assert not ApiToken.objects.filter(user=town_a_user).exists()


def test_other_saves_keep_the_tokens(town_a_user):
    token = issue()
    town_a_user.first_name = "新名"
    town_a_user.save()
    assert Client().get("/api/v1/areas", **bearer(token)).status_code == 200


# --- passwords ---------------------------------------------------------------------------------


def messages(password: str, user=None) -> str:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


def test_weak_passwords_are_refused_in_chinese(town_a_user):
    refused = messages("12345678", town_a_user)
    assert "密码太短：至少 10 个字符" in refused and "太常见" in refused and "只包含数字" in refused
    assert "This" not in refused and "password" not in refused
    assert "只包含数字" in messages("9081726354019", town_a_user)
    assert "密码太简单" in messages("abcdefghijkl", town_a_user)  # one class only
    assert "密码太简单" in messages("ABCDEFGHIJKL", town_a_user)
    assert "太短" in messages("Ab1-", town_a_user)


def test_the_demo_and_test_passwords_are_acceptable(make_user):
    for name, role in (
        ("admin", Role.ADMIN),
        ("county", Role.COUNTY),
        ("insurance", Role.INSURANCE),
        ("poverty-office", Role.POVERTY_OFFICE),
        ("auditor", Role.AUDITOR),
        ("town-360222100", Role.TOWNSHIP),
    ):
        user = make_user(name, role)
        assert messages("fupin-demo", user) == "", name
        assert messages(PASSWORD, user) == "", name


# --- settings: secret key, cookies, thresholds from the environment ----------------------------

PROBE = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "fupin.settings"
from django.conf import settings
print(json.dumps({k: str(getattr(settings, k)) for k in (
    "SECRET_KEY", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
    "AXES_FAILURE_LIMIT", "FUPIN_LOGIN_ADDRESS_FAILURE_LIMIT", "AXES_COOLOFF_TIME", "FUPIN_TOKEN_HOURS")}))
"""
KEYS = (
    "FUPIN_SECRET_KEY",
    "FUPIN_DEMO",
    "FUPIN_DEBUG",
    "FUPIN_BEHIND_PROXY",
    "FUPIN_HTTPS",
    "FUPIN_HSTS_SECONDS",
)


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in KEYS}
    return subprocess.run(
        [sys.executable, *args], env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def probe(**env: str) -> dict:
    done = run(["-c", PROBE], **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_no_secret_key_no_start():
    done = run(["-m", "fupin.cli", "check"])
    assert done.returncode != 0
    assert "未设置密钥 FUPIN_SECRET_KEY，拒绝启动" in done.stderr and "Traceback" not in done.stderr
    wsgi = run(["-c", "import fupin.wsgi"])  # gunicorn's way in
    assert wsgi.returncode != 0 and "未设置密钥 FUPIN_SECRET_KEY" in wsgi.stderr
    assert (
        probe(FUPIN_SECRET_KEY="county-own-key-0123456789")["SECRET_KEY"]
        == "county-own-key-0123456789"
    )


def test_the_demo_and_debug_runs_need_no_key():
    assert probe(FUPIN_DEMO="1")["SECRET_KEY"]
    assert probe(FUPIN_DEBUG="1")["SECRET_KEY"]
    done = run(["-m", "fupin.cli", "demo", "--help"])  # `fupin demo` sets demo mode itself
    assert done.returncode == 0, done.stderr


def test_cookies_are_secure_behind_https():
    plain = probe(FUPIN_SECRET_KEY="k" * 50)
    assert plain["SESSION_COOKIE_SECURE"] == plain["CSRF_COOKIE_SECURE"] == "False"
    for env in ({"FUPIN_BEHIND_PROXY": "1"}, {"FUPIN_HTTPS": "1"}):
        https = probe(FUPIN_SECRET_KEY="k" * 50, FUPIN_HSTS_SECONDS="31536000", **env)
        assert https["SESSION_COOKIE_SECURE"] == https["CSRF_COOKIE_SECURE"] == "True"
        assert https["SECURE_HSTS_SECONDS"] == "31536000"
    assert plain["SECURE_HSTS_SECONDS"] == "0"


def test_thresholds_come_from_the_environment():
    got = probe(
        FUPIN_SECRET_KEY="k" * 50,
        FUPIN_LOGIN_FAILURE_LIMIT="7",
        FUPIN_LOGIN_ADDRESS_FAILURE_LIMIT="40",
        FUPIN_LOGIN_COOLOFF_MINUTES="15",
        FUPIN_TOKEN_HOURS="2",
    )
    assert (got["AXES_FAILURE_LIMIT"], got["FUPIN_LOGIN_ADDRESS_FAILURE_LIMIT"]) == ("7", "40")
    assert got["AXES_COOLOFF_TIME"] == "0:15:00" and got["FUPIN_TOKEN_HOURS"] == "2.0"
