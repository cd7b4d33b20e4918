"""建档立卡 pages: thin views over selectors (reads) and services (writes)."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fupin import bounds
from fupin.access.audit import record
from fupin.access.models import AuditAction
from fupin.access.scope import area_code_of, require_writer, scoped
from fupin.areas.models import Area, village_code_range
from fupin.web.list_export import Column, export, wants_xlsx
from fupin.web.xlsx import xlsx_response

from . import exports, selectors, services
from .choices import SPECIAL_IDENTITIES, HouseholdAttribute, LabourSkill, PovertyCause, Status
from .forms import HouseholdForm, PersonForm, StatusChangeForm
from .models import Household, Person

EXPORT_LIMIT = 200_000


@login_required
def areas(request: HttpRequest) -> HttpResponseBase:
    """区划导航: the user's area and the household counts of its sub-areas."""
    root_code = area_code_of(request.user) if request.user.area_id else None
    code = request.GET.get("code") or root_code or ""
    if root_code and not code.startswith(root_code):
        code = root_code
    area = Area.objects.filter(code=code).first() if code else None
    children = (
        list(Area.objects.filter(parent=area).order_by("code"))
        if area
        else list(Area.objects.filter(level=1))
    )
    counts: dict[str, int] = {}
    if children:
        n = len(children[0].code)
        hh = selectors.households(request.user)
        if area:
            hh = hh.filter(village_code__range=village_code_range(area.code))
        for row in hh.order_by().values("village_code").annotate(n=Count("id")):
            key = row["village_code"][:n]
            counts[key] = counts.get(key, 0) + row["n"]
    crumbs = [
        a
        for a in (area.ancestors() + [area] if area else [])
        if not root_code or a.code.startswith(root_code)
    ]
    if wants_xlsx(request):
        return export(
            request,
            [(c, counts.get(c.code, 0)) for c in children],
            title=f"{area.name if area else '全部'}下级区划",
            columns=[
                Column("名称", lambda row: row[0].name),
                Column("代码", lambda row: row[0].code),
                Column("贫困户数", lambda row: row[1]),
            ],
        )
    return render(
        request,
        "registry/areas.html",
        {
            "area": area,
            "crumbs": crumbs,
            "children": [(c, counts.get(c.code, 0)) for c in children],
        },
    )


@login_required
def households(request: HttpRequest) -> HttpResponse:
    f = selectors.HouseholdFilter.from_params(request.GET)
    for e in f.errors:
        messages.warning(request, e)
    qs = selectors.households(request.user, f)
    after = bounds.query_id(request.GET.get("after"))
    page = selectors.keyset_page(
        qs.select_related("village"),
        after=after,
        page=bounds.query_int(request.GET.get("page"), 1, 1, bounds.MAX_ID),
    )
    ctx = {
        "filter": f,
        "page": page,
        "total": qs.count(),
        "params": f.as_params(),
        "statuses": Status.choices,
        "attributes": HouseholdAttribute.choices,
        "causes": PovertyCause.choices,
        "skills": LabourSkill.choices,
        "identities": SPECIAL_IDENTITIES.items(),
        "area_options": scoped(Area.objects.filter(level__in=[4, 5]), request.user)
        .order_by("code")
        .only("code", "name", "level"),
    }
    template = "registry/_household_rows.html" if request.htmx else "registry/households.html"
    return render(request, template, ctx)


@login_required
def households_export(request: HttpRequest) -> HttpResponseBase:
    f = selectors.HouseholdFilter.from_params(request.GET)
    unmasked = request.GET.get("unmasked") == "1"
    if unmasked and not request.user.may_unmask:
        raise PermissionDenied("无权导出完整身份证号")
    qs = selectors.households(request.user, f).order_by("-id")[:EXPORT_LIMIT]
    people = scoped(Person.objects.filter(household__in=qs.values("id")), request.user).order_by(
        "household_id", "id"
    )
    return xlsx_response(
        user=request.user,
        request=request,
        filename="贫困户名单.xlsx",
        unmasked=unmasked,
        summary=f"导出贫困户名单 筛选={f.as_params()}",
        sheets=[
            ("贫困户", [h for h, _ in exports.HOUSEHOLD_COLUMNS], exports.household_rows(qs)),
            (
                "家庭成员",
                [h for h, _ in exports.PERSON_COLUMNS],
                exports.person_rows(people, unmasked=unmasked),
            ),
        ],
    )


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hh = selectors.household(request.user, pk)
    return render(
        request,
        "registry/household.html",
        {
            "hh": hh,
            "members": selectors.members(request.user, hh),
            "history": selectors.history(request.user, hh=hh)[:100],
            "status_form": StatusChangeForm(current=hh.status),
        },
    )


