"""管理后台留痕: every addition, change and deletion made through the Django admin is audited.

The default admin site is `AuditedAdminSite` (see `AuditedAdminConfig` in INSTALLED_APPS); it gives
every ModelAdmin registered on it — ours, Django's and third-party ones — the `AuditedModelAdmin`
behaviour, so a newly registered model cannot escape the audit trail. Old and new values are
recorded field by field; passwords only as "changed", never their hashes.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from .audit import _plain, record
from .models import AuditAction

# Form fields that carry a password; their values never reach the audit trail.
PASSWORD_FIELDS = {"password", "password1", "password2", "usable_password"}
HIDDEN = "（不记录）"


def area_code_of(obj: models.Model) -> str:
    """The area an admin change concerns, so auditors of that area see it."""
    field = getattr(obj, "AREA_CODE_FIELD", "")
    if field and "__" not in field:
        return getattr(obj, field, "") or ""
    area = getattr(obj, "area", None)
    return getattr(area, "code", "") or ""


def value_of(obj: models.Model, name: str) -> Any:
    """A readable value: choice labels, related objects by name (and code), passwords hidden."""
    if name in PASSWORD_FIELDS:
        return HIDDEN
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if field.many_to_many:
        return sorted(str(x) for x in getattr(obj, name).all()) if obj.pk else []
    if field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    if field.is_relation:
        related = getattr(obj, name)
        if related is None:
            return None
        code = getattr(related, "code", None)
        return f"{related}（{code}）" if code else str(related)
    value = getattr(obj, field.attname)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value).replace(microsecond=0)  # one instant, one spelling
    return _plain(value)


def snapshot(obj: models.Model | None, names: list[str]) -> dict[str, Any]:
    return {name: value_of(obj, name) for name in names} if obj is not None else {}


class AuditedModelAdmin(admin.ModelAdmin):
    def save_model(
        self, request: HttpRequest, obj: models.Model, form: forms.ModelForm, change: bool
    ) -> None:
        # A new record: every field the form sets; a change: the fields that changed.
        names = [
            "password" if n in PASSWORD_FIELDS else n
            for n in (form.changed_data if change else form.fields)
        ]
        obj._fupin_audit_fields = list(dict.fromkeys(names))
        before = type(obj)._default_manager.filter(pk=obj.pk).first() if change and obj.pk else None
        obj._fupin_audit_before = snapshot(before, obj._fupin_audit_fields)
        super().save_model(request, obj, form, change)

    def _audit(
        self, request: HttpRequest, obj: models.Model, action: AuditAction, verb: str
    ) -> None:
        names = getattr(obj, "_fupin_audit_fields", [])
        before = getattr(obj, "_fupin_audit_before", {})
        after = snapshot(obj, names)  # after save_related, so many-to-many values are the new ones
        changes = {
            n: [before.get(n), after[n]]
            for n in names
            if before.get(n) != after[n] or n == "password"
        }
        if getattr(obj, "_fupin_password_changed", False):  # the admin's change-password page
            changes["password"] = [HIDDEN, "已修改"]
        elif "password" in changes:
            changes["password"] = [None if action == AuditAction.CREATE else HIDDEN, "已设置"]
        labels = "、".join(str(self._label(n)) for n in changes)
        record(
            action,
            user=request.user,
            request=request,
            obj=obj,
            summary=f"管理后台{verb}{obj._meta.verbose_name}：{obj}"
            + (f"（{labels}）" if labels else ""),
            changes=changes,
            area_code=area_code_of(obj),
        )
        for attr in ("_fupin_audit_fields", "_fupin_audit_before"):
            obj.__dict__.pop(attr, None)

    def _label(self, name: str) -> str:
        if name == "password":
            return "密码"
        try:
            return self.model._meta.get_field(name).verbose_name
        except FieldDoesNotExist:
            return name

    def log_addition(self, request: HttpRequest, obj: models.Model, message: object) -> LogEntry:
        entry = super().log_addition(request, obj, message)
        self._audit(request, obj, AuditAction.CREATE, "新增")
        return entry

    def log_change(self, request: HttpRequest, obj: models.Model, message: object) -> LogEntry:
        entry = super().log_change(request, obj, message)
        self._audit(request, obj, AuditAction.UPDATE, "修改")
        return entry

    def log_deletions(self, request: HttpRequest, queryset: models.QuerySet) -> list[LogEntry]:
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            # What was deleted, field by field (long text fields and passwords left out).
            names = [
                f.name
                for f in obj._meta.concrete_fields
                if f.name not in PASSWORD_FIELDS and not isinstance(f, models.TextField)
            ]
            gone = {n: [v, None] for n, v in snapshot(obj, names).items() if v not in (None, "")}
            who = getattr(obj, "username", "")
            record(
                AuditAction.DELETE,
                user=request.user,
                request=request,
                obj=obj,
                summary=f"管理后台删除{obj._meta.verbose_name}：{obj}"
                + (f"（用户名 {who}）" if who and who != str(obj) else ""),
                changes=gone,
                area_code=area_code_of(obj),
            )
        return entries


class AuditedAdminSite(admin.AdminSite):
    site_header = "fupin 扶贫 · 管理后台"
    site_title = "fupin 管理后台"

    def register(
        self,
        model_or_iterable: type[models.Model] | Iterable[type[models.Model]],
        admin_class: type[admin.ModelAdmin] | None = None,
        **options: object,
    ) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedModelAdmin):
            admin_class = type(
                admin_class.__name__,
                (AuditedModelAdmin, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)
