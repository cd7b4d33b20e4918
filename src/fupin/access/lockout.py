"""登录失败处理: django-axes with one limit per account and a higher one per address.

`AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]` makes axes count failures per account and
per address; axes compares both with one limit, so the address count is scaled here to reach that
limit exactly when it reaches FUPIN_LOGIN_ADDRESS_FAILURE_LIMIT. Locks are written to the audit
trail (AuditAction.LOCKOUT) and answered in Chinese on pages and in the API.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from .audit import record
from .models import AuditAction, User


class LockoutHandler(AxesDatabaseHandler):
    def failure_counts(
        self, request: HttpRequest, credentials: dict[str, object] | None = None
    ) -> tuple[int, int]:
        """(failures of this account, failures from this address) within the cool-off period."""
        account, address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        return account, address

    def get_failures(
        self, request: HttpRequest, credentials: dict[str, object] | None = None
    ) -> int:
        account, address = self.failure_counts(request, credentials)
        return max(
            account,
            address * settings.AXES_FAILURE_LIMIT // settings.FUPIN_LOGIN_ADDRESS_FAILURE_LIMIT,
        )

    def locked_by(self, request: HttpRequest, credentials: dict[str, object] | None = None) -> str:
        account, _ = self.failure_counts(request, credentials)
        return "account" if account >= settings.AXES_FAILURE_LIMIT else "address"


def minutes() -> int:
    return int(get_cool_off().total_seconds() // 60)


def lockout_message(request: HttpRequest, credentials: dict[str, object] | None = None) -> str:
    if LockoutHandler().locked_by(request, credentials) == "account":
        return f"登录失败次数过多，账号已锁定 {minutes()} 分钟。请稍后再试，或请系统管理员解锁。"
    return f"本机地址登录失败次数过多，已锁定 {minutes()} 分钟。请稍后再试，或请系统管理员解锁。"


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponseBase | None = None,
    credentials: dict[str, object] | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: HTTP 429 with the reason, as JSON for the API, else the login page."""
    message = lockout_message(request, credentials)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": message}, status=429, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, "registration/login.html", {"lockout": message}, status=429)


@receiver(user_locked_out)
def on_locked_out(
    sender: str, request: HttpRequest, username: str | None, ip_address: str, **kwargs: object
) -> None:
    known = (
        User.objects.filter(username=username).select_related("area").first() if username else None
    )
    who = (
        "账号"
        if LockoutHandler().locked_by(request, getattr(request, "axes_credentials", None))
        == "account"
        else "地址"
    )
    record(
        AuditAction.LOCKOUT,
        user=None,
        request=request,
        username=(username or "")[:150],
        object_type="user" if known else "",
        object_id=str(known.pk) if known else "",
        summary=f"登录失败次数过多，{who}已锁定 {minutes()} 分钟（账号 {username or '—'}，地址 {ip_address or '—'}）",
        area_code=known.area.code if known is not None and known.area_id else "",
    )