@login_required
def household_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_writer(request.user)
    if request.method != "POST":
        instance = selectors.household(request.user, pk) if pk else None
        form = HouseholdForm(instance=instance, user=request.user)
        return render(
            request, "web/form.html", {"form": form, "title": "编辑贫困户" if pk else "新增贫困户"}
        )
    with transaction.atomic():  # the row is read, checked and written under its lock
        instance = selectors.household(request.user, pk, for_update=True) if pk else None
        form = HouseholdForm(request.POST, instance=instance, user=request.user)
        hh = _save(form, services.save_household, request)
    if hh is not None:
        messages.success(request, f"已保存贫困户 {hh.number}")
        return redirect("registry:household", pk=hh.pk)
    return render(
        request, "web/form.html", {"form": form, "title": "编辑贫困户" if pk else "新增贫困户"}
    )


def _save(
    form: forms.ModelForm, save: Callable[..., Household | Person], request: HttpRequest
) -> Household | Person | None:
    """The saved object, or None with the fault on the form (a stale version included)."""
    if not form.is_valid():
        return None
    try:
        return save(user=request.user, form=form, request=request)
    except services.Conflict as exc:
        form.add_error(None, str(exc))
        return None


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    p = selectors.person(request.user, pk)
    return render(
        request,
        "registry/person.html",
        {
            "p": p,
            "history": selectors.history(request.user, p=p),
            "status_form": StatusChangeForm(current=p.status),
            "extra_sections": person_sections(request, p),
        },
    )


def person_sections(request: HttpRequest, person: Person) -> list[str]:
    """HTML fragments other modules add to the person page (就业、培训、参保 …)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    return [
        import_string(path)(request, person)
        for path in getattr(settings, "PERSON_PAGE_SECTIONS", [])
    ]


@login_required
def person_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """新增/编辑家庭成员. The ID number shows masked; `?show_id=1` shows it in full to a user
    who may unmask (and logs it), so that he can correct it."""
    require_writer(request.user)
    reveal = request.GET.get("show_id") == "1" and request.user.may_unmask
    title = "编辑家庭成员" if pk else "新增家庭成员"
    if request.method != "POST":
        instance = selectors.person(request.user, pk) if pk else None
        initial = {"household": bounds.query_id(request.GET.get("household"))} if not pk else None
        form = PersonForm(instance=instance, user=request.user, initial=initial, reveal_id=reveal)
        if form.reveals_id:
            record(
                AuditAction.UNMASK,
                user=request.user,
                request=request,
                obj=instance,
                summary=f"编辑页面显示 {instance.name} 的完整身份证号",
            )
        return render(
            request,
            "web/form.html",
            {"form": form, "title": title, "reveal_id_url": _reveal_url(request, form)},
        )
    with transaction.atomic():
        instance = selectors.person(request.user, pk, for_update=True) if pk else None
        form = PersonForm(request.POST, instance=instance, user=request.user, reveal_id=reveal)
        p = _save(form, services.save_person, request)
    if p is not None:
        messages.success(request, f"已保存家庭成员 {p.name}")
        return redirect("registry:person", pk=p.pk)
    return render(
        request,
        "web/form.html",
        {"form": form, "title": title, "reveal_id_url": _reveal_url(request, form)},
    )


def _reveal_url(request: HttpRequest, form: PersonForm) -> str:
    """The link that shows the full number for correcting it — offered only to who may use it."""
    if form.instance.pk and form.may_correct_id and not form.reveals_id:
        return f"{request.path}?show_id=1"
    return ""


@login_required
@require_POST
def status_change(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    require_writer(request.user)
    subject = (
        selectors.household(request.user, pk)
        if kind == "household"
        else selectors.person(request.user, pk)
    )
    form = StatusChangeForm(request.POST, current=subject.status)
    if form.is_valid():
        try:
            services.change_status(
                user=request.user, subject=subject, request=request, **form.cleaned_data
            )
        except services.Conflict as exc:  # someone else changed the status first
            messages.error(request, f"状态未变更：{exc}")
        else:
            messages.success(
                request, f"状态已变更为“{Status(form.cleaned_data['new_status']).label}”"
            )
    else:
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for e in errs:
                messages.error(request, f"{label}：{e}" if label else e)
    target = "registry:household" if kind == "household" else "registry:person"
    return redirect(target, pk=pk)


@login_required
@require_POST
def unmask(request: HttpRequest, pk: int) -> HttpResponse:
    """显示完整身份证号 — permitted users only, and every view is logged."""
    p = selectors.person(request.user, pk)
    if not request.user.may_unmask:
        raise PermissionDenied("无权查看完整身份证号")
    record(
        AuditAction.UNMASK,
        user=request.user,
        request=request,
        obj=p,
        summary=f"查看 {p.name} 的完整身份证号",
    )
    return HttpResponse(f'<span class="font-monospace" id="full-id">{p.id_number}</span>')
