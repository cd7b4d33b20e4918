"""Audit of the portal: every page a resident (or an assistant for them) opens is recorded.

`viewed(request, what)` writes an entry with action 查看 (AuditAction.VIEW), the acting person (居民 with the masked
ID, or the assistant's account with 代办), and the resident's village as the entry's area, so the
township's auditor reads it. Changes use `changed(...)` with the usual CREATE/UPDATE actions.
"""

from __future__ import annotations

from django.db.models import Model
from django.http import HttpRequest

from fupin.access.audit import record
from fupin.access.models import AuditAction, AuditEntry
from fupin.registry.idnumber import mask


def actor(request: HttpRequest) -> str:
    person = request.resident
    if request.assisted_by is not None:
        return f"{request.assisted_by.username}（代办：{person.name}）"
    return f"居民 {person.name} {mask(person.id_number)}"


def _write(
    action: AuditAction,
    request: HttpRequest,
    summary: str,
    obj: Model | None = None,
    changes: dict | None = None,
    object_type: str = "",
    object_id: str = "",
) -> AuditEntry:
    person = request.resident
    assisted = request.assisted_by is not None
    return record(
        action,
        user=request.assisted_by if assisted else None,
        request=request,
        obj=obj,
        object_type=object_type or ("" if obj is not None else "person"),
        object_id=object_id or ("" if obj is not None else str(person.pk)),
        summary=("【代办】" if assisted else "【居民门户】") + summary,
        changes=changes,
        username=actor(request)[:150],
        area_code=getattr(obj, "village_code", "") or person.village_code,
    )


def viewed(request: HttpRequest, what: str, obj: Model | None = None) -> AuditEntry:
    return _write(AuditAction.VIEW, request, f"查看{what}", obj=obj)


def changed(
    request: HttpRequest,
    summary: str,
    *,
    obj: Model | None = None,
    created: bool = False,
    changes: dict | None = None,
) -> AuditEntry:
    action = AuditAction.CREATE if created else AuditAction.UPDATE
    return _write(action, request, summary, obj=obj, changes=changes)
