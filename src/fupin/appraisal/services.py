"""Writes of the chronic-disease appraisal (慢性病鉴定): each step one transaction, the application
or certificate row locked (select_for_update) before its stage is read, every step audited, every
refusal an AppraisalError with the reason in Chinese."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from fupin import bounds
from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import area_code_of, require_area, require_writer
from fupin.areas.models import CODE_LENGTH, Area, Level, village_code_range
from fupin.months import quarter_of
from fupin.registry.choices import ACTIVE_STATUSES
from fupin.registry.models import Person

from .models import (
    OPEN_STAGES,
    TRANSITIONS,
    Applicant,
    Application,
    AppraisalRound,
    Certificate,
    CertificateChange,
    CertificateStatus,
    ChangeKind,
    Hospital,
    Notice,
    NoticeWay,
    Objection,
    ObjectionStatus,
    ReportSubmission,
    Stage,
    diseases_list,
    diseases_text,
)
from .rules import rules

COUNTY_DIGITS = CODE_LENGTH[Level.COUNTY]
MAX_DISEASE_CHARS = 30
MAX_DISEASES = 10


class AppraisalError(ValueError):
    """Refused, with the reason in Chinese."""


# -- checks ----------------------------------------------------------------------------------------
def _today() -> dt.date:
    return timezone.localdate()


def _date(day: object, label: str, *, future: bool = False) -> dt.date:
    """A date inside fupin's range; an event that has happened may not lie after today."""
    try:
        day = bounds.parse_date(day, label)
    except bounds.BoundsError as exc:
        raise AppraisalError(str(exc)) from None
    if not future and day > _today():
        raise AppraisalError(f"{label} {day:%Y-%m-%d} 晚于今天，不能登记尚未发生的事")
    return day


