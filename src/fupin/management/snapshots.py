"""统计快照（分析表）: DHIS2-style analytics tables for the bulletin and the dashboards.

Once a day (`fupin snapshot`, the button on the indicator page, or a background task) every
computed indicator is evaluated per village and per township and written to `SnapshotValue`:

* stock indicators (时点/累计: coverage, people in work) once, as of the day (`since` empty);
* flow indicators (期内新增: placements, trainees) once per *window* ending on the day — the
  month, quarter and year to date, and every plan in force that day (from its start).

The bulletin, the dashboard and the plan page then read a few hundred stored rows instead of
scanning a million persons; a past month's coverage is the snapshot of that month's last day,
so it no longer moves with today's registry. Township rows are counted per township (a person
with rows in two villages of one township counts once, as in the live computation); village
rows per village. Manual indicators (乡镇填报) stay live: their table is small and a township
may report a past month late.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import TypeVar

from django.db import transaction
from django.db.models import Count, Model, Q, QuerySet
from django.utils import timezone

from fupin.access.models import User
from fupin.access.scope import area_code_of, scoped
from fupin.months import quarter_start
from fupin.registry.choices import ACTIVE_STATUSES, LabourSkill
from fupin.registry.models import Household, Person

from .areas import own_code
from .indicators import Figures, evaluate
from .models import Indicator, IndicatorKind, Plan, SnapshotLevel, SnapshotRun, SnapshotValue
from .periods import Period

VILLAGE_DIGITS = 12

# 登记表计数 (the home page's cards): kept in the snapshot under codes no indicator can take (an
# indicator code is a slug, without ":"), so the home page reads a few hundred rows, not the registry.
REGISTRY = "registry:"
HOUSEHOLDS = REGISTRY + "households:"  # + the household status
LABOUR_SKILLS = [LabourSkill.GENERAL, LabourSkill.SKILLED, LabourSkill.WEAK]  # 有劳动能力
PERSON_COUNTS = {
    "total": Q(),
    "active": Q(status__in=ACTIVE_STATUSES),
    "labour": Q(labour_skill__in=LABOUR_SKILLS, status__in=ACTIVE_STATUSES),
    "training_need": Q(training_need=True, status__in=ACTIVE_STATUSES),
    "disabled": Q(health="disabled"),
}


class SnapshotMissing(LookupError):
    """No snapshot holds the day and window asked for."""


M = TypeVar("M", bound=Model)


def windows_for(day: dt.date, extra: tuple[dt.date, ...] = ()) -> list[dt.date]:
    """The window starts a snapshot of `day` holds: month, quarter and year to date, and every
    plan in force that day."""
    quarter = quarter_start(day)
    starts = {day.replace(day=1), quarter, dt.date(day.year, 1, 1), *extra}
    starts |= set(
        Plan.objects.filter(starts_on__lte=day, ends_on__gte=day).values_list(
            "starts_on", flat=True
        )
    )
    return sorted(s for s in starts if s <= day)


def _uses_start(ind: Indicator) -> bool:
    text = json.dumps([ind.numerator, ind.denominator], ensure_ascii=False)
    return '"period": "start"' in text


def is_stock(ind: Indicator) -> bool:
    """A figure that depends on the day only (not on where its period starts)."""
    return ind.cumulative and not _uses_start(ind)


def _distinct(ind: Indicator) -> bool:
    return any(
        isinstance(spec, dict) and spec.get("count") for spec in (ind.numerator, ind.denominator)
    )


def _computed() -> list[Indicator]:
    return list(Indicator.objects.filter(active=True).exclude(kind=IndicatorKind.MANUAL))


def _rows(
    figs: dict[str, Figures], level: int, day: dt.date, since: dt.date, pad_to: int
) -> list[SnapshotValue]:
    out = []
    for code, fig in figs.items():
        for area in set(fig.num) | set(fig.den):
            num, den = fig.num.get(area, 0), fig.den.get(area, 0)
            if not num and not den:
                continue
            out.append(
                SnapshotValue(
                    day=day,
                    since=since,
                    indicator_code=code,
                    area_code=area.ljust(pad_to, "0"),
                    level=level,
                    num=num,
                    den=den if fig.indicator.kind == IndicatorKind.RATIO else None,
                )
            )
    return out


def _towns_from_villages(village: dict[str, Figures]) -> dict[str, Figures]:
    out = {}
    for code, fig in village.items():
        town = Figures(fig.indicator)
        for area, v in fig.num.items():
            town.num[area[:9]] += v
        for area, v in fig.den.items():
            town.den[area[:9]] += v
        out[code] = town
    return out


def _compute(
    inds: list[Indicator], *, user: User | None, start: dt.date, end: dt.date, since: dt.date
) -> list[SnapshotValue]:
    """Village rows for every indicator; township rows summed from them, except where distinct
    persons are counted (one person in two villages is one person of the township)."""
    if not inds:
        return []
    village = evaluate(inds, user=user, start=start, end=end, digits=VILLAGE_DIGITS)
    towns = _towns_from_villages(village)
    distinct = [i for i in inds if _distinct(i)]
    if distinct:
        towns.update(evaluate(distinct, user=user, start=start, end=end))
    return [
        *_rows(village, SnapshotLevel.VILLAGE, end, since, VILLAGE_DIGITS),
        *_rows(towns, SnapshotLevel.TOWNSHIP, end, since, VILLAGE_DIGITS),
    ]


def _in_area(qs: QuerySet[M], user: User | None) -> QuerySet[M]:
    return qs if user is None else scoped(qs, user)


def registry_counts_live(user: User | None) -> tuple[dict[str, int], dict[str, int]]:
    """The home page's registry counts computed now over the user's area: households by status,
    and the persons of PERSON_COUNTS (the figure a snapshot keeps, and the one shown before any)."""
    by_status = dict(
        _in_area(Household.objects.all(), user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    counts = (
        _in_area(Person.objects.all(), user)
        .order_by()
        .aggregate(**{k: Count("id", filter=q) for k, q in PERSON_COUNTS.items()})
    )
    return by_status, counts


def _registry_rows(user: User | None, day: dt.date) -> list[SnapshotValue]:
    """Village rows of the registry counts, and township rows summed from them (every household
    and person lies in exactly one village)."""
    per_village: dict[tuple[str, str], int] = {}
    hh = _in_area(Household.objects.all(), user).order_by().values_list("village_code", "status")
    for village, status, n in hh.annotate(n=Count("id")):
        per_village[(HOUSEHOLDS + status, village)] = n
    people = (
        _in_area(Person.objects.all(), user)
        .order_by()
        .values("village_code")
        .annotate(**{k: Count("id", filter=q) for k, q in PERSON_COUNTS.items()})
    )
    for row in people:
        for k in PERSON_COUNTS:
            per_village[(REGISTRY + k, row["village_code"])] = row[k]
    per_town: dict[tuple[str, str], int] = {}
    for (code, village), n in per_village.items():
        per_town[(code, village[:9])] = per_town.get((code, village[:9]), 0) + n
    return [
        SnapshotValue(
            day=day,
            indicator_code=code,
            area_code=area.ljust(VILLAGE_DIGITS, "0"),
            level=level,
            num=n,
        )
        for level, found in (
            (SnapshotLevel.VILLAGE, per_village),
            (SnapshotLevel.TOWNSHIP, per_town),
        )
        for (code, area), n in found.items()
        if n
    ]


def registry_counts(user: User, run: SnapshotRun) -> tuple[dict[str, int], dict[str, int]]:
    """The registry counts of the user's area as the snapshot `run` kept them (summed from the
    township rows, or the village rows for a village account)."""
    level = SnapshotLevel.VILLAGE if len(own_code(user)) > 9 else SnapshotLevel.TOWNSHIP
    rows = scoped(
        SnapshotValue.objects.filter(
            day=run.day, level=level, since__isnull=True, indicator_code__startswith=REGISTRY
        ),
        user,
    ).values_list("indicator_code", "num")
    by_status: dict[str, int] = {}
    counts = dict.fromkeys(PERSON_COUNTS, 0)
    for code, n in rows:
        if code.startswith(HOUSEHOLDS):
            status = code[len(HOUSEHOLDS) :]
            by_status[status] = by_status.get(status, 0) + n
        else:
            counts[code[len(REGISTRY) :]] += n
    return by_status, counts


def build(
    *, day: dt.date, user: User | None = None, extra: tuple[dt.date, ...] = ()
) -> SnapshotRun:
    """统计快照: every computed indicator of `day` for the user's area (user None: every area),
    replacing that day's snapshot of the same area in one transaction."""
    t0 = time.perf_counter()
    code = "" if user is None else (area_code_of(user) or "")
    inds = _computed()
    stock = [i for i in inds if is_stock(i)]
    flow = [i for i in inds if not is_stock(i)]
    windows = windows_for(day, extra)
    rows = _compute(stock, user=user, start=day, end=day, since=None)
    for since in windows:
        rows += _compute(flow, user=user, start=since, end=day, since=since)
    rows += _registry_rows(user, day)
    with transaction.atomic():
        old = SnapshotValue.objects.filter(day=day)
        (old if user is None else scoped(old, user)).delete()
        SnapshotValue.objects.bulk_create(rows, batch_size=2000)
        SnapshotRun.objects.filter(day=day, scope_code__startswith=code).delete()
        run = SnapshotRun.objects.create(
            day=day,
            scope_code=code,
            windows=[w.isoformat() for w in windows],
            built_at=timezone.now(),
            seconds=round(time.perf_counter() - t0, 3),
            rows=len(rows),
            registry=True,
            built_by=user if user is not None and user.pk else None,
        )
    return run


