"""低保/特困 periods on the person page (特殊身份期间): list, add a dated period, end an open one.

The settlement reads these periods to settle each claim with the category of its admission day
(`fupin.insurance.categories`); the writes go through `services.record_identity_period` and
`services.end_identity_period` (locked, no overlap, audited). Every fault is a Chinese message
naming the field; nothing here answers with a 500."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from fupin.access.scope import area_code_in_scope, get_scoped
from fupin.bounds import BoundsError, parse_date, today

from . import selectors, services
from .choices import SpecialIdentity
from .models import IdentityPeriod, Person

REASON_MAX = 300


def person_section(request: HttpRequest, person: Person) -> str:
    periods = list(IdentityPeriod.objects.filter(person=person).order_by("identity", "start", "id"))
    may_write = not request.user.read_only and area_code_in_scope(request.user, person.village_code)
    return render_to_string(
        "registry/_identity_periods.html",
        {"p": person, "periods": periods, "identities": SpecialIdentity.choices, "may_write": may_write,
         "today": today().isoformat()},
        request=request,
    )  # fmt: skip


def _reason(post: QueryDict) -> str:
    reason = (post.get("reason") or "").strip()
    if not reason:
        raise BoundsError("依据：必填（如民政部门审批文号或认定日期）")
    if len(reason) > REASON_MAX:
        raise BoundsError(f"依据：内容过长（最多{REASON_MAX}个字）")
    return reason


def _not_future(day: dt.date, label: str) -> dt.date:
    if day > today():
        raise BoundsError(f"{label} {day} 晚于今天")
    return day


@login_required
@require_POST
def identity_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person(request.user, pk)
    post = request.POST
    try:
        identity = post.get("identity", "")
        if identity not in SpecialIdentity.values:
            raise BoundsError("身份：请选择低保对象或特困供养人员")
        start = _not_future(parse_date(post.get("start", ""), "起始日期"), "起始日期")
        end_text = (post.get("end") or "").strip()
        end = _not_future(parse_date(end_text, "终止日期"), "终止日期") if end_text else None
        reason = _reason(post)
        services.record_identity_period(user=request.user, person=person, identity=identity, start=start,
                                        end=end, reason=reason, request=request)  # fmt: skip
    except (BoundsError, services.Conflict) as exc:
        messages.error(request, f"特殊身份期间未登记：{exc}")
    else:
        label = SpecialIdentity(identity).label
        messages.success(request, f"已登记{label}期间 {start} 至 {end or '今'}")
    return redirect("registry:person", pk=person.pk)


@login_required
@require_POST
def identity_end(request: HttpRequest, pk: int, period: int) -> HttpResponse:
    person = selectors.person(request.user, pk)
    found = get_scoped(IdentityPeriod.objects.filter(person=person), request.user, pk=period)
    try:
        end = _not_future(parse_date(request.POST.get("end", ""), "终止日期"), "终止日期")
        reason = _reason(request.POST)
        services.end_identity_period(
            user=request.user, period=found, end=end, reason=reason, request=request
        )
    except (BoundsError, services.Conflict) as exc:
        messages.error(request, f"特殊身份期间未终止：{exc}")
    else:
        messages.success(request, f"{found.get_identity_display()}期间已终止于 {end}")
    return redirect("registry:person", pk=person.pk)
