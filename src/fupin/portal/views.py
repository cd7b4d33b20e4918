"""Resident portal pages (居民服务门户): thin views; reads in selectors.py, writes in services.py."""

import unicodedata

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from fupin.access.audit import client_ip, record
from fupin.access.models import AuditAction
from fupin.insurance.claims.models import MedicalClaim
from fupin.registry.idnumber import mask

from . import audit, menu, otp, pension, selectors, services
from .auth import begin_resident_session, end_resident_session, household_get, resident_required
from .models import RequestKind, ResidentRequest


@resident_required
def home(request: HttpRequest) -> HttpResponse:
    audit.viewed(request, "门户首页")
    return render(request, "portal/home.html", {"menu": menu.links()})


PENDING_KEY = "portal_login"


def _safe_next(request: HttpRequest, raw: str | None) -> str:
    if raw and url_has_allowed_host_and_scheme(raw, allowed_hosts={request.get_host()}):
        if raw.startswith("/portal/"):
            return raw
    return reverse("portal:home")


def login(request: HttpRequest) -> HttpResponse:
    """Step 1: ID number and phone number → a code is texted (if they match the registry)."""
    form = {"id_number": "", "phone": ""}
    error = field = ""
    if request.method == "POST":
        form = {k: str(request.POST.get(k, ""))[:100] for k in form}
        try:
            row = otp.request_code(
                id_raw=form["id_number"], phone_raw=form["phone"], ip=client_ip(request)
            )
        except otp.LoginRefused as e:
            error, field = e.message, e.field
        else:
            request.session[PENDING_KEY] = {
                "code": row.pk,
                "id": otp.clean_id(form["id_number"]),
                "phone": otp.clean_phone(form["phone"]),
                "next": _safe_next(request, request.POST.get("next")),
            }
            return redirect("portal:login_code")
    return render(
        request,
        "portal/login.html",
        {"form": form, "error": error, "field": field, "next": request.GET.get("next", "")},
    )


