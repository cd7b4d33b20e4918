"""就业脱贫工程实施进度通报 (004): generated for a month, townships ranked on each indicator against
its target, laggards named; kept as generated, published to every township, read-confirmed."""

from __future__ import annotations

import datetime as dt
from typing import NoReturn

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.areas.models import Area, Level

from . import periods, snapshots
from .areas import own_code, pad
from .models import Bulletin, BulletinRead, Indicator, IndicatorKind, Plan, SnapshotLevel
from .selectors import active_indicators, elapsed, is_village, targets, townships
from .services import ManagementError, require_county

STATUS_BEHIND = "滞后"


def _fmt(kind: str, value: float | None) -> str:
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


def _status(rate: float | None, goal: int | None, share: float) -> str:
    if goal is None:
        return "无目标"
    if goal == 0:
        return "无任务"
    if rate is None:
        return "无数据"
    if rate >= 1:
        return "已完成"
    return "进度正常" if rate + 1e-9 >= share else STATUS_BEHIND


def _rate(ind: Indicator, value: float | None, goal: int | None) -> float | None:
    """Completion against a target (targets of money are in yuan, figures in fen)."""
    if not goal or value is None:
        return None
    unit_value = value / 100 if ind.kind == IndicatorKind.SUM_FEN else value
    return round(unit_value / goal, 4)


def _villages(user: User) -> list[Area]:
    code = own_code(user)
    return list(Area.objects.filter(level=Level.VILLAGE, code__startswith=code).order_by("code"))


def compute(*, user: User, month: dt.date, plan: Plan | None) -> dict:
    """The bulletin's content: one section per indicator, townships and villages ranked. Read
    from the statistics snapshots (`fupin.management.snapshots`): the month's last day (today
    for the running month); a snapshot missing for that day or window is built first."""
    period = periods.month(month)
    today = timezone.localdate()
    if period.start > today:
        raise ManagementError(f"{period.label}尚未开始，不能生成通报")
    as_of = min(period.end, today)
    towns = townships(user)
    villages = _villages(user)
    town_names = {t.code: t.name for t in towns}
    inds = active_indicators()
    run = snapshots.ensure(user=user, day=as_of, since=period.start)
    month_figs = snapshots.figures(inds, user=user, start=period.start, end=as_of)
    month_v = snapshots.figures(
        inds, user=user, start=period.start, end=as_of, level=SnapshotLevel.VILLAGE
    )
    plan_targets: dict[str, dict[str, int]] = {}
    plan_figs, plan_v, share = {}, {}, None
    if plan is not None:
        for t in targets(user, plan):
            plan_targets.setdefault(t.indicator.code, {})[t.area_code] = t.value
        targeted = [i for i in inds if i.code in plan_targets]
        plan_end = max(plan.starts_on, min(as_of, plan.ends_on))
        snapshots.ensure(user=user, day=plan_end, since=plan.starts_on)
        plan_figs = snapshots.figures(targeted, user=user, start=plan.starts_on, end=plan_end)
        plan_v = snapshots.figures(
            targeted,
            user=user,
            start=plan.starts_on,
            end=plan_end,
            level=SnapshotLevel.VILLAGE,
        )
        share = elapsed(plan, as_of)
    county = pad(own_code(user))
    sections = []
    for ind in inds:
        goals = plan_targets.get(ind.code)
        fig = plan_figs.get(ind.code) if goals else month_figs[ind.code]
        vfig = plan_v.get(ind.code) if goals else month_v[ind.code]
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
                row["rate"] = _rate(ind, value, goal)
                row["status"] = _status(row["rate"], goal, share)
            rows.append(row)
        _rank(rows, "rate" if goals else "value")
        # 村目标: with any village target for the indicator, villages rank by completion rate
        # (those without one after them, unranked); otherwise by value.
        by_village_target = bool(goals) and any(is_village(c) for c in goals)
        village_rows = []
        for v in villages:
            value = vfig.value(v.code)
            row = {
                "code": v.code,
                "name": v.name,
                "town": town_names.get(v.code[:9], ""),
                "value": value,
                "shown": _fmt(ind.kind, value),
                "month": _fmt(ind.kind, month_v[ind.code].value(v.code)),
            }
            if by_village_target:
                goal = goals.get(v.code)
                row["target"] = goal
                row["rate"] = _rate(ind, value, goal)
                row["status"] = _status(row["rate"], goal, share)
            village_rows.append(row)
        _rank(village_rows, "rate" if by_village_target else "value")
        total = fig.value()
        section = {
            "code": ind.code,
            "name": ind.name,
            "unit": ind.unit,
            "kind": ind.kind,
            "source": ind.source_text,
            "by_target": bool(goals),
            "rows": rows,
            "villages": village_rows,
            "village_by_target": by_village_target,
            "village_laggards": [
                f"{r['town']}{r['name']}" for r in village_rows if r.get("status") == STATUS_BEHIND
            ],
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
        "as_of": as_of.isoformat(),
        "snapshot_built_at": timezone.localtime(run.built_at).strftime("%Y-%m-%d %H:%M"),
        "snapshot_reconstructed": run.reconstructed,
        "sections": sections,
        "laggards": sorted({n for s in sections for n in s.get("laggards", [])}),
    }


@transaction.atomic
def generate(
    *,
    user: User,
    month: dt.date,
    plan: Plan | None = None,
    remarks: str = "",
    request: HttpRequest | None = None,
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
def publish(*, user: User, bulletin: Bulletin, request: HttpRequest | None = None) -> Bulletin:
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


def confirm_read(
    *, user: User, bulletin: Bulletin, request: HttpRequest | None = None
) -> BulletinRead:
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


def read_status(bulletin: Bulletin, user: User) -> list[dict]:
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

    html = render_to_string(
        "management/bulletin_pdf.html", {"b": bulletin, "d": _for_print(bulletin.data), "pdf": True}
    )
    return HTML(string=html, base_url=None, url_fetcher=_no_fetch).write_pdf(
        stylesheets=[CSS(filename=str(DATA / "bulletin_pdf.css"), url_fetcher=_no_fetch)]
    )


PDF_TOP, PDF_BOTTOM = 5, 10


def _for_print(data: dict) -> dict:
    """The PDF names each indicator's first 5 and last 10 villages (a county has hundreds; the
    page and the xlsx carry the whole ranking)."""
    sections = []
    for s in data.get("sections", []):
        villages = s.get("villages") or []
        cut = len(villages) > PDF_TOP + PDF_BOTTOM
        shown = villages[:PDF_TOP] + villages[-PDF_BOTTOM:] if cut else villages
        sections.append(
            {**s, "villages": shown, "villages_cut": cut, "village_count": len(villages)}
        )
    return {**data, "sections": sections}


def _no_fetch(url: str, *args: object, **kwargs: object) -> NoReturn:
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
    vheader = ["指标", "排名", "村", "乡镇", "完成", "本月", "村目标", "完成率", "状态"]
    vrows = [
        [
            s["name"],
            r["rank"] or "",
            r["name"],
            r["town"],
            r["shown"],
            r["month"],
            r["target"] if r.get("target") is not None else "",
            f"{100 * r['rate']:.1f}%" if r.get("rate") is not None else "",
            r.get("status", ""),
        ]
        for s in d.get("sections", [])
        for r in s.get("villages", [])
    ]
    return [("进度通报", header, rows), ("各村排名", vheader, vrows)]
