"""Resident portal pages (居民服务门户): thin views; reads in selectors.py, writes in services.py."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from fupin.access.audit import client_ip, record
from fupin.access.models import AuditAction
from fupin.registry.idnumber import mask

from . import audit, menu, otp
from .auth import begin_resident_session, end_resident_session, resident_required


@resident_required
def home(request):
    audit.viewed(request, "门户首页")
    return render(request, "portal/home.html", {"menu": menu.links()})


PENDING_KEY = "portal_login"


def _safe_next(request, raw) -> str:
    if raw and url_has_allowed_host_and_scheme(raw, allowed_hosts={request.get_host()}):
        if raw.startswith("/portal/"):
            return raw
    return reverse("portal:home")


def login(request):
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


def login_code(request):
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
def logout(request):
    staff = getattr(request, "user", None) is not None and request.user.is_authenticated
    end_resident_session(request)
    if not staff:
        request.session.flush()
    return redirect("portal:login")
