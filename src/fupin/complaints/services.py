"""Writes of complaints (诉求与投诉): filing, acknowledging, answering, the resident's rating,
and the periodic escalation. Each a transaction, each audited."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from fupin.access.audit import diff, record
from fupin.access.models import AuditAction, User
from fupin.access.scope import require_area, require_writer
from fupin.areas.models import Area
from fupin.areas.models import Level as AreaLevel
from fupin.registry.models import Person

from .models import Channel, Complaint, Escalation, Kind, Level, NoticeContact, Satisfaction
from .rules import pack_id, rules
from .selectors import with_level

STAFF_CHANNELS = (Channel.PHONE, Channel.VISIT, Channel.ASSISTED)
LEVEL_REASONS = {
    Level.TOWNSHIP: "超过受理时限未受理，升级至乡镇人社所",
    Level.COUNTY: "超过答复时限未答复，升级至县人社局",
}


class ComplaintError(ValueError):
    """A complaint action refused, with the Chinese reason."""


def _clean(value: str, label: str, limit: int, required: bool = True) -> str:
    if not isinstance(value, str):
        raise ComplaintError(f"{label}应为文字")
    value = value.strip()
    if required and not value:
        raise ComplaintError(f"请填写{label}")
    if len(value) > limit:
        raise ComplaintError(f"{label}最多 {limit} 字，填写了 {len(value)} 字")
    return value


def _new(
    *,
    person: Person | None,
    village_code: str,
    kind: str,
    category: str,
    channel: str,
    subject: str,
    content: str,
    contact_name: str,
    phone: str,
    now: dt.datetime,
    filed_by: User | None = None,
    assistance_id: int | None = None,
) -> Complaint:
    r = rules()
    if kind not in Kind.values:
        raise ComplaintError("类型应为诉求或投诉")
    if category not in r.categories.value:
        raise ComplaintError(f"类别“{str(category)[:20]}”不在本县的诉求类别中")
    if not Area.objects.filter(code=village_code, level=AreaLevel.VILLAGE).exists():
        raise ComplaintError("请选择反映人所在的村")
    return Complaint.objects.create(
        person=person,
        village_code=village_code,
        kind=kind,
        category=category,
        channel=channel,
        subject=_clean(subject, "标题", 100),
        content=_clean(content, "内容", 2000),
        contact_name=_clean(contact_name or (person.name if person else ""), "联系人", 50),
        phone=_clean(phone, "联系电话", 20, required=False),
        filed_at=now,
        filed_by=filed_by,
        assistance_id=assistance_id,
        pack_id=pack_id(),
        acknowledge_due=now + dt.timedelta(days=r.acknowledge_days.value),
        answer_due=now + dt.timedelta(days=r.answer_days.value),
    )


@transaction.atomic
def file_by_staff(
    *,
    user: User,
    person: Person | None,
    village_code: str,
    kind: str,
    category: str,
    channel: str,
    subject: str,
    content: str,
    contact_name: str = "",
    phone: str = "",
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Staff enter a complaint from a phone call or a visit, or the village assistant files one
    for a resident (代办). `person` (if any) was read through the user's scope."""
    require_writer(user)
    if person is not None:
        village_code = person.village_code
    require_area(user, village_code)
    if channel not in STAFF_CHANNELS:
        raise ComplaintError("渠道应为电话反映、来访或村协理员代办")
    c = _new(
        person=person,
        village_code=village_code,
        kind=kind,
        category=category,
        channel=channel,
        subject=subject,
        content=content,
        contact_name=contact_name,
        phone=phone,
        now=now or timezone.now(),
        filed_by=user,
    )
    record(AuditAction.CREATE, user=user, request=request, obj=c, summary=f"登记{c}")
    return c


