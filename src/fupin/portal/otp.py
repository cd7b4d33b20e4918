"""Resident login by ID number + phone number + one-time code (验证码登录).

`request_code` checks the input, the lock and the send limits, writes a `LoginCode` and texts the
code (from a background job queued after commit, `queue_code`; neither the code nor the phone is
stored) to the phone only when a resident with that ID number has that phone number (their own or
their household's) in the registry; the answer is the same either way. `verify_code` checks a code
against the row the session points at and returns the Person, or raises `LoginRefused` with a
Chinese message.

Numbers (settings.py, each with its reason): PORTAL_CODE_MINUTES, PORTAL_CODE_FAILURES,
PORTAL_LOCK_MINUTES, PORTAL_CODES_PER_HOUR_ID / _PHONE / _IP, PORTAL_CODE_INTERVAL_SECONDS.
Counting uses the database (works the same on SQLite, PostgreSQL, and with any number of workers);
on PostgreSQL the count-then-write of one ID/phone/address is serialised with transaction-scoped
advisory locks, on SQLite by its one writer at a time.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import re
import secrets
import unicodedata

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from fupin.registry.choices import Status
from fupin.registry.idnumber import IdNumberError, parse_id_number
from fupin.registry.models import Person

from .codes import LoginRefused, clean_phone, code_for, keyed_hash
from .codes import message_text as message_text
from .codes import registered_phone as registered_phone
from .models import LoginCode, SmsOutbox, SmsPurpose

log = logging.getLogger("fupin.portal.sms")

CODE = re.compile(r"\d{6}")


def _code_hash(row_salt: str, code: str) -> str:
    return keyed_hash("code", f"{row_salt}:{code}")


def clean_id(raw: object) -> str:
    if not str(raw or "").strip():
        raise LoginRefused("身份证号：未填写", "id_number")
    if len(str(raw)) > 40:
        raise LoginRefused("身份证号：长度不对，应为 18 位", "id_number")
    try:
        return parse_id_number(raw).value
    except IdNumberError as e:
        raise LoginRefused(f"身份证号：{e}", "id_number") from None


def _advisory_locks(*keys: str) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for k in sorted(set(keys)):
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [int(k[:15], 16)])


def _failures(id_key: str, now: dt.datetime) -> int:
    since = now - dt.timedelta(minutes=settings.PORTAL_LOCK_MINUTES)
    got = LoginCode.objects.filter(id_key=id_key, created_at__gte=since).aggregate(
        n=Sum("attempts")
    )
    return got["n"] or 0


def locked_message() -> str:
    return (
        f"验证码错误次数过多，该身份证号已暂停登录 {settings.PORTAL_LOCK_MINUTES} 分钟。"
        "请稍后再试，或到村便民服务站由工作人员代办。"
    )


def matching_person(id_number: str, phone: str) -> Person | None:
    return (
        Person.objects.select_related("household")
        .exclude(status=Status.REMOVED)
        .filter(id_number=id_number)
        .filter(Q(phone=phone) | Q(household__phone=phone))
        .first()
    )


def request_code(
    *, id_raw: object, phone_raw: object, ip: str | None, now: dt.datetime | None = None
) -> LoginCode:
    id_number = clean_id(id_raw)
    phone = clean_phone(phone_raw)
    row, nonce = _issue(id_number, phone, ip, now)
    # Texted from a background job, queued for registered and unregistered numbers alike: the answer
    # takes the same time whatever the gateway does. The job finds the person's phone and the code
    # again; the queue holds neither.
    queue_code(
        purpose=SmsPurpose.LOGIN,
        person=matching_person(id_number, phone),
        phone_key=row.phone_key,
        nonce=nonce,
    )
    return row


def consent_phone(person: Person) -> str:
    """The phone a consent code for assisted service goes to: the person's own, else the household's."""
    for raw in (person.phone, person.household.phone):
        try:
            return clean_phone(raw)
        except LoginRefused:
            continue
    return ""


def request_consent_code(*, person: Person, assistant_name: str, ip: str | None) -> LoginCode:
    """代办授权码: texted to the resident's registered phone; the resident reads it aloud to the
    assistant. The same limits and lock as login codes (they count against the same ID number)."""
    phone = consent_phone(person)
    if not phone:
        raise LoginRefused("该居民没有登记手机号码，无法用验证码授权，请上传签字授权书照片")
    row, nonce = _issue(person.id_number, phone, ip, None)
    queue_code(
        purpose=SmsPurpose.CONSENT,
        person=person,
        phone_key=row.phone_key,
        nonce=nonce,
        assistant_name=assistant_name,
    )
    return row


def _issue(
    id_number: str, phone: str, ip: str | None, now: dt.datetime | None
) -> tuple[LoginCode, str]:
    """The code row and the nonce its code derives from (`code_for`)."""
    now = now or timezone.now()
    id_key, phone_key = keyed_hash("id", id_number), keyed_hash("phone", phone)
    hour = now - dt.timedelta(hours=1)
    nonce = secrets.token_hex(16)
    code = code_for(nonce)
    with transaction.atomic():
        _advisory_locks(id_key, phone_key, keyed_hash("ip", ip or ""))
        if _failures(id_key, now) >= settings.PORTAL_CODE_FAILURES:
            raise LoginRefused(locked_message())
        recent = LoginCode.objects.filter(created_at__gte=hour)
        last = recent.filter(id_key=id_key).order_by("-created_at").first()
        if last and (now - last.created_at).total_seconds() < settings.PORTAL_CODE_INTERVAL_SECONDS:
            wait = settings.PORTAL_CODE_INTERVAL_SECONDS - int(
                (now - last.created_at).total_seconds()
            )
            raise LoginRefused(f"验证码刚刚发过，请 {wait} 秒后再获取")
        if (
            recent.filter(id_key=id_key).count() >= settings.PORTAL_CODES_PER_HOUR_ID
            or recent.filter(phone_key=phone_key).count() >= settings.PORTAL_CODES_PER_HOUR_PHONE
            or (ip and recent.filter(ip=ip).count() >= settings.PORTAL_CODES_PER_HOUR_IP)
        ):
            raise LoginRefused("获取验证码过于频繁，请一小时后再试，或到村便民服务站办理")
        salt = secrets.token_hex(8)
        row = LoginCode.objects.create(
            id_key=id_key,
            phone_key=phone_key,
            ip=ip,
            code_hash=f"{salt}${_code_hash(salt, code)}",
            created_at=now,
            expires_at=now + dt.timedelta(minutes=settings.PORTAL_CODE_MINUTES),
        )
        LoginCode.objects.filter(created_at__lt=now - dt.timedelta(days=1)).delete()
    return row, nonce


def verify_code(
    *,
    code_id: object,
    id_number: str,
    phone: str,
    code_raw: object,
    now: dt.datetime | None = None,
) -> Person:
    now = now or timezone.now()
    code = unicodedata.normalize("NFKC", str(code_raw or "")).strip()
    if not CODE.fullmatch(code):
        raise LoginRefused("验证码：应为 6 位数字", "code")
    if not isinstance(code_id, int):
        raise LoginRefused("请先获取验证码")
    with (
        transaction.atomic()
    ):  # the refusal is raised after commit: a counted failure stays counted
        refusal = _check(code_id, id_number, phone, code, now)
    if isinstance(refusal, LoginRefused):
        raise refusal
    return refusal


def _check(
    code_id: int, id_number: str, phone: str, code: str, now: dt.datetime
) -> Person | LoginRefused:
    row = LoginCode.objects.select_for_update().filter(pk=code_id).first()
    if (
        row is None
        or row.id_key != keyed_hash("id", id_number)
        or row.phone_key != keyed_hash("phone", phone)
    ):
        return LoginRefused("请先获取验证码")
    if row.used_at is not None:
        return LoginRefused("该验证码已使用，请重新获取")
    if _failures(row.id_key, now) >= settings.PORTAL_CODE_FAILURES:
        return LoginRefused(locked_message())
    if now >= row.expires_at:
        return LoginRefused("验证码已过期，请重新获取", "code")
    salt, digest = row.code_hash.split("$", 1)
    person = matching_person(id_number, phone)
    if not hmac.compare_digest(digest, _code_hash(salt, code)) or person is None:
        row.attempts += 1
        row.save(update_fields=["attempts"])
        left = settings.PORTAL_CODE_FAILURES - _failures(row.id_key, now)
        if left <= 0:
            return LoginRefused(locked_message(), "code")
        return LoginRefused(f"验证码不正确，还可再试 {left} 次", "code")
    row.used_at = now
    row.save(update_fields=["used_at"])
    return person


def queue_code(
    *, purpose: str, person: Person | None, phone_key: str, nonce: str, assistant_name: str = ""
) -> None:
    """Text a code from a background job after commit. The job gets the id of an outbox row
    (`SmsOutbox`) holding neither phone nor code: it reads the phone from the registry and derives the
    code from the nonce with the site key. With `person=None` (not a registered resident with that
    phone) a row and a job are written all the same — same work on the page — and nothing is sent."""
    from .tasks import send_code_task  # looked up at call time (tests put a fake in its place)

    now = timezone.now()
    SmsOutbox.objects.filter(
        created_at__lt=now - dt.timedelta(minutes=settings.PORTAL_CODE_MINUTES)
    ).delete()
    row = SmsOutbox.objects.create(
        purpose=purpose,
        person=person,
        phone_key=phone_key if person is not None else "",
        nonce=nonce,
        assistant_name=assistant_name,
        created_at=now,
    )

    def enqueue():
        try:
            send_code_task.enqueue(row.pk)
        except Exception:  # the queue down: logged for the operators, the page answers the same
            log.exception("短信任务排队失败")

    transaction.on_commit(enqueue)