def login_code(request: HttpRequest) -> HttpResponse:
    """Step 2: the code. The same answers whether or not the ID number is registered."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return redirect("portal:login")
    error = ""
    if request.method == "POST":
        try:
            person = otp.verify_code(
                code_id=pending.get("code"),
                id_number=str(pending.get("id", "")),
                phone=str(pending.get("phone", "")),
                code_raw=str(request.POST.get("code", ""))[:20],
            )
        except otp.LoginRefused as e:
            error = e.message
            record(
                AuditAction.LOGIN_FAILED,
                user=None,
                request=request,
                object_type="person",
                summary=f"居民门户登录失败：{e.message}",
                username=f"居民 {mask(str(pending.get('id', '')))}",
            )
        else:
            request.session.pop(PENDING_KEY, None)
            begin_resident_session(request, person)
            record(
                AuditAction.LOGIN,
                user=None,
                request=request,
                obj=person,
                summary="居民门户登录（验证码）",
                username=f"居民 {person.name} {mask(person.id_number)}",
            )
            return redirect(_safe_next(request, pending.get("next")))
    phone = str(pending.get("phone", ""))
    return render(
        request,
        "portal/login_code.html",
        {"error": error, "phone": phone[:3] + "****" + phone[-4:]},
    )


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    staff = getattr(request, "user", None) is not None and request.user.is_authenticated
    end_resident_session(request)
    if not staff:
        request.session.flush()
    return redirect("portal:login")


# ---- 我的信息、就业、补贴、医疗费用 (resident pages; every one audited) --------------------------------


@resident_required
def me(request: HttpRequest) -> HttpResponse:
    audit.viewed(request, "我的信息（状态、帮扶计划、养老医疗、代缴、慢性病证）")
    data = selectors.overview(request.resident_members)
    return render(request, "portal/me.html", data)


@resident_required
def jobs(request: HttpRequest) -> HttpResponse:
    audit.viewed(request, "就业与培训")
    return render(request, "portal/jobs.html", selectors.jobs(request.resident_members))


@resident_required
def money(request: HttpRequest) -> HttpResponse:
    audit.viewed(request, "补贴与贷款")
    return render(request, "portal/money.html", selectors.money(request.resident_members))


@resident_required
def claims(request: HttpRequest) -> HttpResponse:
    audit.viewed(request, "医疗费用结算")
    return render(
        request, "portal/claims.html", {"claims": selectors.claims(request.resident_members)}
    )


@resident_required
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    row = household_get(request, MedicalClaim.objects.with_split().select_related("person"), pk=pk)
    audit.viewed(request, f"医疗费用结算单 {row.claim_no} 的说明", obj=row)
    return render(request, "portal/claim.html", {"c": row, **selectors.explain(row)})


# ---- 我要申请 (requests) ---------------------------------------------------------------------


@resident_required
def requests_home(request: HttpRequest) -> HttpResponse:
    audit.viewed(request, "我的申请")
    return render(
        request,
        "portal/requests.html",
        {"rows": selectors.requests_of(request.resident_members), "kinds": RequestKind.choices},
    )


@resident_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = household_get(request, ResidentRequest.objects.select_related("person"), pk=pk)
    audit.viewed(request, f"申请 {row.pk}（{row.get_kind_display()}）", obj=row)
    return render(request, "portal/request.html", {"r": row})


def _text(request: HttpRequest, name: str, label: str, limit: int, required: bool = False) -> str:
    raw = str(request.POST.get(name, ""))[: limit * 4 + 100]
    value = "".join(ch for ch in raw if ch in "\n" or unicodedata.category(ch)[0] != "C").strip()
    if required and not value:
        raise services.RequestRefused(f"{label}：未填写", name)
    if len(value) > limit:
        raise services.RequestRefused(f"{label}：最多 {limit} 字，现有 {len(value)} 字", name)
    return value


def _filed(request: HttpRequest, row: ResidentRequest) -> HttpResponse:
    messages.success(
        request,
        f"已提交“{row.get_kind_display()}”，乡镇将在 {row.due_on:%Y年%m月%d日} 前办理。",
    )
    return redirect("portal:request", pk=row.pk)


@resident_required
def request_pension(request: HttpRequest) -> HttpResponse:
    choice = pension.choice_for(request.resident)
    error = field = ""
    if request.method == "POST":
        try:
            if choice.drawing:
                raise services.RequestRefused("您已按月领取养老金，不再选择缴费档次")
            raw = str(request.POST.get("tier", ""))[:20]
            tier = int(raw) if raw.isascii() and raw.isdigit() else None
            if tier not in choice.tiers:
                raise services.RequestRefused("缴费档次：请从列出的档次中选择一个", "tier")
            row = services.file_request(
                request,
                kind=RequestKind.PENSION_TIER,
                detail={
                    "year": choice.year,
                    "tier_fen": tier,
                    "government_fen": choice.government_fen,
                    "self_fen": max(0, tier - choice.government_fen),
                },
                note=_text(request, "note", "留言", 300),
            )
        except services.RequestRefused as e:
            error, field = e.message, e.field
        else:
            return _filed(request, row)
    else:
        audit.viewed(request, "选择养老保险缴费档次")
    return render(
        request, "portal/request_pension.html", {"choice": choice, "error": error, "field": field}
    )


FORMS = {
    # kind: (title, [(field, label, limit, required)], lead)
    RequestKind.TRAINING: (
        "申请参加技能培训",
        [("wished_trade", "想学的工种（如电工、家政、电商）", 50, True)],
        "乡镇会按您想学的工种安排培训班，并告诉您开班时间和地点。",
    ),
    RequestKind.JOB: (
        "申请推荐就业",
        [("wished_work", "想做的工作、希望的地点", 100, True)],
        "乡镇会按您的情况推荐合适的岗位，并安排面试。",
    ),
    RequestKind.APPRAISAL: (
        "申请慢性病鉴定",
        [("disease", "所患疾病（如高血压、糖尿病）", 200, True)],
        "乡镇会通知您参加下一轮慢性病鉴定；请准备好近期的病历和检查报告。",
    ),
}


def _simple_request(request: HttpRequest, kind: RequestKind) -> HttpResponse:
    title, fields, lead = FORMS[kind]
    error = field = ""
    values = {}
    if request.method == "POST":
        try:
            values = {
                name: _text(request, name, label, lim, req) for name, label, lim, req in fields
            }
            note = _text(request, "note", "留言", 300)
            row = services.file_request(request, kind=kind, detail=values, note=note)
        except services.RequestRefused as e:
            error, field = e.message, e.field
        else:
            return _filed(request, row)
    else:
        audit.viewed(request, title)
    return render(
        request,
        "portal/request_form.html",
        {
            "title": title,
            "lead": lead,
            "fields": [
                {"name": n, "label": lab, "limit": lim, "value": values.get(n, "")}
                for n, lab, lim, _ in fields
            ],
            "error": error,
            "field": field,
        },
    )


@resident_required
def request_training(request: HttpRequest) -> HttpResponse:
    return _simple_request(request, RequestKind.TRAINING)


@resident_required
def request_job(request: HttpRequest) -> HttpResponse:
    return _simple_request(request, RequestKind.JOB)


@resident_required
def request_appraisal(request: HttpRequest) -> HttpResponse:
    return _simple_request(request, RequestKind.APPRAISAL)


@resident_required
def request_phone(request: HttpRequest) -> HttpResponse:
    error = field = ""
    if request.method == "POST":
        try:
            try:
                phone = otp.clean_phone(request.POST.get("phone", ""))
            except otp.LoginRefused as e:
                raise services.RequestRefused(
                    "新手机号码：应为 11 位数字的手机号（1 开头）", "phone"
                ) from e
            if phone == request.resident.phone:
                raise services.RequestRefused("新手机号码：与登记的号码相同，无需更新", "phone")
            row = services.file_request(
                request,
                kind=RequestKind.PHONE,
                detail={"phone": phone},
                note=_text(request, "note", "留言", 300),
            )
        except services.RequestRefused as e:
            error, field = e.message, e.field
        else:
            return _filed(request, row)
    else:
        audit.viewed(request, "更新手机号码")
    return render(request, "portal/request_phone.html", {"error": error, "field": field})
