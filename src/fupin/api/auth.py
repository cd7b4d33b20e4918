"""API 认证 (API authentication): the staff session, or a bearer token from POST /api/v1/auth/token."""

import datetime as dt

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.security import HttpBearer, SessionAuth

from fupin.access.audit import record
from fupin.access.models import ApiToken, AuditAction, User


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        # Expired tokens and those of deactivated users are refused (password changes delete them).
        row = (
            ApiToken.valid()
            .select_related("user", "user__area")
            .filter(digest=ApiToken.hash(token))
            .first()
        )
        if row is None:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


# The bearer token first: the session check enforces CSRF and would refuse a token client's POST.
STAFF_AUTH = [TokenAuth(), SessionAuth()]

auth_router = Router(tags=["认证"])


class Credentials(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: dt.datetime


@auth_router.post("/token", auth=None, response={200: TokenOut, 401: dict, 429: dict})
def issue_token(request: HttpRequest, creds: Credentials) -> Status | dict[str, object]:
    """用户名密码换取 Bearer 令牌（有效期 FUPIN_TOKEN_HOURS 小时；连续失败会锁定账号和地址，返回 429）."""
    user = authenticate(request, username=creds.username, password=creds.password)
    if user is None:
        return Status(
            401, {"detail": "用户名或密码错误"}
        )  # a lockout becomes 429 in AxesMiddleware
    raw, token = ApiToken.issue(user)
    record(AuditAction.LOGIN, user=user, request=request, summary="API 令牌登录")
    return {"token": raw, "expires_at": token.expires_at}
