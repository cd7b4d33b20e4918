"""工作台: the home page — the dashboard of the user's area (`fupin.management.dashboard`) and the
registry's counts. It reads the management module and the registry, so it lives here rather than
in `fupin.web` (the base templates and form helpers every module imports)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fupin.registry.choices import Status


def registry_version() -> str:
    """Changes when a household, a member or a status change is added (three primary-key look-ups):
    the home page's counts are kept until then, at most a few minutes."""
    from django.db.models import Max

    from fupin.registry.models import Household, Person, StatusChange

    return "-".join(
        str(m.objects.aggregate(v=Max("id"))["v"] or 0) for m in (Household, Person, StatusChange)
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
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
            "rectification": dashboard.rectification_notice(request.user),
        },
    )
