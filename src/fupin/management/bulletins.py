"""就业脱贫工程实施进度通报 (004): generated for a month, townships ranked on each indicator against
its target, laggards named; kept as generated, published to every township, read-confirmed."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from fupin.access.audit import record
from fupin.access.models import AuditAction

from . import periods
from .indicators import evaluate
from .models import Bulletin, BulletinRead, IndicatorKind, Plan
from .selectors import active_indicators, elapsed, own_code, pad, plan_figures, targets, townships
from .services import ManagementError, require_county

STATUS_BEHIND = "滞后"


def _fmt(kind: str, value) -> str:
    if value is None:
        return "—"
    if kind == IndicatorKind.RATIO:
        return f"{value:.1f}%"
    if kind == IndicatorKind.SUM_FEN:
        return f"{value / 100:,.2f}元"
    return f"{value:,}"


def _rank(rows: list[dict], key: str) -> None:
    """Competition ranking (1, 2, 2, 4) by `key`, highest first; rows without a figure come last."""
    ordered = sorted(rows, key=lambda r: (r[key] is None, -(r[key] or 0), r["code"]))
    prev, rank = object(), 0
    for i, r in enumerate(ordered, 1):
        if r[key] != prev:
            rank, prev = i, r[key]
        r["rank"] = rank if r[key] is not None else None
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]))


def compute(*, user, month: dt.date, plan: Plan | None) -> dict:
    """The bulletin's content: one section per indicator, townships ranked."""
    period = periods.month(month)
    towns = townships(user)
    inds = active_indicators()
    month_figs = evaluate(inds, user=user, start=period.start, end=period.end)
    plan_targets: dict[str, dict[str, int]] = {}
    plan_figs, share = {}, None
    if plan is not None:
        for t in targets(user, plan):
            plan_targets.setdefault(t.indicator.code, {})[t.area_code] = t.value
        targeted = [i for i in inds if i.code in plan_targets]
        # A stock (cumulative) figure depends only on the end date: when the plan's end is the month's,
        # the month's figure is the plan's, and the heavy person queries run once.
        plan_end = max(plan.starts_on, min(period.end, plan.ends_on))
        reuse = [i for i in targeted if i.cumulative and plan_end == period.end]
        plan_figs = plan_figures(user, plan, period.end, [i for i in targeted if i not in reuse])
        plan_figs.update({i.code: month_figs[i.code] for i in reuse})
        share = elapsed(plan, period.end)
    county = pad(own_code(user))
    sections = []
    for ind in inds:
        goals = plan_targets.get(ind.code)
        fig = plan_figs.get(ind.code) if goals else month_figs[ind.code]
        rows = []
        for t in towns:
            value = fig.value(t.code)
            row = {
                "code": t.code,
                "name": t.name,
                "value": value,
                "shown": _fmt(ind.kind, value),
                "month": _fmt(ind.kind, month_figs[ind.code].value(t.code)),
            }
            if goals:
                goal = goals.get(pad(t.code))
                row["target"] = goal
                unit_value = (
                    value / 100
                    if (value is not None and ind.kind == IndicatorKind.SUM_FEN)
                    else value
                )
                row["rate"] = (
                    None if not goal or unit_value is None else round(unit_value / goal, 4)
                )
                row["status"] = (
                    "无目标"
                    if goal is None
                    else "无任务"
                    if goal == 0
                    else "无数据"
                    if row["rate"] is None
                    else "已完成"
                    if row["rate"] >= 1
                    else "进度正常"
                    if row["rate"] + 1e-9 >= share
                    else STATUS_BEHIND
                )
            rows.append(row)
        _rank(rows, "rate" if goals else "value")
        total = fig.value()
        section = {
            "code": ind.code,
            "name": ind.name,
            "unit": ind.unit,
            "kind": ind.kind,
            "source": ind.source_text,
            "by_target": bool(goals),
            "rows": rows,
            "total": _fmt(ind.kind, total),
            "month_total": _fmt(ind.kind, month_figs[ind.code].value()),
        }
        if goals:
            section["county_target"] = goals.get(county)
            section["laggards"] = [r["name"] for r in rows if r.get("status") == STATUS_BEHIND]
        sections.append(section)
    return {
        "month": period.key,
        "label": period.label,
        "plan": plan.name if plan else "",
        "plan_id": plan.pk if plan else None,
        "elapsed": round(100 * share) if share is not None else None,
        "as_of": period.end.isoformat(),
        "sections": sections,
        "laggards": sorted({n for s in sections for n in s.get("laggards", [])}),
    }