def prunable_days(today: dt.date, keep_days: int) -> list[dt.date]:
    """The snapshot days `prune` removes: neither the last day of a month (the bulletin and the
    dashboard's trends read those) nor one of the last `keep_days` days, nor the latest day."""
    days = sorted(set(SnapshotRun.objects.values_list("day", flat=True)))
    if not days:
        return []
    recent = today - dt.timedelta(days=keep_days)
    return [
        d
        for d in days[:-1]
        if d < recent and (d + dt.timedelta(days=1)).month == d.month  # not a month's last day
    ]


def prune(*, today: dt.date, keep_days: int) -> tuple[int, int]:
    """清理旧快照: every snapshot of a prunable day, figures and header, in one transaction.
    Returns (days removed, rows removed)."""
    days = prunable_days(today, keep_days)
    if not days:
        return 0, 0
    with transaction.atomic():
        rows, _ = SnapshotValue.objects.filter(day__in=days).delete()
        SnapshotRun.objects.filter(day__in=days).delete()
    return len(days), rows


def run_for(user: User, day: dt.date) -> SnapshotRun | None:
    """The snapshot of `day` covering the user's whole area (built for it or for a wider one)."""
    code = own_code(user)
    runs = [r for r in SnapshotRun.objects.filter(day=day) if code.startswith(r.scope_code)]
    return max(runs, key=lambda r: len(r.scope_code)) if runs else None


