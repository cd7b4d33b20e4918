"""Audit records (审计日志) of logins, logouts and failed logins; API tokens revoked when a
user's credentials, role or area change."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from .audit import record
from .models import ApiToken, AuditAction, User


@receiver(user_logged_in)
def on_login(sender: type[User], request: HttpRequest, user: User, **kwargs: object) -> None:
    record(AuditAction.LOGIN, user=user, request=request, summary="登录成功")


@receiver(user_logged_out)
def on_logout(
    sender: type[User], request: HttpRequest, user: User | None, **kwargs: object
) -> None:
    if user is not None:
        record(AuditAction.LOGOUT, user=user, request=request, summary="退出登录")


@receiver(user_login_failed)
def on_login_failed(
    sender: str,
    credentials: dict[str, object],
    request: HttpRequest | None = None,
    **kwargs: object,
) -> None:
    username = str(credentials.get("username", ""))[:150]
    known = User.objects.filter(username=username).select_related("area").first()
    record(
        AuditAction.LOGIN_FAILED,
        user=None,
        request=request,
        username=username,
        summary="登录失败：用户名或密码错误，或已锁定",
        area_code=known.area.code if known is not None and known.area_id else "",
    )


@receiver(pre_save, sender=User)
def note_credential_changes(
    sender: type[User],
    instance: User,
    update_fields: frozenset[str] | None = None,
    **kwargs: object,
) -> None:
    """Marks a new password or a deactivation, whose API tokens `revoke_tokens` then deletes.

    A password is new when set_password() gave it (`_password`); Django re-hashing the same
    password at login (save(update_fields=["password"]) without it) keeps the tokens.
    """
    instance._fupin_password_changed = instance._fupin_deactivated = False
    if instance.pk is None or (
        update_fields is not None and not {"password", "is_active"} & set(update_fields)
    ):
        return
    old = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if old is None:
        return
    instance._fupin_password_changed = old["password"] != instance.password and (
        getattr(instance, "_password", None) is not None or update_fields is None
    )
    instance._fupin_deactivated = old["is_active"] and not instance.is_active


@receiver(post_save, sender=User)
def revoke_tokens(sender: type[User], instance: User, **kwargs: object) -> None:
    reasons = [
        why
        for flag, why in (
            (getattr(instance, "_fupin_password_changed", False), "密码已修改"),
            (getattr(instance, "_fupin_deactivated", False), "账号已停用"),
        )
        if flag
    ]
    if not reasons:
        return
    revoked, _ = ApiToken.objects.filter(user=instance).delete()
    if revoked:
        record(
            AuditAction.UPDATE,
            user=None,
            obj=instance,
            summary=f"吊销用户 {instance.username} 的 {revoked} 个 API 令牌：{'、'.join(reasons)}",
            area_code=instance.area.code if instance.area_id else "",
        )
