"""建档立卡 API: routes for areas, households and persons; translate JSON to forms, services and selectors."""

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.db import transaction
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from fupin.access.audit import record
from fupin.access.models import AuditAction
from fupin.access.scope import get_scoped, scoped
from fupin.areas.models import Area
from fupin.bounds import Id
from fupin.policy.params import fen_to_yuan
from fupin.registry import selectors, services
from fupin.registry.forms import HouseholdForm, PersonForm, StatusChangeForm, errors_of
from fupin.registry.models import Household, Person, StatusChange
from fupin.web.schemas import form_schema

router = Router(tags=["建档立卡"])
T = TypeVar("T")
F = TypeVar("F", bound=forms.BaseForm)
MAX_LIMIT = 200


class AreaOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None = None

    @staticmethod
    def resolve_parent_code(obj: Area) -> str | None:
        return obj.code[: {4: 2, 6: 4, 9: 6, 12: 9}.get(len(obj.code), 0)] or None


class HouseholdOut(Schema):
    id: int
    number: str
    village_code: str
    address: str
    head_name: str
    phone: str
    attribute: str
    standard: str
    year_identified: int
    main_cause: str
    cause_2: str
    cause_3: str
    status: str
    exit_year: int | None
    income_year: int | None
    per_capita_income_fen: int
    housing: str
    water_safe: bool
    cadre_name: str
    cadre_unit: str
    cadre_phone: str
    member_count: int
    version: int


class PersonOut(Schema):
    id: int
    household_id: int
    village_code: str
    id_number: str
    name: str
    sex: str
    birth_date: dt.date
    ethnicity: str
    relation: str
    education: str
    schooling: str
    health: str
    disability_type: str
    disability_grade: int | None
    labour_skill: str
    work_status: str
    months_worked: int
    intention: str
    training_need: bool
    wished_trade: str
    dibao: bool
    tekun: bool
    wubao: bool
    severe_disability: bool
    poor_graduate: bool
    technical_student: bool
    pension_status: str
    medical_status: str
    status: str
    version: int

    @staticmethod
    def resolve_id_number(obj: Person) -> str:
        # Full only when the route has checked permission and audited the view.
        return obj.id_number if getattr(obj, "show_full_id", False) else obj.masked_id


class HouseholdDetail(HouseholdOut):
    members: list[PersonOut]


class PageOut(Schema):
    items: list[Any]
    count: int
    next_after: int | None


class HouseholdPage(PageOut):
    items: list[HouseholdOut]


class PersonPage(PageOut):
    items: list[PersonOut]


class HouseholdFilterIn(Schema):
    area: str = ""
    status: str = ""
    attribute: str = ""
    cause: str = ""
    labour_skill: str = ""
    identity: str = ""
    q: str = ""
    after: Id | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


StatusIn = form_schema(StatusChangeForm, "StatusIn")


class StatusOut(Schema):
    id: int
    old_status: str
    new_status: str
    effective_date: dt.date
    reason: str


def _unprocessable(form: forms.BaseForm) -> HttpError:
    err = HttpError(422, "数据校验未通过")
    err.errors = errors_of(form)  # type: ignore[attr-defined]
    return err


def _form_or_422(form: F) -> F:
    if not form.is_valid():
        if getattr(form, "is_stale", lambda: False)():
            raise HttpError(409, form.non_field_errors()[0])
        raise _unprocessable(form)
    return form


def _saved_or_409(save: Callable[..., T], **kwargs: object) -> T:
    try:
        return save(**kwargs)
    except services.Conflict as exc:
        raise HttpError(409, str(exc)) from None


@router.get("/areas", response=list[AreaOut])
def list_areas(request: HttpRequest, parent: str = "") -> QuerySet[Area]:
    """区划列表（本辖区内）；parent 为上级代码时只列其下一级。"""
    qs = scoped(Area.objects.all(), request.user)
    if parent:
        qs = qs.filter(parent__code=parent)
    return qs.order_by("code")[:5000]


@router.get("/areas/{code}", response=AreaOut)
def get_area(request: HttpRequest, code: str) -> Area:
    return get_scoped(Area.objects.all(), request.user, code=code)


@router.get("/households", response=HouseholdPage)
def list_households(request: HttpRequest, filters: Query[HouseholdFilterIn]) -> dict[str, object]:
    """贫困户列表：与页面相同的筛选；按 id 倒序，用 next_after 翻页。"""
    f = selectors.HouseholdFilter.from_params(filters.dict())
    if f.errors:
        raise HttpError(422, "；".join(f.errors))
    qs = selectors.households(request.user, f)
    page = selectors.keyset_page(qs, after=filters.after, size=filters.limit)
    return {"items": page.items, "count": qs.count(), "next_after": page.next_after}


@router.get("/households/{int:pk}", response=HouseholdDetail)
def get_household(request: HttpRequest, pk: int) -> HouseholdDetail:
    hh = selectors.household(request.user, pk)
    hh.members_list = list(selectors.members(request.user, hh))
    return HouseholdDetail.model_validate(
        {**HouseholdOut.from_orm(hh).dict(), "members": hh.members_list}
    )