def latest_run(user: User, on_or_before: dt.date) -> SnapshotRun | None:
    code = own_code(user)
    for r in SnapshotRun.objects.filter(day__lte=on_or_before).order_by("-day", "-built_at")[:50]:
        if code.startswith(r.scope_code):
            return r
    return None


def has_window(run: SnapshotRun | None, since: dt.date) -> bool:
    return run is not None and since.isoformat() in run.windows


def ensure(*, user: User, day: dt.date, since: dt.date) -> SnapshotRun:
    """The snapshot of `day` with the window from `since`, built now when missing (a county
    generating a bulletin for a month no snapshot was taken of)."""
    run = run_for(user, day)
    if has_window(run, since):
        return run
    extra = tuple(dt.date.fromisoformat(w) for w in (run.windows if run else ())) + (since,)
    return build(day=day, user=user, extra=extra)


def figures(
    indicators: list[Indicator],
    *,
    user: User,
    start: dt.date,
    end: dt.date,
    level: int = SnapshotLevel.TOWNSHIP,
) -> dict[str, Figures]:
    """The indicators over [start, end] from the snapshot of `end`, read through the user's area
    scope — the same figures `indicators.evaluate` computes live. Township level keys figures by
    the 9-digit township code, village level by the 12-digit village code. Raises
    SnapshotMissing when no snapshot of `end` holds the window from `start`."""
    out = {i.code: Figures(i) for i in indicators}
    manual = [i for i in indicators if i.kind == IndicatorKind.MANUAL]
    computed = [i for i in indicators if i.kind != IndicatorKind.MANUAL]
    if computed:
        run = run_for(user, end)
        flows = [i.code for i in computed if not is_stock(i)]
        if run is None or (flows and not has_window(run, start)):
            raise SnapshotMissing(f"没有 {end} 的统计快照（统计期起点 {start}）")
        own = own_code(user)
        # A village account reads its village rows (no township row lies inside its area).
        read_level = SnapshotLevel.VILLAGE if len(own) > 9 else level
        digits = 9 if level == SnapshotLevel.TOWNSHIP else VILLAGE_DIGITS
        qs = scoped(
            SnapshotValue.objects.filter(
                day=end, level=read_level, indicator_code__in=[i.code for i in computed]
            ).filter(Q(since__isnull=True) | Q(since=start)),
            user,
        ).values_list("indicator_code", "since", "area_code", "num", "den")
        by_code = {i.code: i for i in computed}
        for code, since, area, num, den in qs:
            ind = by_code[code]
            if (since is None) != is_stock(ind):
                continue
            key = area[:digits]
            out[code].num[key] += num
            if den:
                out[code].den[key] += den
    if manual:
        out.update(
            evaluate(
                manual,
                user=user,
                start=start,
                end=end,
                digits=9 if level == SnapshotLevel.TOWNSHIP else VILLAGE_DIGITS,
            )
        )
    return out


def figures_or_live(
    indicators: list[Indicator], *, user: User, start: dt.date, end: dt.date
) -> tuple[dict[str, Figures], bool]:
    """Snapshot figures when the snapshot exists, else computed live (pages that may wait)."""
    try:
        return figures(indicators, user=user, start=start, end=end), True
    except SnapshotMissing:
        return evaluate(indicators, user=user, start=start, end=end), False


def monthly(
    indicators: list[Indicator], *, user: User, months: list[Period]
) -> dict[str, dict[str, int | None]]:
    """Flow indicators month by month from each month's last snapshot (the latest one for the
    running month): {code: {"2018-03": n}}; a month with no snapshot is None."""
    latest = latest_run(user, months[-1].end)
    out: dict[str, dict[str, int | None]] = {i.code: {} for i in indicators}
    for m in months:
        day = m.end if latest is None or m.end < latest.day else latest.day
        if day < m.start:
            for i in indicators:
                out[i.code][m.key] = None
            continue
        try:
            figs = figures(indicators, user=user, start=m.start, end=day)
        except SnapshotMissing:
            figs = None
        for i in indicators:
            out[i.code][m.key] = figs[i.code].value() if figs else None
    return out