@transaction.atomic
def generate(
    *, user, month: dt.date, plan: Plan | None = None, remarks: str = "", request=None
) -> Bulletin:
    require_county(user)
    month = month.replace(day=1)
    county = pad(own_code(user))
    existing = Bulletin.objects.select_for_update().filter(area_code=county, month=month).first()
    if existing and existing.published_at:
        raise ManagementError(
            f"{month.year}年{month.month}月的通报已发布，不能重新生成（已发给各乡镇的内容保持不变）"
        )
    data = compute(user=user, month=month, plan=plan)
    title = f"{user.area.name}就业脱贫工程实施进度通报（{month.year}年{month.month}月）"
    values = {"title": title, "plan": plan, "data": data, "generated_by": user, "remarks": remarks}
    if existing:
        for k, v in values.items():
            setattr(existing, k, v)
        existing.save()
        bulletin = existing
    else:
        bulletin = Bulletin.objects.create(area_code=county, month=month, **values)
    record(AuditAction.CREATE, user=user, request=request, obj=bulletin, summary=f"生成 {title}")
    return bulletin


@transaction.atomic
def publish(*, user, bulletin: Bulletin, request=None) -> Bulletin:
    require_county(user)
    if bulletin.area_code != pad(own_code(user)):
        raise ManagementError("只能发布本县的通报")
    if not bulletin.published_at:
        bulletin.published_at = timezone.now()
        bulletin.save(update_fields=["published_at"])
        record(
            AuditAction.STATUS,
            user=user,
            request=request,
            obj=bulletin,
            summary=f"发布 {bulletin.title} 至各乡镇",
        )
    return bulletin


def addressed_to(bulletin: Bulletin) -> str:
    """The area prefix a bulletin is sent to: a county's bulletin goes to its townships."""
    code = bulletin.area_code
    return code[:6] if code[6:] == "000000" else code[:9] if code[9:] == "000" else code


def confirm_read(*, user, bulletin: Bulletin, request=None) -> BulletinRead:
    """已阅确认: once per person; a second click keeps the first time."""
    if not bulletin.published_at:
        raise ManagementError("通报尚未发布")
    code = own_code(user)
    if len(code) <= 6:
        raise ManagementError("已阅确认由各乡镇进行")
    if not code.startswith(addressed_to(bulletin)):
        raise ManagementError("该通报不是发给本乡镇的")
    name = (user.get_full_name() or user.username)[:150]
    try:
        with transaction.atomic():
            read = BulletinRead.objects.create(
                bulletin=bulletin, area_code=pad(code), user=user, name=name
            )
    except IntegrityError:
        return BulletinRead.objects.get(bulletin=bulletin, user=user)
    record(
        AuditAction.UPDATE, user=user, request=request, obj=read, summary=f"已阅 {bulletin.title}"
    )
    return read


def read_status(bulletin: Bulletin, user) -> list[dict]:
    """Each township of the user's area: who confirmed and when (a township sees its own)."""
    from fupin.access.scope import scoped

    reads = list(scoped(bulletin.reads.all(), user).order_by("read_at"))
    towns = townships(user)
    out = []
    for t in towns:
        mine = [r for r in reads if r.area_code.startswith(t.code)]
        out.append({"name": t.name, "reads": mine})
    return out


def pdf_bytes(bulletin: Bulletin) -> bytes:
    """The printable bulletin: WeasyPrint with Debian's Noto CJK fonts; nothing fetched. Subsetting
    the CJK fonts takes seconds, so a rendering is kept (cache) until the bulletin changes."""
    from django.core.cache import cache

    key = f"fupin:bulletin-pdf:{bulletin.pk}:{bulletin.generated_at.timestamp()}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = _render_pdf(bulletin)
        cache.set(key, pdf, 24 * 3600)
    return pdf


def _render_pdf(bulletin: Bulletin) -> bytes:
    from weasyprint import CSS, HTML

    from .loading import DATA

    html = render_to_string("management/bulletin_pdf.html", {"b": bulletin, "d": bulletin.data})
    return HTML(string=html, base_url=None, url_fetcher=_no_fetch).write_pdf(
        stylesheets=[CSS(filename=str(DATA / "bulletin_pdf.css"), url_fetcher=_no_fetch)]
    )


def _no_fetch(url, *args, **kwargs):
    raise ValueError(f"通报 PDF 不取外部资源：{url}")


def xlsx_sheets(bulletin: Bulletin) -> list[tuple[str, list[str], list[list]]]:
    d = bulletin.data
    header = ["指标", "排名", "乡镇", "完成", "本月", "目标", "完成率", "状态"]
    rows = []
    for s in d.get("sections", []):
        for r in s["rows"]:
            rate = f"{100 * r['rate']:.1f}%" if r.get("rate") is not None else ""
            rows.append(
                [
                    s["name"],
                    r["rank"] or "",
                    r["name"],
                    r["shown"],
                    r["month"],
                    r.get("target", "") if r.get("target") is not None else "",
                    rate,
                    r.get("status", ""),
                ]
            )
    return [("进度通报", header, rows)]
