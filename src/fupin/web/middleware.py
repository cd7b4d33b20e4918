"""Never a traceback for staff: out-of-scope and unexpected faults become Chinese pages."""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

log = logging.getLogger("fupin")


class FriendlyErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return None
        if isinstance(exception, PermissionDenied):
            return render(request, "web/error.html", {"title": "无权操作", "message": str(exception) or "无权访问"}, status=403)
        if isinstance(exception, PermissionError):
            return render(request, "web/error.html", {"title": "操作不允许", "message": str(exception)}, status=400)
        log.exception("unexpected error on %s", request.path)
        return render(
            request, "web/error.html",
            {"title": "系统出错", "message": "处理请求时出错，已记录。请稍后重试或联系县人社局信息科。"},
            status=500,
        )
