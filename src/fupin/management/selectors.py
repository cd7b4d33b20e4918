"""Reads of the management loop (工作调度); area scope applied here through fupin.access.scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from fupin.access.models import User
from fupin.access.scope import scoped, shared_readable
from fupin.areas.models import Area, Level
from fupin.areas.names import names_of as area_names_of

from .areas import COUNTY_DIGITS, own_code
from .indicators import Figures, evaluate
from .loading import active_indicators
from .models import Bulletin, Indicator, IndicatorKind, Plan, Target, Task, TaskStatus
from .periods import Period


def is_county(user: User) -> bool:
    """Whether the user works for a whole county (or above): the one who sets targets and publishes."""
    return len(own_code(user)) <= COUNTY_DIGITS


def townships(user: User) -> list[Area]:
    code = own_code(user)
    qs = Area.objects.filter(level=Level.TOWNSHIP)
    qs = qs.filter(code__startswith=code[:9] if len(code) >= 9 else code)
    return list(qs.order_by("code"))


def names_of(codes: Iterable[str]) -> dict[str, str]:
    """Area names by code (padded 12-digit codes too); unknown ones as （未知区划）."""
    return area_names_of(codes)


def plans(user: User) -> QuerySet:
    return shared_readable(Plan.objects.all(), user)


def targets(user: User, plan: Plan) -> QuerySet:
    return scoped(Target.objects.filter(plan=plan), user).select_related("indicator")


def tasks(user: User) -> QuerySet:
    return scoped(Task.objects.all(), user).select_related("plan", "phase")


def overdue_tasks(user: User, day: dt.date) -> QuerySet:
    return tasks(user).exclude(status=TaskStatus.DONE).filter(due_on__lt=day)


def bulletins(user: User) -> QuerySet:
    return shared_readable(Bulletin.objects.all(), user)


def published_bulletins(user: User) -> QuerySet:
    return bulletins(user).filter(published_at__isnull=False)


@dataclass
class Progress:
    """目标完成进度 of one target."""

    target: Target
    area: str
    value: float | int | None
    rate: float | None  # completion, 0..1+
    expected: float  # share of the period elapsed

    @property
    def status(self) -> str:
        if self.target.value == 0:
            return "无任务"
        if self.rate is None:
            return "无数据"
        if self.rate >= 1:
            return "已完成"
        return "进度正常" if self.rate + 1e-9 >= self.expected else "滞后"

    @property
    def percent(self) -> int:
        return min(100, round(100 * (self.rate or 0)))


def elapsed(plan: Plan, as_of: dt.date) -> float:
    days = (plan.ends_on - plan.starts_on).days + 1
    return max(0.0, min(1.0, ((min(as_of, plan.ends_on) - plan.starts_on).days + 1) / days))


def plan_figures(
    user: User,
    plan: Plan,
    as_of: dt.date,
    indicators: list[Indicator] | None = None,
    live: bool = True,
    villages: bool = False,
) -> dict[str, Figures] | None:
    """The plan's figures from its start to `as_of` (or its end): from the snapshot of that day
    when there is one; otherwise computed (live) or None (live False: the dashboard never waits).
    Keyed by township code, or by village code when `villages`."""
    from . import snapshots
    from .models import SnapshotLevel

    inds = (
        indicators if indicators is not None else list({t.indicator for t in targets(user, plan)})
    )
    end = max(plan.starts_on, min(as_of, plan.ends_on))
    level = SnapshotLevel.VILLAGE if villages else SnapshotLevel.TOWNSHIP
    try:
        return snapshots.figures(inds, user=user, start=plan.starts_on, end=end, level=level)
    except snapshots.SnapshotMissing:
        if not live:
            return None
        return evaluate(
            inds, user=user, start=plan.starts_on, end=end, digits=12 if villages else 9
        )


def is_village(area_code: str) -> bool:
    """A target's area is a village (12 digits, not a township or county padded with zeros)."""
    return not area_code.endswith("000")


def figure_for(fig: Figures, area_code: str) -> float | int | None:
    """A target's area (12 digits, padded): a township's figure, or the whole county's; a village's
    from village-level figures."""
    if is_village(area_code):
        return fig.value(area_code)
    return fig.value(None if area_code.endswith("000000") else area_code[:9])


def progress(user: User, plan: Plan, as_of: dt.date, live: bool = True) -> list[Progress]:
    rows = list(targets(user, plan))
    above = [t for t in rows if not is_village(t.area_code)]
    below = [t for t in rows if is_village(t.area_code)]
    figs = plan_figures(user, plan, as_of, list({t.indicator for t in above}), live=live)
    vfigs = (
        plan_figures(user, plan, as_of, list({t.indicator for t in below}), live, villages=True)
        if below
        else None
    )
    share = elapsed(plan, as_of)
    names = names_of({t.area_code for t in rows})
    out = []
    for t in rows:
        found = vfigs if is_village(t.area_code) else figs
        value = figure_for(found[t.indicator.code], t.area_code) if found else None
        if t.indicator.kind == IndicatorKind.SUM_FEN and value is not None:
            value = value / 100  # targets of money are in yuan
        rate = None if value is None or not t.value else value / t.value
        out.append(Progress(t, names[t.area_code], value, rate, share))
    return out


def dashboard_indicators() -> list[Indicator]:
    return active_indicators()


def period_figures(
    user: User, inds: list[Indicator], period: Period, today: dt.date
) -> tuple[dict, dt.date | None]:
    """The indicators over a month, quarter or year from the statistics snapshot: of the period's
    last day, or for the running period the latest one inside it. Without such a snapshot they are
    computed (and kept a few minutes per area, period and day). Returns the figures and the
    snapshot's day (None: computed now)."""
    import hashlib

    from django.core.cache import cache

    from . import snapshots

    day = min(period.end, today)
    latest = snapshots.latest_run(user, day)
    if latest is not None and (latest.day == day or (day == today and latest.day >= period.start)):
        try:
            figs = snapshots.figures(inds, user=user, start=period.start, end=latest.day)
            return figs, latest.day
        except snapshots.SnapshotMissing:
            pass
    codes = hashlib.sha256(",".join(i.code for i in inds).encode()).hexdigest()[:16]
    key = f"fupin:indicators:{own_code(user)}:{period.key}:{today.isoformat()}:{codes}"
    figs = cache.get(key)
    if figs is None:
        figs = evaluate(inds, user=user, start=period.start, end=period.end)
        cache.set(key, figs, 300)
    return figs, None
