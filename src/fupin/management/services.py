"""Writes of the management loop (工作调度): keyword arguments, one transaction each, audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Count
from django.http import HttpRequest

from fupin import bounds
from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import require_area, require_writer, scoped
from fupin.registry.choices import ACTIVE_STATUSES
from fupin.registry.models import Person

from .areas import own_code, pad
from .models import (
    Bulletin,
    Evidence,
    Indicator,
    IndicatorKind,
    Interview,
    ManualValue,
    Phase,
    Plan,
    Target,
    Task,
)
from .selectors import is_county, townships


class ManagementError(ValueError):
    """A refused change, with a Chinese message."""


def require_county(user: User) -> None:
    require_writer(user)
    if not is_county(user):
        raise PermissionDenied("目标任务和通报由县人社局制定，乡镇只能查看本乡镇的部分")


def start_snapshot(*, user: User, day: dt.date, request: HttpRequest | None = None) -> None:
    """生成统计快照 of `day` now (the county's button): queued as a background job once the caller's
    transaction commits, acting for the user; audited."""
    from .tasks import snapshot_task

    require_county(user)
    user_id, when = user.pk, day.isoformat()
    transaction.on_commit(lambda: snapshot_task.enqueue(user_id, when))
    record(AuditAction.CREATE, user=user, request=request, obj=None, summary=f"生成统计快照 {when}")


@transaction.atomic
def save_plan(
    *,
    user: User,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    source_doc: str = "",
    source_text: str = "",
    plan: Plan | None = None,
    request: HttpRequest | None = None,
) -> Plan:
    require_county(user)
    name = (name or "").strip()
    if not name:
        raise ManagementError("方案名称：必填")
    bounds.check_text(Plan, "name", name)
    bounds.check_date(starts_on, "开始日期")
    bounds.check_date(ends_on, "结束日期")
    if starts_on > ends_on:
        raise ManagementError(f"结束日期 {ends_on} 早于开始日期 {starts_on}")
    code = pad(own_code(user))
    created = plan is None
    if plan is None:
        plan = Plan(area_code=code, created_by=user)
    else:
        require_area(user, plan.area_code)
    plan.name, plan.starts_on, plan.ends_on = name, starts_on, ends_on
    plan.source_doc, plan.source_text = source_doc, source_text
    plan.save()
    record(
        AuditAction.CREATE if created else AuditAction.UPDATE,
        user=user,
        request=request,
        obj=plan,
        summary=f"攻坚方案 {plan.name}（{starts_on}—{ends_on}）",
    )
    return plan


@transaction.atomic
def add_phase(
    *,
    user: User,
    plan: Plan,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    summary: str = "",
    request: HttpRequest | None = None,
) -> Phase:
    require_county(user)
    require_area(user, plan.area_code)
    if starts_on > ends_on:
        raise ManagementError(f"阶段“{name}”的结束日期早于开始日期")
    if starts_on < plan.starts_on or ends_on > plan.ends_on:
        raise ManagementError(f"阶段“{name}”应在方案期限 {plan.starts_on}—{plan.ends_on} 之内")
    phase = Phase.objects.create(
        plan=plan, name=name, starts_on=starts_on, ends_on=ends_on, summary=summary
    )
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=plan,
        summary=f"方案阶段 {name}（{starts_on}—{ends_on}）",
    )
    return phase


def _check_target_value(indicator: Indicator, value: int | str) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ManagementError(f"“{indicator.name}”的目标值应为整数，而不是“{value}”") from None
    if n < 0:
        raise ManagementError(f"“{indicator.name}”的目标值不能为负数")
    limit = (
        100
        if indicator.kind == IndicatorKind.RATIO
        else 10_000_000
        if indicator.kind != IndicatorKind.SUM_FEN
        else bounds.MAX_FEN // 100
    )
    if n > limit:
        raise ManagementError(
            f"“{indicator.name}”的目标值 {n} 超出范围（最大 {limit}{indicator.unit}）"
        )
    return n


@transaction.atomic
def set_target(
    *,
    user: User,
    plan: Plan,
    indicator: Indicator,
    area_code: str,
    value: int | str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Target:
    """Set (or change) one area's target; the county sets its own total and each township's."""
    require_county(user)
    require_area(user, plan.area_code)
    code = pad(area_code)
    require_area(user, code)
    n = _check_target_value(indicator, value)
    target, created = Target.objects.update_or_create(
        plan=plan,
        indicator=indicator,
        area_code=code,
        defaults={"value": n, "note": note, "set_by": user},
    )
    record(
        AuditAction.CREATE if created else AuditAction.UPDATE,
        user=user,
        request=request,
        obj=target,
        summary=f"目标 {plan.name}·{indicator.name}：{n}{indicator.unit}",
        area_code=code,
    )
    return target


@transaction.atomic
def set_village_target(
    *,
    user: User,
    plan: Plan,
    indicator: Indicator,
    village_code: str,
    value: int | str,
    request: HttpRequest | None = None,
) -> Target:
    """村目标: one village's target for a plan, set by the county for any of its villages or by a
    township for its own; the bulletin ranks villages against it and the village sees it."""
    from fupin.areas.models import Area, Level

    require_writer(user)
    if len(own_code(user)) > 9:
        raise PermissionDenied("村目标由县人社局或乡镇人社所设定")
    code = pad(village_code)
    if not Area.objects.filter(code=code, level=Level.VILLAGE).exists():
        raise ManagementError("村：请从列表中选择一个村")
    require_area(user, code)
    n = _check_target_value(indicator, value)
    target, created = Target.objects.update_or_create(
        plan=plan,
        indicator=indicator,
        area_code=code,
        defaults={"value": n, "note": "村目标", "set_by": user},
    )
    record(
        AuditAction.CREATE if created else AuditAction.UPDATE,
        user=user,
        request=request,
        obj=target,
        summary=f"村目标 {plan.name}·{indicator.name}：{n}{indicator.unit}",
        area_code=code,
    )
    return target


def largest_remainder(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split `total` in proportion to `weights`, whole numbers that add up to `total` exactly."""
    whole = sum(weights.values())
    if not whole:
        return dict.fromkeys(weights, 0)
    exact = {k: total * w / whole for k, w in weights.items()}
    out = {k: int(v) for k, v in exact.items()}
    rest = total - sum(out.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - out[k]), k))[:rest]:
        out[k] += 1
    return out