def _text(value: object, label: str, limit: int, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise AppraisalError(f"{label}应为文本")
    value = value.strip()
    if "\x00" in value:  # PostgreSQL refuses NUL in text: a Chinese refusal, not a 500
        raise AppraisalError(f"{label}含有无效字符（空字符）")
    if required and not value:
        raise AppraisalError(f"请填写{label}")
    if len(value) > limit:
        raise AppraisalError(f"{label}过长：最多 {limit} 个字")
    return value


def _diseases(value: object, label: str = "病种") -> list[str]:
    """A list of disease names, or one text with names separated by 、，, or spaces."""
    if isinstance(value, str):
        for sep in "，,;；/ \n":
            value = value.replace(sep, "、")
        value = diseases_list(value)
    if not isinstance(value, list | tuple) or not all(isinstance(d, str) for d in value):
        raise AppraisalError(f"{label}应为病种名称的列表")
    names = list(dict.fromkeys(d.strip() for d in value if d.strip()))
    if not names:
        raise AppraisalError(f"请填写{label}")
    if len(names) > MAX_DISEASES:
        raise AppraisalError(f"{label}最多 {MAX_DISEASES} 种")
    for name in names:
        if "\x00" in name:
            raise AppraisalError(f"{label}含有无效字符（空字符）")
        if len(name) > MAX_DISEASE_CHARS or "、" in name:
            raise AppraisalError(f"{label}“{name[:20]}”过长：每个病种最多 {MAX_DISEASE_CHARS} 个字")
    return names


def _class(code: object, label: str = "慢性病类别") -> str:
    r = rules()
    if not isinstance(code, str) or code not in r.classes.value:
        allowed = "、".join(f"{c}（{n}）" for c, n in r.choices())
        raise AppraisalError(f"{label}“{str(code)[:10]}”不存在，应为 {allowed}")
    return code


def _move(app: Application, to: str) -> None:
    if to not in TRANSITIONS[app.stage]:
        raise AppraisalError(f"此申请处于“{app.get_stage_display()}”，不能改为“{Stage(to).label}”")
    app.stage = to


def _locked(app: Application) -> Application:
    """The application re-read under a row lock: two clerks acting at once take turns, and the
    second sees the first one's stage."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("person", "round")
        .get(pk=app.pk)
    )


def _county_user(user: User) -> str:
    code = area_code_of(user)
    if code is not None and len(code) != COUNTY_DIGITS:
        raise AppraisalError("季度鉴定批次由县级统一安排，乡镇、村不能安排")
    return code or ""


# -- 鉴定通知 --------------------------------------------------------------------------------------
@transaction.atomic
def notify(
    *,
    user: User,
    person: Person,
    day: dt.date | str | None = None,
    way: str = NoticeWay.VISIT,
    note: str = "",
    request: HttpRequest | None = None,
) -> Notice:
    """Tell one poor person of the appraisal (下发鉴定通知)."""
    require_writer(user)
    require_area(user, person.village_code)
    day = _date(day or _today(), "通知日期")
    if way not in NoticeWay.values:
        raise AppraisalError("通知方式无效，应为 " + "、".join(NoticeWay.labels))
    if person.status not in ACTIVE_STATUSES:
        raise AppraisalError(
            f"{person.name}不是在册扶贫对象（{person.get_status_display()}），不需通知"
        )
    try:
        with transaction.atomic():
            n = Notice.objects.create(
                person=person,
                village_code=person.village_code,
                notified_on=day,
                way=way,
                note=_text(note, "备注", 200, required=False),
                notified_by=user,
            )
    except IntegrityError:
        first = Notice.objects.get(person=person)
        raise AppraisalError(f"{person.name}已于 {first.notified_on:%Y-%m-%d} 通知") from None
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=n,
        summary=f"慢性病鉴定通知 {person.name}（{n.get_way_display()}）",
    )
    return n


@transaction.atomic
def notify_village(
    *,
    user: User,
    village_code: str,
    day: dt.date | str | None = None,
    way: str = NoticeWay.MEETING,
    request: HttpRequest | None = None,
) -> int:
    """Notify every poor person of a village not notified yet, in one statement; returns how many."""
    require_writer(user)
    if (
        not isinstance(village_code, str)
        or not village_code.isdigit()
        or not Area.objects.filter(code=village_code, level=Level.VILLAGE).exists()
    ):
        raise AppraisalError("请选择一个村")
    require_area(user, village_code)
    day = _date(day or _today(), "通知日期")
    if way not in NoticeWay.values:
        raise AppraisalError("通知方式无效，应为 " + "、".join(NoticeWay.labels))
    people = (
        Person.objects.filter(village_code=village_code, status__in=ACTIVE_STATUSES)
        .exclude(appraisal_notices__isnull=False)
        .values_list("id", flat=True)
    )
    ids = list(people)
    Notice.objects.bulk_create(
        [
            Notice(
                person_id=pk, village_code=village_code, notified_on=day, way=way, notified_by=user
            )
            for pk in ids
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    name = Area.objects.get(code=village_code).name
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        object_type="notice",
        object_id=village_code,
        area_code=village_code,
        summary=f"慢性病鉴定通知：{name} {len(ids)} 人（{NoticeWay(way).label}，{day:%Y-%m-%d}）",
    )
    return len(ids)


# -- 申请 ------------------------------------------------------------------------------------------
def _next_round(county: str, day: dt.date) -> AppraisalRound | None:
    return (
        AppraisalRound.objects.filter(area_code__range=village_code_range(county), held_on__gte=day)
        .order_by("held_on", "id")
        .first()
    )


@transaction.atomic
def apply(
    *,
    user: User,
    person: Person,
    chronic_class: str,
    diseases: str | list[str],
    day: dt.date | str | None = None,
    applicant: str = Applicant.SELF,
    home_appraisal: bool = False,
    home_reason: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> Application:
    """鉴定申请, by the person or a village assistant on his behalf. A 乙类 application waits for the
    county's next quarterly round; a certificate holder's application adds new diseases (动态管理)."""
    require_writer(user)
    require_area(user, person.village_code)
    r = rules()
    chronic_class = _class(chronic_class, "申请类别")
    names = _diseases(diseases, "申报病种")
    day = _date(day or _today(), "申请日期")
    if applicant not in Applicant.values:
        raise AppraisalError("申请方式无效，应为 " + "、".join(Applicant.labels))
    if not isinstance(home_appraisal, bool):
        raise AppraisalError("上门鉴定应为是或否")
    home_reason = _text(home_reason, "上门鉴定原因", 100, required=home_appraisal)
    if home_appraisal and not r.home_appraisal.value:
        raise AppraisalError("本县政策包未规定上门鉴定")
    note = _text(note, "备注", 200, required=False)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.status not in ACTIVE_STATUSES:
        raise AppraisalError(
            f"{person.name}不是在册扶贫对象（{person.get_status_display()}），不能申请鉴定"
        )
    if day < person.birth_date:
        raise AppraisalError("申请日期早于出生日期")
    open_app = Application.objects.filter(person=person, stage__in=OPEN_STAGES).first()
    if open_app is not None:
        raise AppraisalError(
            f"{person.name}已有未办结的鉴定申请（{open_app.applied_on:%Y-%m-%d}，{open_app.get_stage_display()}）"
        )
    cert = Certificate.objects.filter(person=person, status=CertificateStatus.VALID).first()
    if cert is not None:
        held = set(cert.disease_list)
        if already := [d for d in names if d in held]:
            raise AppraisalError(
                f"{'、'.join(already)}已在医疗证 {cert.number} 上，只需申报新增病种"
            )
    if len(diseases_text(names)) > Application._meta.get_field("diseases").max_length:
        raise AppraisalError("申报病种过多")
    quarterly = r.quarterly(chronic_class)
    app = Application.objects.create(
        person=person,
        village_code=person.village_code,
        chronic_class=chronic_class,
        diseases=diseases_text(names),
        applied_on=day,
        applicant=applicant,
        home_appraisal=home_appraisal,
        home_reason=home_reason,
        note=note,
        submitted_by=user,
        stage=Stage.WAITING if quarterly else Stage.APPLIED,
        amends=cert,
        round=_next_round(person.village_code[:COUNTY_DIGITS], day) if quarterly else None,
    )
    what = "新增病种" if cert else "鉴定申请"
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=app,
        summary=f"慢性病{what} {person.name}：{r.class_name(chronic_class)} "
        f"{app.diseases}（{app.get_applicant_display()}"
        f"{'，上门鉴定' if home_appraisal else ''}）",
    )
    return app


@transaction.atomic
def withdraw(
    *,
    user: User,
    application: Application,
    day: dt.date | str | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Application:
    require_writer(user)
    require_area(user, application.village_code)
    app = _locked(application)
    day = _date(day or _today(), "撤回日期")
    _move(app, Stage.WITHDRAWN)
    app.closed_on, app.note = day, _text(reason, "撤回原因", 200, required=False) or app.note
    app.save(update_fields=["stage", "closed_on", "note"])
    record(
        AuditAction.STATUS,
        user=user,
        request=request,
        obj=app,
        summary=f"撤回慢性病鉴定申请 {app.person.name}",
    )
    return app


# -- 季度鉴定批次 -----------------------------------------------------------------------------------
@transaction.atomic
def plan_round(
    *,
    user: User,
    held_on: dt.date | str,
    place: str,
    experts: str = "",
    request: HttpRequest | None = None,
) -> tuple[AppraisalRound, int]:
    """A quarterly 乙类 round of the county on a date; the waiting applications made by then join it.
    Returns the round and how many applications joined."""
    require_writer(user)
    county = _county_user(user) or None
    held_on = _date(held_on, "鉴定日期", future=True)
    place = _text(place, "鉴定地点", 100)
    experts = _text(experts, "鉴定专家/机构", 200, required=False)
    if county is None:
        raise AppraisalError("请以县级账号安排季度鉴定批次")
    quarter = quarter_of(held_on)
    code = county.ljust(12, "0")
    if AppraisalRound.objects.filter(area_code=code, year=held_on.year, quarter=quarter).exists():
        raise AppraisalError(
            f"{held_on.year}年第{'一二三四'[quarter - 1]}季度已安排乙类鉴定（乙类病种每季度鉴定一次）"
        )
    try:
        with transaction.atomic():
            rnd = AppraisalRound.objects.create(
                area_code=code,
                year=held_on.year,
                quarter=quarter,
                held_on=held_on,
                place=place,
                experts=experts,
                created_by=user,
            )
    except IntegrityError:
        raise AppraisalError("本季度已安排乙类鉴定") from None
    joined = Application.objects.filter(
        stage=Stage.WAITING,
        round__isnull=True,
        applied_on__lte=held_on,
        village_code__range=village_code_range(county),
    ).update(round=rnd)
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=rnd,
        summary=f"安排{rnd}，{place}；编入待鉴定申请 {joined} 件",
    )
    return rnd, joined


@transaction.atomic
def assign_round(
    *,
    user: User,
    application: Application,
    appraisal_round: AppraisalRound,
    request: HttpRequest | None = None,
) -> Application:
    """Put a waiting 乙类 application into another round (the person could not come, or it joined
    none), or an application made for an any-time class whose appraisal found a quarterly one into
    a round (it then waits for that round)."""
    require_writer(user)
    require_area(user, application.village_code)
    app = _locked(application)
    if app.stage not in (Stage.APPLIED, Stage.WAITING):
        raise AppraisalError(
            f"此申请处于“{app.get_stage_display()}”，只有待鉴定、待季度鉴定的申请可以编入或改换批次"
        )
    if appraisal_round.area_code[:COUNTY_DIGITS] != app.village_code[:COUNTY_DIGITS]:
        raise AppraisalError("该批次不是本县的季度鉴定")
    if appraisal_round.held_on < app.applied_on:
        raise AppraisalError(
            f"该批次 {appraisal_round.held_on:%Y-%m-%d} 鉴定，早于申请日期 {app.applied_on:%Y-%m-%d}"
        )
    if app.round_id == appraisal_round.pk:
        raise AppraisalError("已在该批次")
    before = str(app.round) if app.round else "未编入批次"
    app.round = appraisal_round
    if app.stage == Stage.APPLIED:
        _move(app, Stage.WAITING)
    app.save(update_fields=["round", "stage"])
    record(
        AuditAction.UPDATE,
        user=user,
        request=request,
        obj=app,
        summary=f"改换季度鉴定批次 {app.person.name}：{before} → {appraisal_round}",
    )
    return app


# -- 鉴定结论 --------------------------------------------------------------------------------------
@transaction.atomic
def appraise(
    *,
    user: User,
    application: Application,
    approved: bool,
    day: dt.date | str | None = None,
    chronic_class: str = "",
    diseases: str | list[str] | None = None,
    appraiser: str = "",
    refusal_reason: str = "",
    notice_start: dt.date | str | None = None,
    request: HttpRequest | None = None,
) -> Application:
    """The conclusion (鉴定结论). Approved: the public notice starts (公示). Refused: closed with the reason.
    A 乙类 conclusion only at or after the application's quarterly round."""
    require_writer(user)
    require_area(user, application.village_code)
    if not isinstance(approved, bool):
        raise AppraisalError("鉴定结论应为符合或不符合")
    r = rules()
    app = _locked(application)
    day = _date(day or _today(), "鉴定日期")
    appraiser = _text(appraiser, "鉴定专家/机构", 100)
    if day < app.applied_on:
        raise AppraisalError(f"鉴定日期 {day:%Y-%m-%d} 早于申请日期 {app.applied_on:%Y-%m-%d}")
    if approved:
        _move(app, Stage.NOTICE)
        chronic_class = _class(chronic_class or app.chronic_class, "鉴定类别")
        names = _diseases(diseases if diseases is not None else app.diseases, "鉴定病种")
        if r.quarterly(chronic_class):
            if app.round is None:
                raise AppraisalError(
                    f"{r.class_name(chronic_class)}每季度集中鉴定：此申请尚未编入季度鉴定批次，"
                    "请先编入批次，在批次鉴定日登记结论"
                )
            if day < app.round.held_on:
                raise AppraisalError(
                    f"{r.class_name(chronic_class)}每季度集中鉴定：本批次 "
                    f"{app.round.held_on:%Y-%m-%d} 鉴定，不能早于该日"
                )
        start = _date(notice_start or day, "公示开始日期", future=True)
        if start < day:
            raise AppraisalError("公示开始日期早于鉴定日期")
        if start > day + dt.timedelta(days=30):
            raise AppraisalError("公示应在鉴定后 30 天内开始")
        app.concluded_class, app.concluded_diseases = chronic_class, diseases_text(names)
        app.notice_start, app.notice_end = (
            start,
            start + dt.timedelta(days=r.public_notice_days.value - 1),
        )
        app.refusal_reason = ""
    else:
        _move(app, Stage.REFUSED)
        app.refusal_reason = _text(refusal_reason, "不符合原因", 200)
        app.closed_on = day
    app.approved, app.appraised_on, app.appraiser, app.decided_by = approved, day, appraiser, user
    app.save()
    verdict = (
        f"符合 {r.class_name(app.concluded_class)} {app.concluded_diseases}，公示 "
        f"{app.notice_start:%Y-%m-%d} 至 {app.notice_end:%Y-%m-%d}"
        if approved
        else f"不符合：{app.refusal_reason}"
    )
    record(
        AuditAction.DECISION,
        user=user,
        request=request,
        obj=app,
        summary=f"慢性病鉴定结论 {app.person.name}：{verdict}",
    )
    return app


# -- 公示异议 --------------------------------------------------------------------------------------
@transaction.atomic
def raise_objection(
    *,
    user: User,
    application: Application,
    objector: str,
    content: str,
    day: dt.date | str | None = None,
    request: HttpRequest | None = None,
) -> Objection:
    require_writer(user)
    require_area(user, application.village_code)
    app = _locked(application)
    day = _date(day or _today(), "异议日期")
    if app.stage != Stage.NOTICE:
        raise AppraisalError(f"此申请处于“{app.get_stage_display()}”，不在公示期，不能登记异议")
    if not app.notice_start <= day <= app.notice_end:
        raise AppraisalError(
            f"异议日期 {day:%Y-%m-%d} 不在公示期（{app.notice_start:%Y-%m-%d} 至 {app.notice_end:%Y-%m-%d}）内"
        )
    o = Objection.objects.create(
        application=app,
        village_code=app.village_code,
        raised_on=day,
        objector=_text(objector, "异议人", 50),
        content=_text(content, "异议内容", 500),
        recorded_by=user,
    )
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=o,
        summary=f"公示异议 {app.person.name}：{o.content[:60]}",
    )
    return o


