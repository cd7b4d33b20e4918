"""Reads of the chronic-disease appraisal (慢性病鉴定). Pages, API routes and exports read through the scoped
functions here; `chronic_class_on` and `chronic_classes_on` serve the settlement (see
docs/CONVENTIONS.md, "Chronic class of a person on a date")."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value, When

from fupin.access.models import User
from fupin.access.scope import scoped, shared_readable
from fupin.areas.models import CODE_LENGTH, Area, Level
from fupin.registry.choices import ACTIVE_STATUSES
from fupin.registry.models import Person

from .models import (
    OPEN_STAGES,
    Application,
    AppraisalRound,
    Certificate,
    CertificateChange,
    CertificateStatus,
    ChangeKind,
    Hospital,
    Notice,
    Objection,
    ObjectionStatus,
    ReportSubmission,
    Stage,
)

# -- for the settlement: the chronic class in force on a date ---------------------------------------
# Up to this many persons are asked for by id; more, and the whole (county-sized) history is read in
# one query without parameters — a long IN list costs more to send than the rows it saves.
ID_LIST_LIMIT = 2_000


def _histories(persons: set[int]) -> dict[int, tuple[list[dt.date], list[str]]]:
    """{person_id: ([effective_on …], [class after …])} in date order, hospital changes left out."""
    rows = CertificateChange.objects.exclude(kind=ChangeKind.HOSPITAL)
    if len(persons) <= ID_LIST_LIMIT:
        rows = rows.filter(person_id__in=persons)
    history: dict[int, tuple[list[dt.date], list[str]]] = {}
    for pid, day, code in (
        rows.order_by("person_id", "effective_on", "id")
        .values_list("person_id", "effective_on", "chronic_class")
        .iterator(chunk_size=20_000)
    ):
        if pid in persons:
            days, codes = history.setdefault(pid, ([], []))
            days.append(day)
            codes.append(code)
    return history


def chronic_classes_for(pairs: Iterable[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], str]:
    """{(person_id, day): class code} for every pair whose person held a valid 慢性病医疗证 on that
    day; pairs without one are left out. One query, whatever the number of pairs.

    Not area-scoped: the caller passes persons it has already read through `scoped()`."""
    pairs = pairs if isinstance(pairs, list) else list(pairs)
    history = _histories({pid for pid, _ in pairs})
    get = history.get
    found: dict[tuple[int, dt.date], str] = {}
    for pair in pairs:
        h = get(pair[0])
        if h is None:
            continue
        at = bisect_right(h[0], pair[1])  # the last change on or before the day
        if at and (code := h[1][at - 1]):  # a revocation leaves ""
            found[pair] = code
    return found


def chronic_classes_on(person_ids: Iterable[int], on_date: dt.date) -> dict[int, str]:
    """{person_id: class code} of the persons holding a valid certificate on `on_date`."""
    return {
        pid: code
        for (pid, _), code in chronic_classes_for((pid, on_date) for pid in set(person_ids)).items()
    }


def chronic_class_on(person_id: int, on_date: dt.date) -> str | None:
    """The class code (as in the pack's `medical.chronic.classes`, e.g. "I"/"II" or "A"/"B") of the
    person's 慢性病医疗证 in force on `on_date`, or None: never certified by then, or revoked."""
    return chronic_classes_on([person_id], on_date).get(person_id)


# -- scoped lists ---------------------------------------------------------------------------------
def notices(user: User) -> QuerySet:
    return scoped(Notice.objects.select_related("person", "notified_by"), user)


def applications(user: User) -> QuerySet:
    return scoped(Application.objects.select_related("person", "round", "amends"), user)


def certificates(user: User) -> QuerySet:
    return scoped(
        Certificate.objects.select_related("person", "person__household", "hospital"), user
    )


def changes(user: User) -> QuerySet:
    return scoped(CertificateChange.objects.select_related("certificate", "recorded_by"), user)


def objections(user: User) -> QuerySet:
    return scoped(Objection.objects.select_related("application", "application__person"), user)


def rounds(user: User) -> QuerySet:
    return shared_readable(AppraisalRound.objects.all(), user)


def hospitals(user: User) -> QuerySet:
    return shared_readable(Hospital.objects.filter(active=True), user)


def in_notice(user: User, day: dt.date) -> QuerySet:
    """公示名单: applications whose notice runs on `day`."""
    return applications(user).filter(stage=Stage.NOTICE, notice_start__lte=day, notice_end__gte=day)


# -- the village assistant's list: each poor person and where he stands ----------------------------
class Progress:
    """Where a poor person stands in the appraisal (村协理员名单)."""

    NOT_NOTIFIED = "not_notified"
    NOTIFIED = "notified"
    APPLIED = Stage.APPLIED.value
    WAITING = Stage.WAITING.value
    NOTICE = Stage.NOTICE.value
    CERTIFIED = Stage.CERTIFIED.value
    REFUSED = Stage.REFUSED.value
    OBJECTED = Stage.OBJECTED.value
    CHOICES = [
        (NOT_NOTIFIED, "未通知"),
        (NOTIFIED, "已通知未申请"),
        (APPLIED, "已申请待鉴定"),
        (WAITING, "待季度鉴定"),
        (NOTICE, "公示中"),
        (CERTIFIED, "已发证"),
        (REFUSED, "鉴定不符合"),
        (OBJECTED, "异议成立未发证"),
    ]
    LABELS = dict(CHOICES)


def progress(user: User) -> QuerySet:
    """Every poor person in the user's area with `progress` (a Progress code): an open application
    first, then a valid certificate, then the last closed application, then the notice."""
    open_app = Application.objects.filter(person=OuterRef("pk"), stage__in=OPEN_STAGES)
    last_app = (
        Application.objects.filter(person=OuterRef("pk"))
        .exclude(stage=Stage.WITHDRAWN)
        .order_by("-applied_on", "-id")
    )
    qs = (
        Person.objects.filter(status__in=ACTIVE_STATUSES)
        .annotate(
            open_stage=Subquery(open_app.values("stage")[:1]),
            last_stage=Subquery(last_app.values("stage")[:1]),
            certified=Exists(
                Certificate.objects.filter(person=OuterRef("pk"), status=CertificateStatus.VALID)
            ),
            notified=Exists(Notice.objects.filter(person=OuterRef("pk"))),
            notified_on=Subquery(
                Notice.objects.filter(person=OuterRef("pk")).values("notified_on")[:1]
            ),
            notified_by_name=Subquery(
                Notice.objects.filter(person=OuterRef("pk")).values("notified_by__username")[:1]
            ),
        )
        .annotate(
            progress=Case(
                When(open_stage__isnull=False, then="open_stage"),
                When(certified=True, then=Value(Progress.CERTIFIED)),
                When(last_stage__in=[Stage.REFUSED, Stage.OBJECTED], then="last_stage"),
                When(notified=True, then=Value(Progress.NOTIFIED)),
                default=Value(Progress.NOT_NOTIFIED),
                output_field=CharField(),
            )
        )
    )
    return scoped(qs, user).order_by("village_code", "household_id", "id")


# -- 鉴定日报 --------------------------------------------------------------------------------------
REPORT_COLUMNS = [
    ("notified", "当日通知"),
    ("applied", "当日申请"),
    ("home", "其中上门鉴定"),
    ("approved", "当日鉴定符合"),
    ("refused", "当日鉴定不符合"),
    ("objections", "当日异议"),
    ("issued", "当日发证"),
    ("added", "当日新增病种"),
    ("poor", "在册扶贫对象"),
    ("notified_total", "累计已通知"),
    ("applied_total", "累计申请"),
    ("in_notice", "公示中"),
    ("certified_total", "持证人数"),
]


def _unit_length(area_code: str) -> int:
    """A county's report has a row per township; a township's (or village's) a row per village."""
    return CODE_LENGTH[Level.TOWNSHIP] if len(area_code) <= CODE_LENGTH[Level.COUNTY] else 12


def daily_report(user: User, day: dt.date, area_code: str) -> tuple[list[dict], dict]:
    """鉴定日报 (001: 慢性病鉴定日报送机制) for `day` inside `area_code` (already checked to be in the
    user's area): rows per township or village, and the total row."""
    unit = _unit_length(area_code)

    def within(qs: QuerySet, field: str = "village_code") -> QuerySet:
        return qs.filter(**{f"{field}__startswith": area_code})

    counts: dict[str, Counter] = {key: Counter() for key, _ in REPORT_COLUMNS}

    def tally(key: str, codes: Iterable[str]) -> None:
        counts[key].update(c[:unit] for c in codes)

    apps = within(scoped(Application.objects.all(), user))
    tally(
        "notified",
        within(scoped(Notice.objects.filter(notified_on=day), user)).values_list(
            "village_code", flat=True
        ),
    )
    tally("applied", apps.filter(applied_on=day).values_list("village_code", flat=True))
    tally(
        "home",
        apps.filter(applied_on=day, home_appraisal=True).values_list("village_code", flat=True),
    )
    tally(
        "approved",
        apps.filter(appraised_on=day, approved=True).values_list("village_code", flat=True),
    )
    tally(
        "refused",
        apps.filter(appraised_on=day, approved=False).values_list("village_code", flat=True),
    )
    tally(
        "objections",
        within(scoped(Objection.objects.filter(raised_on=day), user)).values_list(
            "village_code", flat=True
        ),
    )
    changes_today = within(scoped(CertificateChange.objects.filter(effective_on=day), user))
    tally(
        "issued",
        changes_today.filter(kind=ChangeKind.ISSUED).values_list("village_code", flat=True),
    )
    tally(
        "added",
        changes_today.filter(kind=ChangeKind.DISEASE_ADDED).values_list("village_code", flat=True),
    )
    tally(
        "poor",
        within(scoped(Person.objects.filter(status__in=ACTIVE_STATUSES), user)).values_list(
            "village_code", flat=True
        ),
    )
    tally(
        "notified_total",
        within(scoped(Notice.objects.filter(notified_on__lte=day), user)).values_list(
            "village_code", flat=True
        ),
    )
    tally("applied_total", apps.filter(applied_on__lte=day).values_list("village_code", flat=True))
    tally(
        "in_notice",
        apps.filter(Q(notice_start__lte=day, notice_end__gte=day), approved=True)
        .exclude(closed_on__lt=day)
        .values_list("village_code", flat=True),
    )
    tally(
        "certified_total",
        within(scoped(Certificate.objects.filter(issued_on__lte=day), user))
        .exclude(revoked_on__lte=day)
        .values_list("village_code", flat=True),
    )
    units = sorted(set().union(*counts.values()))
    names = dict(Area.objects.filter(code__in=units).values_list("code", "name"))
    rows = [
        {
            "code": u,
            "name": names.get(u, "（未知区划）"),
            **{k: counts[k][u] for k, _ in REPORT_COLUMNS},
        }
        for u in units
    ]
    total = {
        "code": area_code,
        "name": "合计",
        **{k: sum(counts[k].values()) for k, _ in REPORT_COLUMNS},
    }
    return rows, total


def pending_objections(user: User) -> QuerySet:
    return objections(user).filter(status=ObjectionStatus.OPEN)


def submissions(user: User, day: dt.date) -> list[dict]:
    """报送情况: every township of the user's area for `day`, with its submission or None."""
    sent = {
        s.area_code[: CODE_LENGTH[Level.TOWNSHIP]]: s
        for s in scoped(ReportSubmission.objects.filter(day=day), user).select_related(
            "submitted_by"
        )
    }
    towns = scoped_townships(user)
    return [{"code": t.code, "name": t.name, "submission": sent.get(t.code)} for t in towns]


def scoped_townships(user: User) -> list[Area]:
    from fupin.access.scope import area_code_of

    code = area_code_of(user)
    qs = Area.objects.filter(level=Level.TOWNSHIP).order_by("code")
    return list(qs.filter(code__startswith=code) if code else qs)
