"""代办 (assisted service at the village station, and home visits): a staff user serves a resident who
has no phone or cannot use one. The resident's authorisation is recorded first — a photo (or scan) of
the signed authorisation form, or a code texted to the resident's registered phone and read aloud —
then the assistant works in the portal as that resident: every page view and request is marked
【代办】 with the assistant as the acting user and the `Assistance` record on each request.

Only a writer (not a read-only role) may assist, and only residents inside their own area (`scoped`)."""

from __future__ import annotations

import unicodedata

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.access.audit import client_ip, record
from fupin.access.models import AuditAction, User
from fupin.access.scope import get_scoped, require_writer, scoped
from fupin.management.evidence import CONTENT_TYPES, Checked, EvidenceError, check
from fupin.registry.choices import Status
from fupin.registry.idnumber import mask
from fupin.registry.models import Person
from fupin.web.list_export import Column, export, wants_xlsx
from fupin.web.paging import page_of

from . import otp
from .auth import ASSIST_KEY, begin_assisted_session, end_resident_session
from .models import Assistance, AssistMode, Authorisation

PENDING = "portal_assist_pending"
PHOTO_KINDS = {"jpg", "png", "pdf"}


def _find(user: User, raw: object) -> Person:
    id_number = otp.clean_id(raw)
    person = (
        scoped(Person.objects.select_related("household"), user)
        .exclude(status=Status.REMOVED)
        .filter(id_number=id_number)
        .first()
    )
    if person is None:
        raise otp.LoginRefused("身份证号：本辖区没有这个人员（或已自然减少）", "id_number")
    return person


def _close_current(request: HttpRequest) -> None:
    assist = request.session.get(ASSIST_KEY)
    if isinstance(assist, dict):
        Assistance.objects.filter(
            pk=assist.get("assistance"), assistant=request.user, ended_at__isnull=True
        ).update(ended_at=timezone.now())


