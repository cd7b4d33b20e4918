"""Codes and their text messages (验证码与短信正文): the keyed hashes of ID numbers, phones and codes,
a phone number read as typed, the code of a nonce and the message that carries it. Below both the
login (`otp`) and the sender (`sms`), which each need them."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

from fupin.areas.names import name_of
from fupin.registry.models import Person

from .models import SmsOutbox, SmsPurpose

PHONE = re.compile(r"1[3-9]\d{9}")


class LoginRefused(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


def keyed_hash(kind: str, value: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"portal:{kind}:{value}".encode(), hashlib.sha256
    ).hexdigest()


def clean_phone(raw: object) -> str:
    text = unicodedata.normalize("NFKC", str(raw or ""))
    text = "".join(ch for ch in text if not ch.isspace() and ch not in "-()")
    if text.startswith("+86"):
        text = text[3:]
    if not PHONE.fullmatch(text):
        raise LoginRefused("手机号码：应为 11 位数字的手机号（1 开头）", "phone")
    return text


def registered_phone(person: Person, phone_key: str) -> str:
    """The person's (or household's) registered phone whose keyed hash is `phone_key`, or ""."""
    for raw in (person.phone, person.household.phone):
        try:
            phone = clean_phone(raw)
        except LoginRefused:
            continue
        if hmac.compare_digest(keyed_hash("phone", phone), phone_key):
            return phone
    return ""


def code_for(nonce: str) -> str:
    """The six-digit code of a nonce: derived with the site key, so the nonce alone (in the database
    or the task queue) does not give it away."""
    return f"{int(keyed_hash('otp', nonce), 16) % 10**6:06d}"


def message_text(outbox: SmsOutbox) -> str:
    """The text of a queued code message (the sender is the county's 人社局, named from COUNTY_CODE)."""
    sender = f"【{name_of(settings.COUNTY_CODE)}人社局】"
    code = code_for(outbox.nonce)
    if outbox.purpose == SmsPurpose.CONSENT:
        return (
            f"{sender}村便民服务站工作人员 {outbox.assistant_name} 正在为您代办社保就业事项。"
            f"如您同意，请把验证码 {code} 告诉工作人员（{settings.PORTAL_CODE_MINUTES} 分钟内有效）；不同意请勿告知。"
        )
    return (
        f"{sender}您的登录验证码是 {code}，{settings.PORTAL_CODE_MINUTES} 分钟内有效。"
        "工作人员不会向您索要验证码，请勿告诉他人。"
    )
