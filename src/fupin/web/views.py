"""工作台: home page — the dashboard of the user's area (fupin.management.dashboard) — and the auditor's log search."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render

from fupin.access import audit_display
from fupin.access.audit import masked_for_display
from fupin.access.models import AuditAction, AuditEntry, Role
from fupin.access.scope import scoped
from fupin.registry.choices import Status
from fupin.registry.idnumber import mask_in_text
from fupin.sheets.response import xlsx_response

AUDIT_EXPORT_LIMIT = 100_000  # one xlsx an auditor can open; narrow the filter for more


def registry_version() -> str:
    """Changes when a household, a member or a status change is added (three primary-key look-ups):
    the home page's counts are kept until then, at most a few minutes."""
    from django.db.models import Max

    from fupin.registry.models import Household, Person, StatusChange

    return "-".join(
        str(m.objects.aggregate(v=Max("id"))["v"] or 0) for m in (Household, Person, StatusChange)
    )


@login_required
def home(request):
    """The dashboard of the user's area (fupin.management.dashboard) and the registry's counts,
    both read from the latest statistics snapshot (a few hundred rows, never the registry of a
    million persons); before the first snapshot the counts are computed live and cached."""
    from django.core.cache import cache
    from django.utils import timezone

    from fupin.access.scope import area_code_of
    from fupin.management import dashboard, snapshots

    day = timezone.localdate()
    run = snapshots.latest_run(request.user, day)
    if run is not None and run.registry:
        by_status, counts = snapshots.registry_counts(request.user, run)
        counts_at = timezone.localtime(run.built_at)
        version = ""
    else:
        version = registry_version()
        key = f"fupin:home-counts:{area_code_of(request.user)}:{day.isoformat()}:{version}"
        found = cache.get(key)
        if found is None:
            found = snapshots.registry_counts_live(request.user)
            cache.set(key, found, 300)
        by_status, counts = found
        counts_at = None
    bulletin, read = dashboard.latest_unread(request.user)
    return render(
        request,
        "web/home.html",
        {
            "household_total": sum(by_status.values()),
            "by_status": [(Status(s).label, by_status.get(s, 0), s) for s in Status.values],
            "counts": counts,
            "counts_at": counts_at,
            "dashboard": dashboard.data(request.user, day, version=version),
            "bulletin": bulletin,
            "bulletin_read": read,
            "overdue_tasks": dashboard.overdue_count(request.user, day),
        },
    )


def _audit_entries(request):
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
def audit_log(request):
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
def audit_export(request):
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