@transaction.atomic
def decompose(
    *,
    user: User,
    plan: Plan,
    indicator: Indicator,
    total: int | str,
    request: HttpRequest | None = None,
) -> dict[str, int]:
    """分解目标: the county total, and each township's share by its registered poor population."""
    require_county(user)
    total = _check_target_value(indicator, total)
    towns = townships(user)
    counts = dict(
        scoped(Person.objects.filter(status__in=ACTIVE_STATUSES), user)
        .order_by()
        .values_list("village_code")
        .annotate(n=Count("id"))
        .values_list("village_code", "n")
    )
    weights = {t.code: 0 for t in towns}
    for village, n in counts.items():
        if village[:9] in weights:
            weights[village[:9]] += n
    shares = (
        {code: total for code in weights}
        if indicator.kind == IndicatorKind.RATIO
        else largest_remainder(total, weights)
    )
    set_target(
        user=user,
        plan=plan,
        indicator=indicator,
        area_code=own_code(user),
        value=total,
        note="全县目标",
        request=request,
    )
    for code, n in shares.items():
        set_target(
            user=user,
            plan=plan,
            indicator=indicator,
            area_code=code,
            value=n,
            note="按建档立卡人口比例分解"
            if indicator.kind != IndicatorKind.RATIO
            else "各乡镇同一比率",
            request=request,
        )
    return shares


@transaction.atomic
def report_value(
    *,
    user: User,
    indicator: Indicator,
    month: dt.date,
    value: int | str,
    note: str = "",
    request: HttpRequest | None = None,
) -> ManualValue:
    """乡镇填报: a township reports its own count of a manual indicator for a month."""
    require_writer(user)
    if indicator.kind != IndicatorKind.MANUAL:
        raise ManagementError(f"“{indicator.name}”由系统按业务数据统计，不需填报")
    code = own_code(user)
    if len(code) != 9:
        raise ManagementError("填报由乡镇人社所按本乡镇进行")
    bounds.check_date(month, "月份")
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ManagementError(f"数值应为整数，而不是“{value}”") from None
    if not 0 <= n <= 100_000:
        raise ManagementError(f"数值 {n} 超出范围（0 至 100000）")
    row, _ = ManualValue.objects.update_or_create(
        indicator=indicator,
        area_code=pad(code),
        month=month.replace(day=1),
        defaults={"value": n, "note": note, "entered_by": user},
    )
    record(
        AuditAction.UPDATE,
        user=user,
        request=request,
        obj=row,
        summary=f"填报 {indicator.name} {month:%Y年%m月}：{n}{indicator.unit}",
    )
    return row


# -- task ledger (任务台账) ---------------------------------------------------------------------------
def _task_fields(*, title: str, detail: str, owner: str, due_on: dt.date) -> dict:
    from .models import Task

    title, owner = (title or "").strip(), (owner or "").strip()
    if not title:
        raise ManagementError("任务：必填")
    if not owner:
        raise ManagementError("责任人：必填")
    bounds.check_text(Task, "title", title)
    bounds.check_text(Task, "owner", owner)
    bounds.check_text(Task, "detail", detail or "")
    bounds.check_date(due_on, "完成时限")
    return {"title": title, "detail": (detail or "").strip(), "owner": owner, "due_on": due_on}