def _payload(
    data: dict,
    instance: Household | Person | None = None,
    exclude: tuple[str, ...] = (),
    model: type[Household | Person] | None = None,
) -> dict:
    """Form data: the stored values (update) or the model's defaults (create), then the JSON."""
    if instance is not None:
        base = {k: v for k, v in model_to_dict(instance).items() if k not in exclude}
    else:
        base = {f.name: f.get_default() for f in model._meta.concrete_fields if f.has_default()}
    if instance is not None and isinstance(instance, Household):
        base["village"] = instance.village_code
        for part in ("wage", "business", "transfer", "property"):
            base[f"income_{part}"] = fen_to_yuan(getattr(instance, f"income_{part}_fen"))
    base.update({k: v for k, v in data.items() if v is not None})
    return {k: ("" if v is None else v) for k, v in base.items()}


HouseholdIn = form_schema(HouseholdForm, "HouseholdIn")
PersonIn = form_schema(PersonForm, "PersonIn")


@router.post("/households", response={201: HouseholdOut})
def create_household(request: HttpRequest, data: HouseholdIn) -> Status:
    form = _form_or_422(
        HouseholdForm(_payload(data.dict(exclude_unset=True), model=Household), user=request.user)
    )
    return Status(201, services.save_household(user=request.user, form=form, request=request))


@router.patch("/households/{int:pk}", response={200: HouseholdOut, 409: dict})
def update_household(request: HttpRequest, pk: int, data: HouseholdIn) -> Household:
    """修改贫困户：只改提交的字段。带上读到的 `version` 时，期间已被他人修改则返回 409。"""
    with (
        transaction.atomic()
    ):  # fields not sent are taken from the row as stored now, under its lock
        hh = selectors.household(request.user, pk, for_update=True)
        form = _form_or_422(
            HouseholdForm(
                _payload(data.dict(exclude_unset=True), hh), instance=hh, user=request.user
            )
        )
        return _saved_or_409(services.save_household, user=request.user, form=form, request=request)


def _status(request: HttpRequest, subject: Household | Person, data: StatusIn) -> StatusChange:
    form = _form_or_422(StatusChangeForm(data.dict(exclude_none=True), current=subject.status))
    return _saved_or_409(
        services.change_status,
        user=request.user,
        subject=subject,
        request=request,
        **form.cleaned_data,
    )


@router.post("/households/{int:pk}/status", response={200: StatusOut, 409: dict})
def household_status(request: HttpRequest, pk: int, data: StatusIn) -> StatusChange:
    return _status(request, selectors.household(request.user, pk), data)


@router.get("/persons", response=PersonPage)
def list_persons(
    request: HttpRequest,
    q: str = "",
    household: Id | None = None,
    after: Id | None = None,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
) -> dict[str, object]:
    """家庭成员查询：姓名前缀或完整身份证号。"""
    qs = selectors.persons(request.user, q)
    if household is not None:
        qs = qs.filter(household_id=household)
    page = selectors.keyset_page(qs, after=after, size=limit)
    return {"items": page.items, "count": qs.count(), "next_after": page.next_after}


@router.get("/persons/{int:pk}", response=PersonOut)
def get_person(request: HttpRequest, pk: int, unmasked: bool = False) -> Person:
    """家庭成员详情；unmasked=true 返回完整身份证号（需权限，记入审计日志）。"""
    p = selectors.person(request.user, pk)
    if unmasked:
        if not request.user.may_unmask:
            raise HttpError(403, "无权查看完整身份证号")
        record(
            AuditAction.UNMASK,
            user=request.user,
            request=request,
            obj=p,
            summary=f"API 查看 {p.name} 的完整身份证号",
        )
        p.show_full_id = True
    return p


@router.post("/persons", response={201: PersonOut})
def create_person(request: HttpRequest, data: PersonIn) -> Status:
    form = _form_or_422(
        PersonForm(_payload(data.dict(exclude_unset=True), model=Person), user=request.user)
    )
    return Status(201, services.save_person(user=request.user, form=form, request=request))


@router.patch("/persons/{int:pk}", response={200: PersonOut, 409: dict})
def update_person(request: HttpRequest, pk: int, data: PersonIn) -> Person:
    """修改家庭成员：只改提交的字段；身份证号可原样（或脱敏）送回，更正须有查看完整号码的权限。带 `version` 时同上。"""
    with transaction.atomic():
        p = selectors.person(request.user, pk, for_update=True)
        form = _form_or_422(
            PersonForm(
                _payload(data.dict(exclude_unset=True), p, exclude=("sex", "birth_date")),
                instance=p,
                user=request.user,
            )
        )
        return _saved_or_409(services.save_person, user=request.user, form=form, request=request)


@router.post("/persons/{int:pk}/status", response={200: StatusOut, 409: dict})
def person_status(request: HttpRequest, pk: int, data: StatusIn) -> StatusChange:
    return _status(request, selectors.person(request.user, pk), data)
