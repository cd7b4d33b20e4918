"""Writes of the employment module: one transaction each, area-checked, audited, and every
measure about a person leaves a ledger entry (台账)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest

from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import require_area, require_writer, shared_readable
from fupin.assistance.models import MeasureKind
from fupin.assistance.services import complete_planned, log
from fupin.months import month_end, month_start
from fupin.policy.employment import default_pack_id, rules
from fupin.registry.models import Person

from .models import (
    REFERRAL_TRANSITIONS,
    Employer,
    EmployerKind,
    EmploymentCheck,
    FairAttendance,
    FollowUpVisit,
    JobFair,
    Posting,
    Recommendation,
    RecommendationBatch,
    Referral,
    ReferralStatus,
    VisitKind,
    WelfareSubsidy,
)


class EmploymentError(ValueError):
    """A refused action, with the reason in Chinese."""


def _kind_of(posting: Posting) -> str:
    return {
        EmployerKind.WELFARE: MeasureKind.WELFARE_POST,
        EmployerKind.WORKSHOP: MeasureKind.WORKSHOP,
    }.get(posting.employer.kind, MeasureKind.REFERRAL)


@transaction.atomic
def save_employer(
    *, user: User, form: forms.ModelForm, request: HttpRequest | None = None
) -> Employer:
    require_writer(user)
    if form.instance.pk:
        require_area(user, type(form.instance).objects.get(pk=form.instance.pk).area_code)
    require_area(user, form.cleaned_data["area_code"])
    creating = form.instance.pk is None
    employer = form.save()
    record(
        AuditAction.CREATE if creating else AuditAction.UPDATE,
        user=user,
        request=request,
        obj=employer,
        summary=f"用人单位 {employer.name}",
    )
    return employer


@transaction.atomic
def save_posting(
    *, user: User, form: forms.ModelForm, request: HttpRequest | None = None
) -> Posting:
    require_writer(user)
    if form.instance.pk:
        require_area(user, Posting.objects.get(pk=form.instance.pk).area_code)
    require_area(user, form.cleaned_data["employer"].area_code)
    creating = form.instance.pk is None
    posting = form.save()
    record(
        AuditAction.CREATE if creating else AuditAction.UPDATE,
        user=user,
        request=request,
        obj=posting,
        summary=f"岗位 {posting}",
    )
    return posting


@transaction.atomic
def refer(
    *,
    user: User,
    person: Person,
    posting: Posting,
    day: dt.date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """推荐就业: send a person to a posting's employer."""
    require_writer(user)
    require_area(user, person.village_code)
    if not shared_readable(Posting.objects.filter(pk=posting.pk), user).exists():
        raise EmploymentError("岗位不存在")
    day = day or dt.date.today()
    if not posting.is_open(day):
        raise EmploymentError("该岗位已截止或已招满，不能推荐")
    age = person.age_on(day)
    if not posting.age_min <= age <= posting.age_max:
        raise EmploymentError(f"年龄{age}岁不符合岗位要求（{posting.age_min}–{posting.age_max}岁）")
    if (person.health == "disabled" or person.disability_grade) and not posting.accepts_disabled:
        raise EmploymentError("该岗位不接收残疾人")
    if person.labour_skill == "weak" and posting.physical == "heavy":
        raise EmploymentError("弱劳动力不能推荐重体力岗位")
    try:
        with transaction.atomic():
            r = Referral.objects.create(
                person=person,
                village_code=person.village_code,
                posting=posting,
                referred_on=day,
                note=note,
                created_by=user,
            )
    except IntegrityError:
        raise EmploymentError("已向该岗位推荐过此人，且推荐尚未结束") from None
    log(
        person=person,
        kind=MeasureKind.REFERRAL,
        summary=f"推荐至 {posting.employer.name}“{posting.title}”",
        day=day,
        obj=r,
        user=user,
    )
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=r,
        summary=f"推荐就业 {person.name} → {posting}",
    )
    return r