@transaction.atomic
def create_task(
    *,
    user: User,
    area_code: str,
    title: str,
    owner: str,
    due_on: dt.date,
    detail: str = "",
    plan: Plan | None = None,
    phase: Phase | None = None,
    request: HttpRequest | None = None,
) -> Task:
    """台账任务: the county assigns to a township (or itself); a township records its own."""
    from .models import Task

    require_writer(user)
    code = pad(area_code)
    require_area(user, code)
    if phase is not None and phase.plan_id != (plan.pk if plan else None):
        raise ManagementError("阶段不属于所选方案")
    task = Task.objects.create(
        area_code=code,
        plan=plan,
        phase=phase,
        created_by=user,
        **_task_fields(title=title, detail=detail, owner=owner, due_on=due_on),
    )
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=task,
        summary=f"台账任务 {task.title}（{task.owner}，{task.due_on}）",
    )
    return task


@transaction.atomic
def update_task(
    *,
    user: User,
    task: Task,
    status: str,
    progress_note: str = "",
    done_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Task:
    from .models import Task, TaskStatus

    require_writer(user)
    require_area(user, task.area_code)
    if status not in TaskStatus.values:
        raise ManagementError("状态：请从列表中选择")
    note = bounds.check_text(Task, "progress_note", (progress_note or "").strip())
    locked = Task.objects.select_for_update().get(pk=task.pk)
    old = locked.get_status_display()
    locked.status, locked.progress_note = status, note
    if status == TaskStatus.DONE:
        locked.done_on = bounds.check_date(done_on, "完成日期") if done_on else dt.date.today()
    else:
        locked.done_on = None
    locked.save()
    record(
        AuditAction.STATUS,
        user=user,
        request=request,
        obj=locked,
        summary=f"台账任务 {locked.title}：{old} → {locked.get_status_display()}",
    )
    return locked


@transaction.atomic
def add_evidence(
    *,
    user: User,
    task: Task,
    upload: UploadedFile,
    note: str = "",
    request: HttpRequest | None = None,
) -> Evidence:
    """佐证材料: checked by content, stored under a random name with the task."""
    from django.core.files.base import ContentFile

    from .evidence import check
    from .models import Evidence

    require_writer(user)
    require_area(user, task.area_code)
    checked, data = check(upload)
    ev = Evidence(
        task=task,
        name=checked.name,
        kind=checked.kind,
        size=checked.size,
        sha256=checked.sha256,
        note=bounds.check_text(Evidence, "note", (note or "").strip()),
        uploaded_by=user,
    )
    ev.file.save(checked.stored_name, ContentFile(data), save=True)
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=task,
        summary=f"上传佐证材料 {ev.name}（{checked.size} 字节）",
    )
    return ev


# -- 约谈 (002: laggards are interviewed) --------------------------------------------------------------
def _required_text(model: type[models.Model], name: str, value: object, label: str) -> str:
    text = (value if isinstance(value, str) else "").strip()
    if not text:
        raise ManagementError(f"{label}：必填")
    return bounds.check_text(model, name, text)


@transaction.atomic
def record_interview(
    *,
    user: User,
    area_code: str,
    held_on: dt.date,
    interviewee: str,
    interviewer: str,
    reason: str,
    actions: str,
    follow_up_on: dt.date,
    task: Task | None = None,
    bulletin: Bulletin | None = None,
    upload: UploadedFile | None = None,
    request: HttpRequest | None = None,
) -> Interview:
    """约谈记录: the county records an interview of a township (and, if named, one of its tasks),
    with the minutes as an evidence file checked by its content."""
    from django.core.files.base import ContentFile

    from .evidence import check
    from .models import Interview

    require_county(user)
    code = pad(str(area_code or ""))
    if code[9:] != "000" or code[6:9] == "000" or code[:9] not in {t.code for t in townships(user)}:
        raise ManagementError("被约谈乡镇：请从列表中选择本县的乡镇")
    if task is not None and pad(task.area_code)[:9] != code[:9]:
        raise ManagementError("台账任务：应是被约谈乡镇的任务")
    held_on = bounds.check_date(held_on, "约谈日期")
    follow_up_on = bounds.check_date(follow_up_on, "整改期限")
    if held_on > timezone_today():
        raise ManagementError("约谈日期：不能晚于今天")
    if follow_up_on < held_on:
        raise ManagementError("整改期限：不能早于约谈日期")
    interview = Interview(
        area_code=code,
        task=task,
        bulletin=bulletin,
        held_on=held_on,
        interviewee=_required_text(Interview, "interviewee", interviewee, "被约谈人"),
        interviewer=_required_text(Interview, "interviewer", interviewer, "约谈人"),
        reason=_required_text(Interview, "reason", reason, "约谈事由"),
        actions=_required_text(Interview, "actions", actions, "整改措施"),
        follow_up_on=follow_up_on,
        created_by=user,
    )
    data = None
    if upload is not None:
        checked, data = check(upload)
        interview.file_name = checked.name
        interview.file_kind = checked.kind
        interview.file_sha256 = checked.sha256
    interview.save()
    if data is not None:
        interview.file.save(checked.stored_name, ContentFile(data), save=True)
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=interview,
        summary=f"约谈 {interview.interviewee}（{held_on}）：{interview.reason[:60]}",
    )
    return interview


