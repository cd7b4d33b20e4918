"""Never a traceback for staff: out-of-scope and unexpected faults become Chinese pages (错误页);
input no database can hold (a NUL byte) is refused before any view runs."""

import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import render

log = logging.getLogger("fupin")
API_PREFIX = "/api/"


MULTIPART = "multipart/form-data"
NUL_MESSAGE = "输入中含有不可见的空字符（NUL），请删除后重试"


def too_big_message() -> str:
    return (
        f"提交的内容过大：超过 {settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024):g} MB，未处理"
    )


def _refuse(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    """A refusal in Chinese: JSON on API routes, the error page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return HttpResponse(
            json.dumps({"detail": message}, ensure_ascii=False),
            status=status,
            content_type="application/json",
        )
    return render(request, "web/error.html", {"title": title, "message": message}, status=status)


def _with_nul(params: QueryDict) -> list[str]:
    return [
        key for key, values in params.lists() if "\x00" in key or any("\x00" in v for v in values)
    ]


class NulGuardMiddleware:
    """空字符（NUL）: PostgreSQL text cannot hold a NUL byte, so a search or a form field carrying
    one was a 500 in whichever view passed it to a query. Refused once, here, for every app: any
    query-string or form parameter (name or value) with NUL is a 400 before the view runs. JSON
    bodies (and multipart bodies on /api/) are left to the API's schemas and services, which name
    the field themselves.

    In `process_view`, after CsrfViewMiddleware (a forged POST is still refused as forged first).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict
    ) -> HttpResponse | None:
        # An API route may read the raw body itself (a JSON route sent a form): parsing a multipart
        # body here would consume the stream it needs. Its fields go through its schema instead.
        form = not (request.path.startswith(API_PREFIX) and request.content_type == MULTIPART)
        try:
            bad = _with_nul(request.GET) + (_with_nul(request.POST) if form else [])
        except RequestDataTooBig:  # raised here, it would miss FriendlyErrorMiddleware's answer
            return _refuse(request, 413, "内容过大", too_big_message())
        if not bad:
            return None
        log.warning("NUL byte refused on %s in %s", request.path, ", ".join(bad)[:200])
        return _refuse(request, 400, "输入无效", NUL_MESSAGE)


class FriendlyErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return self._not_allowed(request, response)
        return response

    @staticmethod
    def _not_allowed(request: HttpRequest, response: HttpResponseBase) -> HttpResponse:
        """Django's and django-ninja's 405 say nothing or English."""
        allowed = response.get("Allow", "")
        message = f"不支持 {request.method} 请求" + (f"，可用：{allowed}" if allowed else "")
        if request.path.startswith(API_PREFIX):
            out = HttpResponse(
                json.dumps({"detail": message}, ensure_ascii=False),
                status=405,
                content_type="application/json",
            )
        else:
            out = render(
                request,
                "web/error.html",
                {"title": "请求方式不支持", "message": message},
                status=405,
            )
        if allowed:
            out["Allow"] = allowed
        return out

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return None
        if isinstance(exception, RequestDataTooBig):
            return render(
                request,
                "web/error.html",
                {"title": "内容过大", "message": too_big_message()},
                status=413,
            )
        if isinstance(exception, (SuspiciousOperation, BadRequest)):
            return None  # Django answers 400 with templates/400.html
        if isinstance(exception, PermissionDenied):
            return render(
                request,
                "web/error.html",
                {"title": "无权操作", "message": str(exception) or "无权访问"},
                status=403,
            )
        if isinstance(exception, PermissionError):
            return render(
                request,
                "web/error.html",
                {"title": "操作不允许", "message": str(exception)},
                status=400,
            )
        log.exception("unexpected error on %s", request.path)
        return render(
            request,
            "web/error.html",
            {
                "title": "系统出错",
                "message": "处理请求时出错，已记录。请稍后重试或联系县人社局信息科。",
            },
            status=500,
        )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: Django's page is English."""
    message = "页面已过期或来源不明（CSRF 校验失败），未做任何修改。请刷新页面后重新提交。"
    if request.path.startswith(API_PREFIX):
        return HttpResponse(
            json.dumps({"detail": message}, ensure_ascii=False),
            status=403,
            content_type="application/json",
        )
    return render(request, "web/error.html", {"title": "无法提交", "message": message}, status=403)
