from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import record
from .models import AuditAction, User


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    record(AuditAction.LOGIN, user=user, request=request, summary="登录成功")


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(AuditAction.LOGOUT, user=user, request=request, summary="退出登录")


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    known = User.objects.filter(username=username).select_related("area").first()
    record(
        AuditAction.LOGIN_FAILED,
        user=None,
        request=request,
        username=username,
        summary="登录失败：用户名或密码错误",
        area_code=known.area.code if known is not None and known.area_id else "",
    )