@transaction.atomic
def resolve_objection(
    *,
    user: User,
    objection: Objection,
    upheld: bool,
    resolution: str,
    day: dt.date | str | None = None,
    request: HttpRequest | None = None,
) -> Objection:
    """异议处理. An upheld objection closes the application without a certificate."""
    require_writer(user)
    require_area(user, objection.village_code)
    if not isinstance(upheld, bool):
        raise AppraisalError("处理结果应为成立或不成立")
    app = _locked(objection.application)
    o = Objection.objects.select_for_update().get(pk=objection.pk)
    day = _date(day or _today(), "处理日期")
    if o.status != ObjectionStatus.OPEN:
        raise AppraisalError(f"此异议已处理（{o.get_status_display()}）")
    if day < o.raised_on:
        raise AppraisalError(f"处理日期 {day:%Y-%m-%d} 早于异议提出日期 {o.raised_on:%Y-%m-%d}")
    o.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    o.resolution, o.resolved_on, o.resolved_by = _text(resolution, "处理意见", 500), day, user
    o.save()
    if upheld:
        _move(app, Stage.OBJECTED)
        app.closed_on = day
        app.save(update_fields=["stage", "closed_on"])
    record(
        AuditAction.DECISION,
        user=user,
        request=request,
        obj=o,
        summary=f"公示异议处理 {app.person.name}：{o.get_status_display()}，{o.resolution[:60]}",
    )
    return o


