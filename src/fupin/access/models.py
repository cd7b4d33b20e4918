"""用户、角色、辖区与审计日志 (users, roles, area scope and the audit trail)."""

import datetime as dt
import hashlib
import secrets
from typing import NoReturn

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    """角色."""

    ADMIN = "admin", "系统管理员"
    COUNTY = "county", "人社局工作人员"
    INSURANCE = "insurance", "社保经办机构"
    TOWNSHIP = "township", "乡镇人社所"
    VILLAGE = "village", "村协理员"
    POVERTY_OFFICE = "poverty_office", "扶贫办联络员（只读）"
    AUDITOR = "auditor", "审计人员（只读）"


READ_ONLY_ROLES = {Role.POVERTY_OFFICE, Role.AUDITOR}
# Who may see a full ID number at all (each view is still logged).
UNMASK_ROLES = {Role.ADMIN, Role.COUNTY, Role.INSURANCE, Role.TOWNSHIP}


class User(AbstractUser):
    """工作人员: bound to one area (辖区) and one role."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.VILLAGE)
    area = models.ForeignKey(
        "areas.Area", verbose_name="辖区", null=True, blank=True, on_delete=models.PROTECT
    )
    can_unmask_id = models.BooleanField(
        "可查看完整身份证号",
        default=False,
        help_text="仅对人社局、社保经办、乡镇人社所和管理员角色生效；每次查看均记入审计日志。",
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    @property
    def read_only(self) -> bool:
        return self.role in READ_ONLY_ROLES

    @property
    def may_unmask(self) -> bool:
        return self.is_active and self.can_unmask_id and self.role in UNMASK_ROLES


class ApiToken(models.Model):
    """API 令牌: the bearer token from POST /api/v1/auth/token, stored only as a hash."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def lifetime() -> dt.timedelta:
        return dt.timedelta(hours=settings.FUPIN_TOKEN_HOURS)

    @property
    def expires_at(self) -> dt.datetime:
        return self.created_at + self.lifetime()

    @classmethod
    def issue(cls, user: User) -> tuple[str, "ApiToken"]:
        """A new token for `user` (raw value, row); the user's expired tokens are dropped."""
        cls.objects.filter(user=user, created_at__lt=timezone.now() - cls.lifetime()).delete()
        raw = secrets.token_urlsafe(32)
        return raw, cls.objects.create(user=user, digest=cls.hash(raw))

    @classmethod
    def valid(cls):
        """Tokens still within their lifetime, of active users."""
        return cls.objects.filter(
            created_at__gte=timezone.now() - cls.lifetime(), user__is_active=True
        )


class AuditAction(models.TextChoices):
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKOUT = "lockout", "登录锁定"
    LOGOUT = "logout", "退出"
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    STATUS = "status", "状态变更"
    UNMASK = "unmask", "查看完整身份证号"
    EXPORT = "export", "导出"
    IMPORT = "import", "导入"
    DECISION = "decision", "审核决定"
    VIEW = "view", "查看"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> NoReturn:
        raise PermissionError("审计日志只能追加，不能修改")

    def delete(self) -> NoReturn:
        raise PermissionError("审计日志只能追加，不能删除")


class AuditEntry(models.Model):
    """审计日志: append-only; never updated, never deleted.

    `area_code` is the area the entry concerns (the record's village, else the acting user's
    area, else — a failed login — the named account's area), so an auditor reads only the entries
    of his own area through the one scope selector. An entry with no area (an unknown login name,
    a superuser bound to no area) is read by superusers only.
    """

    AREA_CODE_FIELD = "area_code"
    AREA_CODE_VARIABLE_LENGTH = True

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, verbose_name="用户"
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    action = models.CharField("操作", max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=50, blank=True)
    object_id = models.CharField("对象", max_length=64, blank=True, db_index=True)
    summary = models.CharField("摘要", max_length=500, blank=True)
    changes = models.JSONField("变更（旧值→新值）", default=dict, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    area_code = models.CharField("所涉区划", max_length=12, blank=True, db_index=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> NoReturn:
        raise PermissionError("审计日志只能追加，不能删除")
