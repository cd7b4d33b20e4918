"""The app configuration of users, roles, area scope and the audit log (用户与权限)."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccessConfig(AppConfig):
    default = True
    name = "fupin.access"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from . import lockout, signals  # noqa: F401


class AuditedAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin whose site audits every change made through it (fupin.access.admin_audit)."""

    default = False
    default_site = "fupin.access.admin_audit.AuditedAdminSite"
