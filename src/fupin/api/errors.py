"""API faults (接口错误) as Chinese JSON, never a traceback."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

TYPE_MESSAGES = {
    "missing": "必填项缺失",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "string_type": "应为文本",
    "bool_parsing": "应为是/否（true/false）",
    "bool_type": "应为是/否（true/false）",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "decimal_parsing": "应为数字",
    "float_parsing": "应为数字",
    "json_invalid": "JSON 格式错误",
    "model_attributes_type": "请求体应为 JSON 对象",
    "dict_type": "请求体应为 JSON 对象",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "string_too_long": "文本过长",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "list_type": "应为列表",
    "too_short": "至少需要一项",
    "too_long": "项数过多",
}
# What each limit's context value means, to say the limit with the message.
LIMIT_WORDS = {
    "string_too_long": ("max_length", "最多 {} 个字"),
    "greater_than_equal": ("ge", "最小为 {}"),
    "greater_than": ("gt", "应大于 {}"),
    "less_than": ("lt", "应小于 {}"),
    "less_than_equal": ("le", "最大为 {}"),
    "too_short": ("min_length", "至少 {} 项"),
    "too_long": ("max_length", "最多 {} 项"),
}
# django-ninja's own English faults, said in Chinese.
NINJA_MESSAGES = {
    "Cannot parse request body": "请求体不是有效的 JSON（格式错误或嵌套过深），未处理",
    "CSRF check Failed": "CSRF 校验失败：请刷新页面后重试；程序调用请使用 Bearer 令牌（POST /api/v1/auth/token）",
}
# Custom pydantic errors whose message is already Chinese (fupin.bounds).
CHINESE_ERROR_TYPES = {"out_of_range"}


def message_of(err: dict) -> str:
    kind = err.get("type", "")
    if kind in CHINESE_ERROR_TYPES:
        return err.get("msg", "取值无效")
    text = TYPE_MESSAGES.get(kind, "取值无效")
    if kind in LIMIT_WORDS:
        key, words = LIMIT_WORDS[kind]
        limit = (err.get("ctx") or {}).get(key)
        if limit is not None:
            text += "：" + words.format(limit)
    return text


def install(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for err in exc.errors:
            loc = [
                str(x)
                for x in err.get("loc", [])
                if x not in ("body", "query", "path", "payload", "data")
            ]
            name = ".".join(loc) or "__all__"
            fields.setdefault(name, []).append(message_of(err))
        return api.create_response(
            request, {"detail": "数据校验未通过", "errors": fields}, status=422
        )

    @api.exception_handler(Http404)
    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": "记录不存在或不在本辖区"}, status=404)

    @api.exception_handler(PermissionDenied)
    def on_403(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or "无权操作"}, status=403)

    @api.exception_handler(PermissionError)
    def on_forbidden_op(request: HttpRequest, exc: PermissionError) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=400)

    @api.exception_handler(AuthenticationError)
    def on_401(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(request, {"detail": "未登录或令牌无效"}, status=401)

    @api.exception_handler(MultiPartParserError)
    def on_bad_upload(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        return api.create_response(
            request, {"detail": "上传内容格式错误：请以 multipart/form-data 上传文件"}, status=400
        )

    @api.exception_handler(IntegrityError)
    def on_integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        # A database rule caught what validation missed: refuse with a message, never a 500.
        logging.getLogger("fupin").warning("integrity error on %s: %s", request.path, exc)
        return api.create_response(
            request, {"detail": "数据与已有记录冲突或不符合规则，未保存任何内容"}, status=409
        )

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        return api.create_response(
            request, {"detail": f"请求体过大：超过 {limit:g} MB，未处理"}, status=413
        )

    @api.exception_handler(SuspiciousOperation)
    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return api.create_response(request, {"detail": "请求无效，未处理"}, status=400)

    @api.exception_handler(HttpError)
    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        body = {"detail": NINJA_MESSAGES.get(str(exc), str(exc))}
        if getattr(exc, "errors", None):
            body["errors"] = exc.errors
        return api.create_response(request, body, status=exc.status_code)