# -- 发证、动态管理、定点医院 -------------------------------------------------------------------------
def _hospital(hospital: Hospital | None, village_code: str) -> Hospital | None:
    if hospital is None:
        return None
    if not hospital.active:
        raise AppraisalError(f"{hospital.name}已不接受选定")
    if hospital.area_code[:COUNTY_DIGITS] != village_code[:COUNTY_DIGITS]:
        raise AppraisalError("定点医院须为本县的定点医疗机构")
    return hospital


def certificate_number(app: Application, day: dt.date) -> str:
    """County code, year of issue and the application's number: unique without a shared counter.
    Dashes between the parts: 18 digits in a row read as an ID number, and the audit log masked
    the number of every certificate it recorded (360222********0001)."""
    return f"{app.village_code[:COUNTY_DIGITS]}-{day.year}-{app.pk:08d}"


@transaction.atomic
def certify(
    *,
    user: User,
    application: Application,
    day: dt.date | str | None = None,
    hospital: Hospital | None = None,
    request: HttpRequest | None = None,
) -> Certificate:
    """公示无异议后发证: a new 慢性病医疗证, or the new diseases written onto the holder's certificate."""
    require_writer(user)
    require_area(user, application.village_code)
    r = rules()
    app = _locked(application)
    day = _date(day or _today(), "发证日期")
    if app.stage != Stage.NOTICE:
        _move(
            app, Stage.CERTIFIED
        )  # refused, naming the stage: only an application in public notice is certified
    if day <= app.notice_end:
        raise AppraisalError(f"公示期至 {app.notice_end:%Y-%m-%d} 结束，期满后才能发证")
    if n := app.objections.filter(status=ObjectionStatus.OPEN).count():
        raise AppraisalError(f"尚有 {n} 条公示异议未处理，处理后才能发证")
    hospital = _hospital(hospital, app.village_code)
    _move(app, Stage.CERTIFIED)
    app.closed_on = day
    app.save(update_fields=["stage", "closed_on"])
    person = app.person
    if app.amends_id:
        cert = Certificate.objects.select_for_update().get(pk=app.amends_id)
        if cert.status != CertificateStatus.VALID:
            raise AppraisalError(f"医疗证 {cert.number} 已注销，不能新增病种")
        new = [d for d in app.disease_list if d not in cert.disease_list]
        before = cert.chronic_class
        cert.diseases = diseases_text(cert.disease_list + new)
        if r.rank(app.concluded_class) < r.rank(cert.chronic_class):
            cert.chronic_class = app.concluded_class
        if len(cert.diseases) > Certificate._meta.get_field("diseases").max_length:
            raise AppraisalError("医疗证上的病种过多")
        hospital_before = cert.hospital
        if hospital is not None and hospital.pk != cert.hospital_id:
            cert.hospital, cert.hospital_chosen_on = hospital, day
        cert.save()
        moved = (
            f"，类别 {r.class_name(before)} → {r.class_name(cert.chronic_class)}"
            if before != cert.chronic_class
            else ""
        )
        if cert.hospital != hospital_before:  # the change of hospital stays in the history too
            was = hospital_before.name if hospital_before else "未选定"
            moved += f"，定点医院 {was} → {cert.hospital.name}"
        summary = f"新增病种 {'、'.join(new)}{moved}"
        kind = ChangeKind.DISEASE_ADDED
    else:
        cert = Certificate(
            person=person,
            village_code=app.village_code,
            application=app,
            chronic_class=app.concluded_class,
            diseases=app.concluded_diseases,
            valid_from=day,
            issued_on=day,
            issued_by=user,
            hospital=hospital,
            hospital_chosen_on=day if hospital else None,
        )
        cert.number = certificate_number(app, day)
        try:
            with transaction.atomic():
                cert.save()
        except IntegrityError:
            raise AppraisalError(f"{person.name}已持有有效的慢性病医疗证") from None
        summary = (
            f"发放慢性病医疗证 {cert.number}：{r.class_name(cert.chronic_class)} {cert.diseases}"
        )
        kind = ChangeKind.ISSUED
    CertificateChange.objects.create(
        certificate=cert,
        person=person,
        village_code=cert.village_code,
        kind=kind,
        effective_on=day,
        chronic_class=cert.chronic_class,
        diseases=cert.diseases,
        application=app,
        summary=summary,
        recorded_by=user,
    )
    record(
        AuditAction.CREATE if kind == ChangeKind.ISSUED else AuditAction.UPDATE,
        user=user,
        request=request,
        obj=cert,
        summary=f"{person.name} {summary}",
    )
    return cert