@transaction.atomic
def advance(
    *,
    user: User,
    referral: Referral,
    status: str,
    day: dt.date | None = None,
    wage_fen: int | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """面试 / 上岗 / 未录用 / 离岗. Losing a job puts the person back on the recommendation list."""
    require_writer(user)
    require_area(user, referral.village_code)
    referral = (
        Referral.objects.select_for_update()
        .select_related("posting", "posting__employer", "person")
        .get(pk=referral.pk)
    )
    day = day or dt.date.today()
    if status not in REFERRAL_TRANSITIONS.get(referral.status, set()):
        raise EmploymentError(
            f"不能从“{referral.get_status_display()}”变为“{ReferralStatus(status).label}”"
        )
    old = referral.status
    posting = referral.posting
    if status == ReferralStatus.HIRED:
        took = Posting.objects.filter(pk=posting.pk, filled__lt=F("positions")).update(
            filled=F("filled") + 1
        )
        if not took:
            raise EmploymentError("该岗位已招满")
        referral.hired_on, referral.wage_fen = (
            day,
            wage_fen or (posting.wage_min_fen + posting.wage_max_fen) // 2,
        )
        Recommendation.objects.filter(person_id=referral.person_id, current=True).update(
            current=False
        )
    elif status == ReferralStatus.INTERVIEW:
        referral.interview_on = day
    elif status == ReferralStatus.LEFT:
        Posting.objects.filter(pk=posting.pk, filled__gt=0).update(filled=F("filled") - 1)
        referral.ended_on = day
    referral.status = status
    if note:
        referral.note = note[:200]
    referral.save()
    person = referral.person
    text = {
        ReferralStatus.INTERVIEW: "参加面试",
        ReferralStatus.HIRED: f"上岗，月工资{(referral.wage_fen or 0) // 100}元",
        ReferralStatus.DECLINED: "未被录用",
        ReferralStatus.LEFT: "离岗（失业），重新纳入岗位推荐",
    }[status]
    log(
        person=person,
        kind=_kind_of(posting),
        summary=f"{posting.employer.name}“{posting.title}”：{text}",
        day=day,
        obj=referral,
        user=user,
    )
    if status == ReferralStatus.HIRED:
        complete_planned(person=person, kind=_kind_of(posting), day=day)
        complete_planned(person=person, kind=MeasureKind.REFERRAL, day=day)
    record(
        AuditAction.STATUS,
        user=user,
        request=request,
        obj=referral,
        summary=f"推荐就业 {person.name}：{text}",
        changes={"status": [old, status]},
    )
    if status in (ReferralStatus.LEFT, ReferralStatus.DECLINED):
        from .recommend import recommend_again_after_commit

        recommend_again_after_commit(person, user=user)  # 避免因失业返贫
    return referral


@transaction.atomic
def check_employment(
    *,
    user: User,
    referral: Referral,
    still_employed: bool,
    day: dt.date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> EmploymentCheck:
    """在岗核查; a failed check ends the placement and recommends again."""
    require_writer(user)
    require_area(user, referral.village_code)
    if referral.status != ReferralStatus.HIRED:
        raise EmploymentError("只有已上岗的人员才做在岗核查")
    day = day or dt.date.today()
    c = EmploymentCheck.objects.create(
        referral=referral,
        village_code=referral.village_code,
        checked_on=day,
        still_employed=still_employed,
        note=note,
        checked_by=user,
    )
    log(
        person=referral.person,
        kind=MeasureKind.FOLLOW_UP,
        day=day,
        obj=c,
        user=user,
        summary=(
            f"在岗核查（{referral.posting.employer.name}）："
            f"{'仍在岗' if still_employed else '已不在岗'} {note}"
        ).strip(),
    )
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=c,
        summary=f"在岗核查 {referral.person.name}",
    )
    if not still_employed:
        advance(
            user=user,
            referral=referral,
            status=ReferralStatus.LEFT,
            day=day,
            note=note,
            request=request,
        )
    return c


@transaction.atomic
def record_visit(
    *,
    user: User,
    person: Person,
    day: dt.date | None = None,
    kind: str = "home",
    employed: bool = False,
    needs: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> FollowUpVisit:
    """跟踪回访."""
    require_writer(user)
    require_area(user, person.village_code)
    if kind not in VisitKind.values:
        raise EmploymentError("回访方式应为入户回访（home）或电话回访（phone）")
    day = day or dt.date.today()
    v = FollowUpVisit.objects.create(
        person=person,
        village_code=person.village_code,
        visited_on=day,
        kind=kind,
        employed=employed,
        needs=needs,
        note=note,
        visited_by=user,
    )
    log(
        person=person,
        kind=MeasureKind.FOLLOW_UP,
        day=day,
        obj=v,
        user=user,
        summary=f"{v.get_kind_display()}：{'已就业' if employed else '未就业'}"
        f"{'；需求：' + needs if needs else ''}{'；' + note if note else ''}",
    )
    complete_planned(person=person, kind=MeasureKind.FOLLOW_UP, day=day)
    record(AuditAction.CREATE, user=user, request=request, obj=v, summary=f"跟踪回访 {person.name}")
    return v


@transaction.atomic
def save_fair(*, user: User, form: forms.ModelForm, request: HttpRequest | None = None) -> JobFair:
    require_writer(user)
    require_area(user, form.cleaned_data["area_code"])
    for employer in form.cleaned_data["employers"]:
        require_area(
            user, employer.area_code
        )  # a township attaches only its own employers (and their postings)
    creating = form.instance.pk is None
    fair = form.save()
    record(
        AuditAction.CREATE if creating else AuditAction.UPDATE,
        user=user,
        request=request,
        obj=fair,
        summary=f"招聘会 {fair.title}",
    )
    return fair


@transaction.atomic
def attend_fair(
    *,
    user: User,
    fair: JobFair,
    person: Person,
    outcome: str = "attended",
    request: HttpRequest | None = None,
) -> FairAttendance:
    require_writer(user)
    require_area(user, person.village_code)
    a, _ = FairAttendance.objects.update_or_create(
        fair=fair, person=person, defaults={"village_code": person.village_code, "outcome": outcome}
    )
    log(
        person=person,
        kind=MeasureKind.FAIR,
        day=fair.held_on,
        obj=a,
        user=user,
        summary=f"参加{fair.title}（{fair.place}）：{a.get_outcome_display()}",
    )
    complete_planned(person=person, kind=MeasureKind.FAIR, day=fair.held_on)
    record(
        AuditAction.CREATE, user=user, request=request, obj=a, summary=f"招聘会签到 {person.name}"
    )
    return a


@transaction.atomic
def grant_welfare_subsidies(
    *,
    user: User,
    placements: QuerySet[Referral],
    month: dt.date,
    request: HttpRequest | None = None,
) -> int:
    """公益性岗位补贴 for one month: every welfare placement in post during that month, once."""
    require_writer(user)
    month = month_start(month)
    pack_id = default_pack_id()
    amount = rules(pack_id).welfare_post_monthly_subsidy.value
    if amount is None:
        raise EmploymentError(f"政策包 {pack_id} 未规定公益性岗位补贴标准")
    end = month_end(month)
    rows = [
        WelfareSubsidy(
            referral=r,
            person_id=r.person_id,
            village_code=r.village_code,
            month=month,
            amount_fen=amount,
            pack_id=pack_id,
        )
        for r in placements.filter(posting__employer__kind=EmployerKind.WELFARE, hired_on__lte=end)
        .exclude(ended_on__lt=month)
        .exclude(
            status__in=[ReferralStatus.REFERRED, ReferralStatus.INTERVIEW, ReferralStatus.DECLINED]
        )
        .exclude(welfare_subsidies__month=month)
    ]
    WelfareSubsidy.objects.bulk_create(rows)
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        object_type="welfaresubsidy",
        object_id=f"{month:%Y-%m}",
        summary=f"生成公益性岗位补贴 {month:%Y年%m月} {len(rows)} 人",
    )
    return len(rows)


def start_batch(*, user: User, area_code: str) -> RecommendationBatch:
    """批量推荐: record the batch and queue its run once the row is committed (the page polls it)."""
    from .recommend import run_batch

    require_writer(user)
    batch = RecommendationBatch.objects.create(
        area_code=area_code.ljust(12, "0"), requested_by=user
    )
    transaction.on_commit(lambda: run_batch.enqueue(batch.pk, user.pk, area_code))
    return batch
