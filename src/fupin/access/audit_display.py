"""审计日志的中文显示: an audit entry as an auditor reads it.

Entries store what was touched as the model's name and each change under its field name, with
stored values (`household 4002`, `status: new → poor`). The page and the export show the model's
Chinese name, the field's label and a choice's label (`贫困户 4002`, `状态：新识别 → 贫困`), and the
area by name. Nothing about the entry is changed; this is only how it reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db import models

from fupin.access.models import AuditEntry
from fupin.areas.names import names_of


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@cache
def _models_by_name() -> dict[str, type[models.Model]]:
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models():
        found.setdefault(model._meta.model_name, model)
    return found


def model_label(object_type: str) -> str:
    model = _models_by_name().get(object_type)
    return str(model._meta.verbose_name) if model else object_type


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # a field since removed, or a name that is not a field (e.g. "members")
        return None


def _value(field: models.Field | None, value: object) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if field is not None and field.choices:
        labels = {str(k): str(v) for k, v in field.flatchoices}
        return labels.get(str(value), str(value))
    return str(value)


def changes(entry: AuditEntry) -> list[Change]:
    model = _models_by_name().get(entry.object_type)
    out = []
    for name, pair in (entry.changes or {}).items():
        field = _field(model, name)
        label = (
            str(field.verbose_name)
            if field is not None and hasattr(field, "verbose_name")
            else name
        )
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        out.append(Change(label, _value(field, old), _value(field, new)))
    return out


def area_names(codes: Iterable[str]) -> dict[str, str]:
    return names_of(codes)


def rows(entries: Iterable[AuditEntry]) -> list[list]:
    """Export rows: 时间, 用户, 操作, 对象, 区划, 摘要, 变更, IP."""
    entries = list(entries)
    names = area_names(e.area_code for e in entries)
    return [
        [
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.username,
            e.get_action_display(),
            f"{model_label(e.object_type)} {e.object_id}".strip(),
            names.get(e.area_code, ""),
            e.summary,
            "；".join(f"{c.label}：{c.old} → {c.new}" for c in changes(e)),
            e.ip or "",
        ]
        for e in entries
    ]