def _open(
    request: HttpRequest,
    person: Person,
    *,
    mode: str,
    authorisation: str,
    note: str,
    photo: tuple[Checked, bytes] | None = None,
) -> Assistance:
    _close_current(request)  # one resident at a time
    with transaction.atomic():
        a = Assistance(
            person=person,
            village_code=person.village_code,
            assistant=request.user,
            mode=mode,
            authorisation=authorisation,
            note=note,
        )
        if photo is not None:
            checked, data = photo
            a.photo.save(checked.stored_name, ContentFile(data), save=False)
        a.save()
        record(
            AuditAction.CREATE,
            user=request.user,
            request=request,
            obj=a,
            summary=f"开始代办：{person.name}（{a.get_mode_display()}，{a.get_authorisation_display()}）",
        )
    begin_assisted_session(request, person, assistance_id=a.pk, mode=mode)
    return a


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Step 1: who, how (station / home), and the authorisation (photo now, or send a code)."""
    require_writer(request.user)
    error = field = ""
    form = {
        "id_number": "",
        "mode": AssistMode.STATION,
        "authorisation": Authorisation.PHOTO,
        "note": "",
    }
    if request.method == "POST":
        form = {k: str(request.POST.get(k, ""))[:300] for k in form}
        try:
            person = _find(request.user, form["id_number"])
            mode, how = form["mode"], form["authorisation"]
            if mode not in AssistMode.values:
                raise otp.LoginRefused("服务方式：请选择村便民服务站代办或上门服务", "mode")
            if how not in Authorisation.values:
                raise otp.LoginRefused(
                    "授权方式：请选择签字授权书拍照或验证码口述", "authorisation"
                )
            note = "".join(ch for ch in form["note"] if unicodedata.category(ch)[0] != "C").strip()
            if mode == AssistMode.HOME and not note:
                raise otp.LoginRefused(
                    "说明：上门服务请写明上门地址和居民情况（如行动不便）", "note"
                )
            if how == Authorisation.PHOTO:
                try:
                    photo = check(request.FILES.get("photo"))
                except EvidenceError as e:
                    raise otp.LoginRefused(f"授权书照片：{e}", "photo") from None
                if photo[0].kind not in PHOTO_KINDS:
                    raise otp.LoginRefused("授权书照片：请上传 JPEG/PNG 照片或 PDF 扫描件", "photo")
                _open(request, person, mode=mode, authorisation=how, note=note, photo=photo)
                messages.success(request, f"已记录授权，开始为 {person.name} 代办")
                return redirect("portal:home")
            row = otp.request_consent_code(
                person=person, assistant_name=request.user.username, ip=client_ip(request)
            )
            request.session[PENDING] = {
                "person": person.pk,
                "code": row.pk,
                "mode": mode,
                "note": note,
            }
            return redirect("portal:assist_code")
        except otp.LoginRefused as e:
            error, field = e.message, e.field
    return render(
        request,
        "portal/staff/assist_start.html",
        {"form": form, "error": error, "field": field, "modes": AssistMode.choices,
         "ways": Authorisation.choices},
    )  # fmt: skip


@login_required
def code(request: HttpRequest) -> HttpResponse:
    """Step 2 (code authorisation): the code the resident reads aloud."""
    require_writer(request.user)
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return redirect("portal:assist_start")
    person = get_scoped(
        Person.objects.select_related("household"), request.user, pk=pending.get("person")
    )
    error = ""
    if request.method == "POST":
        try:
            otp.verify_code(
                code_id=pending.get("code"),
                id_number=person.id_number,
                phone=otp.consent_phone(person),
                code_raw=str(request.POST.get("code", ""))[:20],
            )
        except otp.LoginRefused as e:
            error = e.message
        else:
            request.session.pop(PENDING, None)
            _open(request, person, mode=pending.get("mode", AssistMode.STATION),
                  authorisation=Authorisation.CODE, note=str(pending.get("note", ""))[:300])  # fmt: skip
            messages.success(request, f"居民已口述验证码授权，开始为 {person.name} 代办")
            return redirect("portal:home")
    phone = otp.consent_phone(person)
    return render(
        request,
        "portal/staff/assist_code.html",
        {"person": person, "masked": mask(person.id_number), "phone": phone[:3] + "****" + phone[-4:], "error": error},
    )  # fmt: skip


@require_POST
def end(request: HttpRequest) -> HttpResponse:
    """结束代办: the record closes; the assistant is back on the staff side."""
    if not request.user.is_authenticated:
        return redirect("portal:login")
    _close_current(request)
    end_resident_session(request)
    messages.success(request, "已结束代办")
    return redirect("portal:assist_records")


@login_required
def records(request: HttpRequest) -> HttpResponseBase:
    qs = scoped(Assistance.objects.select_related("person", "assistant"), request.user).order_by(
        "-started_at", "-id"
    )
    if wants_xlsx(request):
        return export(
            request,
            qs,
            title="代办记录",
            columns=[
                Column("编号", lambda a: a.pk),
                Column("身份证号", lambda a: mask(a.person.id_number)),
                Column("姓名", lambda a: a.person.name),
                Column("村", lambda a: a.village_code, area=True),
                Column("代办员", lambda a: a.assistant.username),
                Column("服务方式", lambda a: a.get_mode_display()),
                Column("授权方式", lambda a: a.get_authorisation_display()),
                Column("说明", lambda a: a.note),
                Column("开始", lambda a: timezone.localtime(a.started_at).strftime("%Y-%m-%d %H:%M")),
                Column("结束",
                       lambda a: timezone.localtime(a.ended_at).strftime("%Y-%m-%d %H:%M") if a.ended_at else "进行中"),
            ],
        )  # fmt: skip
    return render(request, "portal/staff/assist_records.html", {"page": page_of(request, qs)})


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    a = get_scoped(Assistance.objects.select_related("person", "assistant"), request.user, pk=pk)
    return render(
        request,
        "portal/staff/assist_record.html",
        {"a": a, "masked": mask(a.person.id_number), "requests": a.requests.all()},
    )


@login_required
def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    a = get_scoped(Assistance.objects.all(), request.user, pk=pk)
    if not a.photo:
        return redirect("portal:assist_record", pk=a.pk)
    try:
        handle = a.photo.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("文件不存在") from None
    kind = a.photo.name.rsplit(".", 1)[-1]
    record(AuditAction.EXPORT, user=request.user, request=request, obj=a,
           summary=f"查看代办授权书：{a.person.name}")  # fmt: skip
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"代办授权书{a.pk}.{kind}",
        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
