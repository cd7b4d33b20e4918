"""岗位推荐: from the registry and the postings to NumPy columns, through the matching engine,
and back as Recommendation rows with Chinese reasons. Also the county batch task."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from fupin import liveness
from fupin.access.models import User
from fupin.access.scope import acting_user, require_area, scoped, shared_readable
from fupin.areas.models import village_code_range
from fupin.policy.employment import rules
from fupin.registry.choices import ACTIVE_STATUSES, Health, Intention, LabourSkill, Schooling
from fupin.registry.models import Person

from . import matching as mt
from .models import (
    BatchStatus,
    EmployerKind,
    Posting,
    Recommendation,
    RecommendationBatch,
    ReferralStatus,
)

# (rank, posting, score, reasons) of one person's recommendation
Offer = tuple[int, Posting, float, str]

INTENTIONS = {
    Intention.LOCAL: mt.LOCAL,
    Intention.MIGRATE: mt.MIGRATE,
    Intention.STARTUP: mt.STARTUP,
}
PHYSICAL = {"light": mt.LIGHT, "normal": mt.NORMAL, "heavy": mt.HEAVY}
SCHEDULE = {"full_time": mt.FULL_TIME, "seasonal": mt.SEASONAL, "home_based": mt.HOME_BASED}
WORKING_SKILLS = (LabourSkill.GENERAL, LabourSkill.SKILLED, LabourSkill.WEAK)


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def eligible(persons: QuerySet, day: dt.date) -> QuerySet:
    """Working-age persons with labour capacity and an employment intention, not in work we placed."""
    age = rules().working_age.value
    return persons.filter(
        status__in=ACTIVE_STATUSES,
        labour_skill__in=WORKING_SKILLS,
        intention__in=list(INTENTIONS),
        schooling=Schooling.NONE,
        birth_date__lte=years_before(day, age.min),
        birth_date__gt=years_before(day, age.max + 1),
    ).exclude(referrals__status=ReferralStatus.HIRED)


def open_postings(day: dt.date, user: User) -> QuerySet[Posting]:
    """Postings open on `day` with positions left that `user` may read (the county's public job information)."""
    from django.db.models import F

    return shared_readable(
        Posting.objects.filter(opens_on__lte=day, closes_on__gte=day, filled__lt=F("positions")),
        user,
    ).select_related("employer", "occupation")


class Trades:
    """Trade names → small integers shared by seekers and postings."""

    def __init__(self):
        self.ids: dict[str, int] = {}

    def __call__(self, name: str) -> int:
        if not name:
            return -1
        return self.ids.setdefault(name, len(self.ids))


def posting_columns(postings: list[Posting], day: dt.date, trades: Trades) -> mt.Postings:
    n = len(postings)
    col = np.array
    return mt.Postings(
        area=col([int(p.work_area_code) for p in postings], dtype=np.int64).reshape(n),
        age_min=col([p.age_min for p in postings], dtype=np.int16).reshape(n),
        age_max=col([p.age_max for p in postings], dtype=np.int16).reshape(n),
        physical=col([PHYSICAL[p.physical] for p in postings], dtype=np.int8).reshape(n),
        accepts_disabled=col([p.accepts_disabled for p in postings], dtype=bool).reshape(n),
        available=col([p.is_open(day) for p in postings], dtype=bool).reshape(n),
        schedule=col([SCHEDULE[p.schedule] for p in postings], dtype=np.int8).reshape(n),
        welfare=col(
            [p.employer.kind == EmployerKind.WELFARE for p in postings], dtype=bool
        ).reshape(n),
        wage=col(
            [(p.wage_min_fen + p.wage_max_fen) // 2 for p in postings], dtype=np.int64
        ).reshape(n),
        trade=col([trades(p.trade) for p in postings], dtype=np.int32).reshape(n),
        requires_skill=col([p.requires_skill for p in postings], dtype=bool).reshape(n),
    )


def seeker_columns(people: list[Person], day: dt.date, trades: Trades) -> mt.Seekers:
    from fupin.training.models import Enrolment, EnrolmentStatus

    trained: dict[int, str] = dict(
        Enrolment.objects.filter(
            person__in=[p.pk for p in people], status=EnrolmentStatus.COMPLETED
        )
        .order_by("person_id", "completed_on")
        .values_list("person_id", "course__trade")
    )
    n = len(people)
    col = np.array
    return mt.Seekers(
        area=col([int(p.village_code) for p in people], dtype=np.int64).reshape(n),
        age=col([p.age_on(day) for p in people], dtype=np.int16).reshape(n),
        intention=col([INTENTIONS[p.intention] for p in people], dtype=np.int8).reshape(n),
        weak=col([p.labour_skill == LabourSkill.WEAK for p in people], dtype=bool).reshape(n),
        disabled=col(
            [p.health == Health.DISABLED or bool(p.disability_grade) for p in people], dtype=bool
        ).reshape(n),
        skilled=col([p.labour_skill == LabourSkill.SKILLED for p in people], dtype=bool).reshape(n),
        trade=col(
            [trades(trained.get(p.pk) or p.wished_trade) for p in people], dtype=np.int32
        ).reshape(n),
        trained=col([p.pk in trained for p in people], dtype=bool).reshape(n),
    )


def yuan(fen: int) -> str:
    return f"{fen // 100:,}"


def reason_text(
    person: Person, posting: Posting, level: int, flags: int, trained_trade: str
) -> str:
    parts = [f"工作地{mt.LEVEL_NAMES[level]}·{posting.work_place}"]
    if person.intention in (Intention.LOCAL, Intention.STARTUP) and level <= mt.SAME_COUNTY:
        parts[0] += "，符合就地就近意愿"
    elif person.intention == Intention.MIGRATE and level >= mt.SAME_CITY:
        parts[0] += "，符合外出转移意愿"
    parts.append(f"年龄符合（{posting.age_min}–{posting.age_max}岁）")
    if flags & mt.R_LIGHT_FOR_WEAK:
        parts.append("轻体力，适合弱劳动力")
    if flags & mt.R_HOME_BASED:
        parts.append("居家就业")
    if flags & mt.R_WELFARE_FLOOR:
        parts.append("公益性岗位托底安置")
    if flags & mt.R_DISABLED_OK:
        parts.append("接收残疾人")
    if flags & mt.R_TRADE_TRAINED:
        parts.append(f"与已完成的“{trained_trade}”培训对口")
    if flags & mt.R_TRADE_WISHED:
        parts.append(f"与意向工种“{person.wished_trade}”相符")
    if flags & mt.R_SKILLED:
        parts.append("技能岗位，发挥技能专长")
    wage = f"月薪{yuan(posting.wage_min_fen)}–{yuan(posting.wage_max_fen)}元"
    parts.append(wage + ("，待遇较高" if flags & mt.R_GOOD_WAGE else ""))
    if posting.lodging:
        parts.append("提供食宿")
    return "；".join(parts)[:300]


def rank(
    people: list[Person], day: dt.date, postings: list[Posting], k: int | None = None
) -> list[tuple[Person, list[Offer]]]:
    """[(person, [(rank, posting, score, reasons)])] for the given persons over the given postings."""
    k = k or rules().recommendations_per_person.value
    trades = Trades()
    pcols = posting_columns(postings, day, trades)
    scols = seeker_columns(people, day, trades)
    matcher = mt.Matcher(pcols)
    idx, score = matcher.top_k(scols, k=k)
    level, flags = matcher.reasons(scols, idx)
    names = {v: n for n, v in trades.ids.items()}
    out = []
    for i, person in enumerate(people):
        trained_trade = names.get(int(scols.trade[i]), "") if scols.trained[i] else ""
        offers = [
            (
                r + 1,
                postings[j],
                float(score[i, r]),
                reason_text(person, postings[j], int(level[i, r]), int(flags[i, r]), trained_trade),
            )
            for r, j in enumerate(idx[i])
            if j >= 0
        ]
        out.append((person, offers))
    return out


@transaction.atomic
def store(
    ranked: list[tuple[Person, list[Offer]]], day: dt.date, batch: RecommendationBatch | None = None
) -> int:
    """Replace the persons' current recommendations with these; older ones stay as history."""
    ids = [p.pk for p, _ in ranked]
    for start in range(0, len(ids), 5000):
        Recommendation.objects.filter(person_id__in=ids[start : start + 5000], current=True).update(
            current=False
        )
    rows = [
        Recommendation(
            person=p,
            village_code=p.village_code,
            posting=posting,
            batch=batch,
            rank=r,
            score=round(s, 4),
            reasons=why,
            current=True,
            created_on=day,
        )
        for p, offers in ranked
        for r, posting, s, why in offers
    ]
    Recommendation.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def recommend_persons(
    persons: QuerySet[Person],
    day: dt.date | None = None,
    batch: RecommendationBatch | None = None,
    *,
    user: User,
) -> tuple[int, int, int]:
    """Rank and store, as `user`, for every eligible person of `persons` inside the user's area over
    the postings the user may read: (seekers, offers written, short of k)."""
    day = day or timezone.localdate()
    k = rules().recommendations_per_person.value
    persons = scoped(persons, user)
    people = list(eligible(persons, day).order_by("id"))
    postings = list(open_postings(day, user))
    if batch is not None:
        batch.seekers, batch.postings = len(people), len(postings)
        batch.save(update_fields=["seekers", "postings"])
    ranked = rank(people, day, postings, k)
    # Persons no longer eligible (hired, moved on, aged out) keep theirs only as history.
    Recommendation.objects.filter(current=True, person__in=persons.values("pk")).update(
        current=False
    )
    written = store(ranked, day, batch)
    short = sum(1 for _, offers in ranked if len(offers) < k)
    return len(people), written, short


def recommend_person(person: Person, day: dt.date | None = None, *, user: User) -> int:
    """Recommend again for one person (on request), as `user`."""
    return recommend_persons(Person.objects.filter(pk=person.pk), day, user=user)[1]


class _AgainAfterCommit:
    """The persons of one transaction to recommend again once it commits, per acting user."""

    def __init__(self):
        self.persons: dict[int, tuple[object, set[int]]] = {}
        self.done = False

    def run(self) -> None:
        self.done = True
        for user, ids in self.persons.values():
            recommend_persons(Person.objects.filter(pk__in=ids), user=user)


def recommend_again_after_commit(person: Person, *, user: User) -> None:
    """Recommend again for `person` when the transaction commits (after losing a job: 避免因失业返贫).

    Everyone queued in one transaction (a page or import that ends several placements, the demo
    builder) is ranked in one run over one load of the open postings, not a load per person."""
    conn = transaction.get_connection()
    queue = getattr(conn, "fupin_recommend_again", None)
    # A queue whose callback ran, or was dropped with a rolled-back transaction, is not reused.
    live = (
        queue is not None
        and not queue.done
        and any(func == queue.run for _, func, _ in conn.run_on_commit)
    )
    if not live:
        queue = conn.fupin_recommend_again = _AgainAfterCommit()
    queue.persons.setdefault(user.pk, (user, set()))[1].add(person.pk)
    if not live:
        transaction.on_commit(queue.run)  # outside a transaction this runs at once


def area_persons(code: str) -> QuerySet:
    return Person.objects.filter(village_code__range=village_code_range(code))


BATCH_LIVENESS = "employment.recommendationbatch"  # the lock a process holds while it runs a batch
BATCH_ABANDONED = (
    "批量推荐时后台进程意外退出（如内存耗尽或进程被终止），本次推荐未完成：请重新提交批量推荐。"
)


@task()
def run_batch(batch_id: int, user_id: int, area: str, day: str | None = None) -> int:
    """批量推荐 for a whole area (6, 9 or 12 digits), as a background task acting for `user_id`
    (refused unless the area lies in that user's area); progress in RecommendationBatch.

    Holds the batch's lock (`fupin.liveness`) until its final state is saved, so a batch whose
    worker died is recognised (`recover_abandoned`) instead of "running" for ever."""
    try:
        with liveness.holding(BATCH_LIVENESS, batch_id):
            return _run_batch(batch_id, user_id, area, day)
    except liveness.AlreadyRunning:
        return 0  # another live process runs this very batch (enqueued twice)


def _run_batch(batch_id: int, user_id: int, area: str, day: str | None) -> int:
    batch = RecommendationBatch.objects.get(pk=batch_id)
    batch.status = BatchStatus.RUNNING
    batch.save(update_fields=["status"])
    started = time.perf_counter()
    try:
        user = acting_user(user_id, area)
        require_area(user, batch.area_code)
        when = dt.date.fromisoformat(day) if day else None
        _, batch.written, batch.short = recommend_persons(
            area_persons(area), when, batch, user=user
        )
        batch.status = BatchStatus.DONE
    except Exception as exc:  # the page shows the failure instead of a stuck job
        batch.status, batch.error = BatchStatus.FAILED, str(exc)[:1000]
    batch.seconds = round(time.perf_counter() - started, 2)
    batch.finished_at = timezone.now()
    batch.save()
    return batch.written


def recover_abandoned(batch: RecommendationBatch) -> bool:
    """A batch left "running" by a process that died is failed with the reason; True if it was."""
    if batch.status != BatchStatus.RUNNING or liveness.held(BATCH_LIVENESS, batch.pk):
        return False
    changed = RecommendationBatch.objects.filter(pk=batch.pk, status=BatchStatus.RUNNING).update(
        status=BatchStatus.FAILED, error=BATCH_ABANDONED, finished_at=timezone.now()
    )
    if changed:
        batch.refresh_from_db()
    return bool(changed)