@transaction.atomic
def choose_hospital(
    *,
    user: User,
    certificate: Certificate,
    hospital: Hospital,
    day: dt.date | str | None = None,
    request: HttpRequest | None = None,
) -> Certificate:
    """选定门诊慢性病定点医院: one per person, in the county; a change is kept in the history."""
    require_writer(user)
    require_area(user, certificate.village_code)
    cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
    day = _date(day or _today(), "选定日期")
    if cert.status != CertificateStatus.VALID:
        raise AppraisalError(f"医疗证 {cert.number} 已注销")
    if day < cert.issued_on:
        raise AppraisalError("选定日期早于发证日期")
    hospital = _hospital(hospital, cert.village_code)
    if cert.hospital_id == hospital.pk:
        raise AppraisalError(f"已选定{hospital.name}")
    before = cert.hospital.name if cert.hospital else "未选定"
    cert.hospital, cert.hospital_chosen_on = hospital, day
    cert.save(update_fields=["hospital", "hospital_chosen_on"])
    summary = f"定点医院 {before} → {hospital.name}"
    CertificateChange.objects.create(
        certificate=cert,
        person_id=cert.person_id,
        village_code=cert.village_code,
        kind=ChangeKind.HOSPITAL,
        effective_on=day,
        chronic_class=cert.chronic_class,
        diseases=cert.diseases,
        summary=summary,
        recorded_by=user,
    )
    record(
        AuditAction.UPDATE,
        user=user,
        request=request,
        obj=cert,
        summary=f"医疗证 {cert.number} {summary}",
    )
    return cert