@transaction.atomic
def follow_up_interview(
    *,
    user: User,
    interview: Interview,
    followed_up_on: dt.date,
    note: str,
    request: HttpRequest | None = None,
) -> Interview:
    """跟踪核查: the county records how the agreed actions were carried out."""
    require_county(user)
    require_area(user, interview.area_code)
    followed_up_on = bounds.check_date(followed_up_on, "跟踪核查日期")
    if followed_up_on < interview.held_on:
        raise ManagementError("跟踪核查日期：不能早于约谈日期")
    if followed_up_on > timezone_today():
        raise ManagementError("跟踪核查日期：不能晚于今天")
    before = (interview.followed_up_on, interview.follow_up_note)
    interview.followed_up_on = followed_up_on
    interview.follow_up_note = _required_text(type(interview), "follow_up_note", note, "整改情况")
    interview.save(update_fields=["followed_up_on", "follow_up_note"])
    record(
        AuditAction.UPDATE,
        user=user,
        request=request,
        obj=interview,
        summary=f"约谈跟踪核查 {interview.interviewee}",
        changes={
            "followed_up_on": [str(before[0] or ""), str(followed_up_on)],
            "follow_up_note": [before[1], interview.follow_up_note],
        },
    )
    return interview


@transaction.atomic
def submit_rectification(
    *,
    user: User,
    interview: Interview,
    text: str,
    upload: UploadedFile | None = None,
    request: HttpRequest | None = None,
) -> Interview:
    """整改报告: the township interviewed reports on the actions agreed (text, and a file checked
    by its content); it may correct and resubmit until the county accepts it."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from .evidence import check
    from .models import Interview

    require_writer(user)
    if len(own_code(user)) != 9:
        raise PermissionDenied("整改报告由被约谈的乡镇人社所提交")
    require_area(user, interview.area_code)
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if interview.report_accepted_at is not None:
        raise ManagementError("整改报告已验收，不能再修改")
    body = _required_text(Interview, "report_text", text, "整改报告")
    data = None
    if upload is not None:
        checked, data = check(upload)
    elif not interview.report_file:
        raise ManagementError("整改报告材料：请上传整改报告文件（PDF、图片、Word 或 Excel）")
    before = interview.report_submitted_at
    interview.report_text = body
    interview.report_submitted_at = timezone.now()
    interview.report_submitted_by = user
    fields = ["report_text", "report_submitted_at", "report_submitted_by"]
    if data is not None:
        interview.report_file_name = checked.name
        interview.report_file_kind = checked.kind
        interview.report_file_sha256 = checked.sha256
        interview.report_file.save(checked.stored_name, ContentFile(data), save=False)
        fields += ["report_file", "report_file_name", "report_file_kind", "report_file_sha256"]
    interview.save(update_fields=fields)
    record(
        AuditAction.UPDATE,
        user=user,
        request=request,
        obj=interview,
        summary=f"{'重新提交' if before else '提交'}整改报告（约谈 {interview.held_on}）",
        changes={"report_text": ["", body[:200]]},
    )
    return interview


@transaction.atomic
def accept_rectification(
    *, user: User, interview: Interview, note: str = "", request: HttpRequest | None = None
) -> Interview:
    """验收整改报告: the county accepts the township's report; after that it is kept as accepted."""
    from django.utils import timezone

    from .models import Interview

    require_county(user)
    require_area(user, interview.area_code)
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if interview.report_submitted_at is None:
        raise ManagementError("该约谈的乡镇尚未提交整改报告")
    if interview.report_accepted_at is not None:
        raise ManagementError("整改报告已经验收")
    interview.report_accept_note = bounds.check_text(
        Interview, "report_accept_note", (note if isinstance(note, str) else "").strip()
    )
    interview.report_accepted_at = timezone.now()
    interview.report_accepted_by = user
    interview.save(update_fields=["report_accept_note", "report_accepted_at", "report_accepted_by"])
    record(
        AuditAction.UPDATE,
        user=user,
        request=request,
        obj=interview,
        summary=f"验收整改报告（约谈 {interview.held_on}）",
        changes={"report_accept_note": ["", interview.report_accept_note]},
    )
    return interview


def timezone_today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