@transaction.atomic
def file_by_resident(
    *,
    person: Person,
    kind: str,
    category: str,
    subject: str,
    content: str,
    phone: str = "",
    assisted_by: User | None = None,
    assistance_id: int | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """The resident files in the portal (or the assistant for him there: 代办). Audited by the
    portal view (fupin.portal.audit.changed)."""
    return _new(
        person=person,
        village_code=person.village_code,
        kind=kind,
        category=category,
        channel=Channel.ASSISTED if assisted_by is not None else Channel.PORTAL,
        subject=subject,
        content=content,
        contact_name=person.name,
        phone=phone,
        now=now or timezone.now(),
        filed_by=assisted_by,
        assistance_id=assistance_id,
    )


@transaction.atomic
def acknowledge(
    *,
    user: User,
    complaint: Complaint,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    require_writer(user)
    require_area(user, complaint.village_code)
    c = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if c.acknowledged_at is not None:
        raise ComplaintError("这件诉求已经受理")
    c.acknowledged_at, c.acknowledged_by = now or timezone.now(), user
    c.save(update_fields=["acknowledged_at", "acknowledged_by"])
    record(AuditAction.UPDATE, user=user, request=request, obj=c, summary=f"受理{c}")
    return c


@transaction.atomic
def answer(
    *,
    user: User,
    complaint: Complaint,
    text: str,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """The answer the resident will read; it acknowledges an unacknowledged complaint too."""
    require_writer(user)
    require_area(user, complaint.village_code)
    c = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if c.answered_at is not None:
        raise ComplaintError("这件诉求已经答复")
    now = now or timezone.now()
    c.answer = _clean(text, "答复", 2000)
    c.answered_at, c.answered_by = now, user
    if c.acknowledged_at is None:
        c.acknowledged_at, c.acknowledged_by = now, user
    c.save(
        update_fields=["answer", "answered_at", "answered_by", "acknowledged_at", "acknowledged_by"]
    )
    record(AuditAction.UPDATE, user=user, request=request, obj=c, summary=f"答复{c}")
    return c


@transaction.atomic
def rate(
    *,
    complaint: Complaint,
    satisfaction: str,
    note: str = "",
    user: User | None = None,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """The resident's satisfaction with the answer: in the portal (user None: the portal view
    audits) or taken by staff on a return call (user given)."""
    if user is not None:
        require_writer(user)
        require_area(user, complaint.village_code)
    if satisfaction not in Satisfaction.values:
        raise ComplaintError("请选择满意、基本满意或不满意")
    c = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if c.answered_at is None:
        raise ComplaintError("答复之后才能评价")
    if c.satisfaction:
        raise ComplaintError("这件诉求已经评价过")
    c.satisfaction, c.rated_at = satisfaction, now or timezone.now()
    c.rating_note = _clean(note, "评价意见", 200, required=False)
    c.save(update_fields=["satisfaction", "rated_at", "rating_note"])
    if user is not None:
        record(
            AuditAction.UPDATE,
            user=user,
            request=request,
            obj=c,
            summary=f"回访评价{c}：{c.get_satisfaction_display()}",
        )
    return c


def escalate(*, now: dt.datetime | None = None) -> int:
    """Write down every escalation the time limits call for (the periodic command): the level
    goes up, an Escalation row and an audit entry say why, and the contacts the county set up for
    the level reached are texted once the step is committed (`notify`). Returns how many moved."""
    now = now or timezone.now()
    moved = 0
    late = with_level(Complaint.objects.all(), now).filter(due_level__gt=F("level"))
    for pk in late.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            c = with_level(Complaint.objects.select_for_update(of=("self",)), now).get(pk=pk)
            if c.due_level <= c.level:
                continue  # another run got here first
            before = c.level
            steps = [
                Escalation.objects.create(
                    complaint=c,
                    village_code=c.village_code,
                    from_level=step - 1,
                    to_level=step,
                    at=now,
                    reason=LEVEL_REASONS[step],
                )
                for step in range(before + 1, c.due_level + 1)
            ]
            c.level = c.due_level
            c.save(update_fields=["level"])
            record(
                AuditAction.UPDATE,
                user=None,
                obj=c,
                username="系统（诉求升级）",
                summary=f"{c} 升级至{Level(c.level).label}",
                changes=diff({"level": before}, {"level": c.level}),
            )
        for step in steps:  # after the commit: a slow or failing gateway never undoes a step
            notify(step, category=rules(c.pack_id).category_name(c.category))
        moved += 1
    return moved


def contact_area(village_code: str, level: int) -> str:
    """The 12-digit code of the township (乡镇人社所) or county (县人社局) a level of a village's
    complaint answers to."""
    if level == Level.TOWNSHIP:
        return village_code[:9] + "000"
    return village_code[:6] + "000000"


def notify(step: Escalation, *, category: str) -> int:
    """Text the active contacts of the level a complaint reached (升级短信通知) through the portal's
    message backend (`FUPIN_SMS_BACKEND`), and note how many were texted on the step. The text names
    the complaint's number, category, village and time limit, never the person who complained."""
    from fupin.areas.names import name_of
    from fupin.portal import sms

    contacts = NoticeContact.objects.filter(
        active=True, area_code=contact_area(step.village_code, step.to_level)
    )
    c = step.complaint
    due = c.acknowledge_due if step.to_level == Level.TOWNSHIP else c.answer_due
    text = (
        f"【{name_of(settings.COUNTY_CODE)}人社局】诉求升级提醒：第 {c.pk} 号{c.get_kind_display()}"
        f"（{category}，{name_of(c.village_code)}）{step.reason}（时限 {timezone.localtime(due):%Y-%m-%d %H:%M}）。"
        "请登录扶贫平台“诉求与投诉”办理。"
    )
    sent = sum(sms.send(contact.phone, text) for contact in contacts)
    if sent:
        Escalation.objects.filter(pk=step.pk).update(notified=sent)
    return sent