@transaction.atomic
def revoke(
    *,
    user: User,
    certificate: Certificate,
    reason: str,
    day: dt.date | str | None = None,
    request: HttpRequest | None = None,
) -> Certificate:
    """注销医疗证 (death, moving away, a finding): from that day the person has no chronic class."""
    require_writer(user)
    require_area(user, certificate.village_code)
    cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
    day = _date(day or _today(), "注销日期")
    reason = _text(reason, "注销原因", 200)
    if cert.status != CertificateStatus.VALID:
        raise AppraisalError(f"医疗证 {cert.number} 已注销")
    if day < cert.issued_on:
        raise AppraisalError("注销日期早于发证日期")
    if Application.objects.filter(amends=cert, stage__in=OPEN_STAGES).exists():
        raise AppraisalError("此证尚有办理中的新增病种申请，请先办结")
    cert.status, cert.revoked_on, cert.revoke_reason = CertificateStatus.REVOKED, day, reason
    cert.save(update_fields=["status", "revoked_on", "revoke_reason"])
    CertificateChange.objects.create(
        certificate=cert,
        person_id=cert.person_id,
        village_code=cert.village_code,
        kind=ChangeKind.REVOKED,
        effective_on=day,
        chronic_class="",
        diseases=cert.diseases,
        summary=f"注销：{reason}",
        recorded_by=user,
    )
    record(
        AuditAction.STATUS,
        user=user,
        request=request,
        obj=cert,
        summary=f"注销慢性病医疗证 {cert.number}：{reason}",
    )
    return cert


# -- 鉴定日报报送 ----------------------------------------------------------------------------------
@transaction.atomic
def submit_report(
    *, user: User, day: dt.date | str, note: str = "", request: HttpRequest | None = None
) -> ReportSubmission:
    """A township sends its daily report (日报送): the figures as they stand now, once a day."""
    from .selectors import daily_report

    require_writer(user)
    code = area_code_of(user)
    if code is None or len(code) != CODE_LENGTH[Level.TOWNSHIP]:
        raise AppraisalError("鉴定日报由乡镇报送：请以乡镇账号报送")
    day = _date(day, "日报日期")
    note = _text(note, "说明", 200, required=False)
    rows, total = daily_report(user, day, code)
    try:
        with transaction.atomic():
            s = ReportSubmission.objects.create(
                area_code=code.ljust(12, "0"),
                day=day,
                figures={"rows": rows, "total": total},
                note=note,
                submitted_by=user,
            )
    except IntegrityError:
        raise AppraisalError(f"{day:%Y-%m-%d} 的鉴定日报已报送") from None
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=s,
        summary=f"报送慢性病鉴定日报 {day:%Y-%m-%d}",
    )
    return s
