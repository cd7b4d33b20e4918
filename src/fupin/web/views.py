"""审计日志: the auditor's log search and export. (The home page, 工作台, is `fupin.management.home`.)"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from fupin.access import audit_display
from fupin.access.audit import masked_for_display
from fupin.access.models import AuditAction, AuditEntry, Role
from fupin.access.scope import scoped
from fupin.idnumber import mask_in_text
from fupin.web.xlsx import xlsx_response

AUDIT_EXPORT_LIMIT = 100_000  # one xlsx an auditor can open; narrow the filter for more


def _audit_entries(request: HttpRequest):
    """The entries an auditor may read, filtered as the page's form asks (page and export alike)."""
    if not (request.user.role == Role.AUDITOR or request.user.is_superuser):
        raise PermissionDenied("只有审计人员可以查看审计日志")
    # The entries of the auditor's own area. One with no area (an unknown login name, a superuser
    # bound to no area) matches no area code, so only a superuser bound to no area reads it.
    qs = scoped(AuditEntry.objects.all(), request.user).select_related("user")
    action = request.GET.get("action", "")
    if action in AuditAction.values:
        qs = qs.filter(action=action)
    who = request.GET.get("user", "").strip()
    if who:
        qs = qs.filter(username=who)
    target = request.GET.get("object", "").strip()
    if target:
        # Summaries hold masked numbers, so a full number typed here is looked for masked.
        qs = qs.filter(Q(object_id=target) | Q(summary__contains=mask_in_text(target)))
    return qs


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """审计日志查询 — auditors (and the superuser) only."""
    qs = _audit_entries(request)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    entries = [masked_for_display(e) for e in page.object_list]
    names = audit_display.area_names(e.area_code for e in entries)
    page.object_list = [
        {
            "entry": e,
            "object": f"{audit_display.model_label(e.object_type)} {e.object_id}".strip(),
            "area": names.get(e.area_code, ""),
            "changes": audit_display.changes(e),
        }
        for e in entries
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/audit.html",
        {
            "page": page,
            "actions": AuditAction.choices,
            "params": request.GET,
            "query": query.urlencode(),
        },
    )


@login_required
def audit_export(request: HttpRequest) -> HttpResponseBase:
    """审计日志导出: the filtered entries (at most EXPORT_LIMIT, newest first) as xlsx, itself audited."""
    qs = _audit_entries(request)[:AUDIT_EXPORT_LIMIT]
    rows = audit_display.rows(masked_for_display(e) for e in qs)
    return xlsx_response(
        user=request.user,
        request=request,
        filename="审计日志.xlsx",
        unmasked=False,
        summary=f"导出审计日志 {len(rows)} 条",
        sheets=[("审计日志", ["时间", "用户", "操作", "对象", "区划", "摘要", "变更", "IP"], rows)],
    )
