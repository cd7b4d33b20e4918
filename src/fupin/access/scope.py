"""辖区范围 — the one place where area scope is enforced.

Every page, API route, search and export reads area-bound rows through `scoped()`.
A model opts in by naming the field that holds its 12-digit village code
(`AREA_CODE_FIELD`, e.g. "village_code" or "person__village_code"). A user bound to a
county sees the county; a township station its township; a village assistant its village.

Shared-readable, owner-writable objects (共享可读、登记者可改) — public job information such
as postings — also declare `SHARED_READABLE = True`. Pages, API routes and matching read them
through `shared_readable()` (anywhere in the user's county); edits still find them through
`scoped()`/`get_scoped()` and `require_area()`, so only the registering area changes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, QuerySet

from fupin.areas.models import CODE_LENGTH, Level, village_code_range

if TYPE_CHECKING:
    from fupin.access.models import User


class OutOfScope(PermissionDenied):
    """The object lies outside the user's area (不在本辖区)."""


def area_code_of(user: User) -> str | None:
    """The user's area code, or None for a superuser bound to no area (sees everything)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise OutOfScope("未登录")
    if user.area_id is None:
        if user.is_superuser:
            return None
        raise OutOfScope("该用户未绑定辖区")
    return user.area.code


def home_area_code(user: User) -> str:
    """The code of the user's own area, or the county's (settings.COUNTY_CODE) for an account
    bound to none: where area pickers and batch runs start. Not a permission: reads still go
    through scoped()."""
    return user.area.code if getattr(user, "area_id", None) else settings.COUNTY_CODE


def scoped(queryset: QuerySet, user: User) -> QuerySet:
    """Only the rows inside the user's area."""
    model = queryset.model
    field = getattr(model, "AREA_CODE_FIELD", None)
    if field is None:
        raise ImproperlyConfigured(f"{model.__name__} has no AREA_CODE_FIELD")
    try:
        code = area_code_of(user)
    except OutOfScope:
        return queryset.none()
    if code is None:
        return queryset
    if getattr(model, "AREA_CODE_VARIABLE_LENGTH", False):
        return queryset.filter(**{f"{field}__startswith": code})
    return queryset.filter(**{f"{field}__range": village_code_range(code)})


def shared_readable(queryset: QuerySet, user: User) -> QuerySet:
    """Rows of a shared-readable model (`SHARED_READABLE = True`) registered anywhere in the
    county of the user's area: a township reads the whole county's postings but may write only
    its own. Any other model is refused, so personal data can never be widened by mistake."""
    model = queryset.model
    if not getattr(model, "SHARED_READABLE", False):
        raise ImproperlyConfigured(
            f"{model.__name__} is not SHARED_READABLE; read it through scoped()"
        )
    try:
        code = area_code_of(user)
    except OutOfScope:
        return queryset.none()
    if code is None:
        return queryset
    county = code[: CODE_LENGTH[Level.COUNTY]]
    return queryset.filter(**{f"{model.AREA_CODE_FIELD}__range": village_code_range(county)})


def area_code_in_scope(user: User, code: str) -> bool:
    try:
        own = area_code_of(user)
    except OutOfScope:
        return False
    return own is None or code.startswith(own)


def require_area(user: User, code: str) -> None:
    """Raise OutOfScope unless `code` lies in the user's area (for creates and moves)."""
    if not area_code_in_scope(user, code):
        raise OutOfScope(f"区划 {code} 不在本辖区")


def get_scoped(queryset: QuerySet, user: User, *, shared: bool = False, **lookup) -> Model:
    """One object from inside the user's area; outside looks exactly like missing (404).

    `shared=True` reads a shared-readable object anywhere in the user's county (to show it,
    never to change it)."""
    from django.http import Http404

    try:
        return (shared_readable if shared else scoped)(queryset, user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404("记录不存在或不在本辖区") from None


def acting_user(user_id: int | None, area_code: str | None = None) -> User:
    """The user a background task acts for (后台任务的操作人) — every task starts here and then
    reads through `scoped()` as that user. Refused (OutOfScope) when the account is gone,
    inactive or bound to no area, or when `area_code` does not lie inside the user's area."""
    from fupin.access.models import User

    user = User.objects.select_related("area").filter(pk=user_id).first() if user_id else None
    if user is None:
        raise OutOfScope("后台任务没有操作人，不能运行")
    area_code_of(user)  # inactive or without an area: refused
    if area_code is not None:
        require_area(user, area_code)
    return user


def require_writer(user: User) -> None:
    if getattr(user, "read_only", True):
        raise PermissionDenied("只读角色不能修改数据")
