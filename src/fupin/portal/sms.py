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

and `FUPIN_SMS_BACKEND=county.sms.CountyGateway`. Pages never call the gateway themselves: `queue` hands
the message to a background job (`tasks.send_sms_task`) once the page's transaction has committed, so a
slow gateway neither slows the page nor shows in its timing. The portal never reveals the failure to the person
asking (the answer is the same whether or not anything was sent); it is logged for the operators.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger("fupin.portal.sms")


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


def backend():
    return import_string(settings.FUPIN_SMS_BACKEND)()


def send(phone: str, text: str) -> bool:
    """Deliver one message; False (and a log line) when the gateway failed."""
    try:
        backend().send(phone, text)
    except SmsError as e:
        log.error("短信发送失败（%s）：%s", phone[:3] + "****" + phone[-4:], e)
        return False
    return True


def queue(phone: str, text: str, *, deliver: bool = True) -> None:
    """Send from a background job after commit. With `deliver=False` a job is queued all the same
    (same work on the page whether or not anyone is texted) and sends nothing: its phone and text are
    empty, so the queue holds nothing of an unregistered visitor."""
    from .tasks import send_sms_task

    args = (phone, text) if deliver else ("", "")

    def enqueue():
        try:
            send_sms_task.enqueue(*args)
        except Exception:  # the queue down: logged for the operators, the page answers the same
            log.exception("短信任务排队失败")

    transaction.on_commit(enqueue)
