"""Writing to the audit trail (审计日志). Every caller goes through `record`.

The trail never holds a full ID number: `record` masks every ID-like run in the summary
and the changes (a filter someone typed, a message quoting a number, an ID that was
corrected), so whoever reads the log sees 360222********1234 at most.
"""

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from fupin.idnumber import mask_in, mask_in_text

from .models import AuditAction, AuditEntry, User


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or behind our reverse proxy (FUPIN_BEHIND_PROXY=1) the
    address the proxy appended to X-Forwarded-For (FUPIN_PROXY_COUNT proxies from the right; what
    the client itself wrote to the left of it is ignored). Also the address the login lockout counts."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR")
    if not settings.BEHIND_PROXY:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < settings.FUPIN_PROXY_COUNT:
        return remote
    candidate = forwarded[-settings.FUPIN_PROXY_COUNT]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def record(
    action: AuditAction,
    *,
    user: User | None,
    request: HttpRequest | None = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    summary: str = "",
    changes: dict | None = None,
    username: str = "",
    area_code: str = "",
) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or str(obj.pk)
        area_code = (
            area_code or getattr(obj, "village_code", "") or getattr(obj, "area_code", "") or ""
        )
    real_user = user if user is not None and user.is_authenticated else None
    if not area_code and real_user is not None and real_user.area_id:
        area_code = real_user.area.code
    return AuditEntry.objects.create(
        user=real_user,
        username=username or (real_user.username if real_user else ""),
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=mask_in_text(summary)[:500],
        changes=mask_in(changes or {}),
        ip=client_ip(request),
        area_code=area_code,
    )


def masked_for_display(entry: AuditEntry) -> AuditEntry:
    """The entry as shown on a page: entries written before masking existed are masked too."""
    entry.summary = mask_in_text(entry.summary)
    entry.changes = mask_in(entry.changes)
    return entry


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list]:
    """{field: [old, new]} for the fields that changed, values made JSON-safe."""
    return {
        k: [_plain(old.get(k)), _plain(new.get(k))]
        for k in sorted(set(old) | set(new))
        if old.get(k) != new.get(k)
    }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)
