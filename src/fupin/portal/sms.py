"""Text messages to residents (短信): a pluggable backend, chosen by the `FUPIN_SMS_BACKEND` setting.

Backends shipped:
- `fupin.portal.sms.ConsoleBackend` — writes the message to the log (development; the default);
- `fupin.portal.sms.FileBackend` — appends one JSON line per message to `FUPIN_SMS_FILE`
  (var/sms-outbox.jsonl; `fupin demo` uses it: the demo's codes are read there);
- `fupin.portal.sms.MemoryBackend` — keeps messages in `MemoryBackend.outbox` (tests).

The county's SMS gateway (短信平台) is an adapter: a class with `send(self, phone: str, text: str) -> None`
that delivers one message or raises `SmsError` (with a Chinese reason) when the gateway refuses it or
does not answer in time. For example, a gateway answering HTTP POST with JSON::

    class CountyGateway:
        def __init__(self):
            self.url = settings.FUPIN_SMS_URL            # from the environment, never in code
            self.key = settings.FUPIN_SMS_KEY
        def send(self, phone, text):
            try:
                r = httpx.post(self.url, json={"mobile": phone, "content": text},
                               headers={"Authorization": self.key}, timeout=5)
            except httpx.HTTPError as e:
                raise SmsError("短信平台无响应") from e
            if r.status_code != 200 or r.json().get("code") != 0:
                raise SmsError("短信平台拒绝发送")

and `FUPIN_SMS_BACKEND=county.sms.CountyGateway`. Pages never call the gateway themselves: `otp.queue_code` hands
the message to a background job (`tasks.send_code_task`) once the page's transaction has committed, so a
slow gateway neither slows the page nor shows in its timing. The job's arguments and the database hold no
phone number and no code (see `SmsOutbox`). The portal never reveals the failure to the person
asking (the answer is the same whether or not anything was sent); it is logged for the operators.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .codes import message_text, registered_phone

log = logging.getLogger("fupin.portal.sms")


class Backend(Protocol):
    """What FUPIN_SMS_BACKEND names: a class whose instances send one text."""

    def send(self, phone: str, text: str) -> None: ...


class SmsError(Exception):
    pass


class ConsoleBackend:
    def send(self, phone: str, text: str) -> None:
        log.warning("短信 → %s：%s", phone, text)


class FileBackend:
    _lock = threading.Lock()

    def send(self, phone: str, text: str) -> None:
        path = Path(settings.FUPIN_SMS_FILE)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "phone": phone, "text": text}, ensure_ascii=False
        )
        with self._lock, path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")


class MemoryBackend:
    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        MemoryBackend.outbox.append((phone, text))


def backend() -> Backend:
    return import_string(settings.FUPIN_SMS_BACKEND)()


def send(phone: str, text: str) -> bool:
    """Deliver one message; False (and a log line) when the gateway failed."""
    try:
        backend().send(phone, text)
    except SmsError as e:
        log.error("短信发送失败（%s）：%s", phone[:3] + "****" + phone[-4:], e)
        return False
    return True


def send_queued(outbox_id: int) -> bool:
    """Send one queued code message and erase its row first (one sender only, even with two workers).
    Nothing is sent for a row already gone, an unregistered visitor's, one older than the code's life,
    or when the registry no longer has that phone for the person."""
    from .models import SmsOutbox

    with transaction.atomic():
        row = (
            SmsOutbox.objects.select_for_update(of=("self",))
            .select_related("person__household")
            .filter(pk=outbox_id)
            .first()
        )
        if row is None:
            return False
        row.delete()
    if row.person is None:
        return False
    if timezone.now() - row.created_at > dt.timedelta(minutes=settings.PORTAL_CODE_MINUTES):
        return False
    phone = registered_phone(row.person, row.phone_key)
    if not phone:
        return False
    return send(phone, message_text(row))
