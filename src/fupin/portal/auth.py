"""The resident's session (居民登录状态). A resident is a registry `Person`, never a staff `User`.

Views of the portal (and of any module mounting resident pages into it) are wrapped in
`resident_required`; inside, `request.resident` is the Person, `request.resident_household` their
Household, `request.resident_members` the household's persons, `request.assisted_by` the staff User
serving them at the village station (代办) or None when the resident is on their own phone, and
`request.assistance` the id of that assisted-service record (or None). Everything a view shows or
changes is read from `request.resident`/`request.resident_household`: an id in a URL is only ever
looked up inside that household (`household_get`), so it can never reach another household (404).

Two ways a request carries a resident:
- the resident logged in with ID number + phone + one-time code (`begin_resident_session`): the session
  holds the person's id and household id; a person later moved to another household or removed from the
  registry is logged out;
- a village assistant (a staff User, logged in as staff) opened an assisted session for a person inside
  his area (`begin_assisted_session`): valid only while that same staff user is logged in and the person
  stays inside his area scope.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar
from urllib.parse import quote

from django.conf import settings
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from fupin.access.models import User
from fupin.access.scope import scoped
from fupin.registry.choices import Status
from fupin.registry.models import Person

PERSON_KEY = "portal_person"
HOUSEHOLD_KEY = "portal_household"
ASSIST_KEY = "portal_assist"
M = TypeVar("M", bound=Model)


def _household_of(pk: object, household_id: object) -> tuple[Person | None, list[Person]]:
    """The person `pk` if still a member of `household_id` (and not removed), with all the members:
    one query, which every page then reads its household from (no per-page member lookup)."""
    if not isinstance(pk, int) or not isinstance(household_id, int):
        return None, []
    members = list(
        Person.objects.select_related("household").filter(household_id=household_id).order_by("id")
    )
    person = next((m for m in members if m.pk == pk and m.status != Status.REMOVED), None)
    return person, members


def begin_resident_session(request: HttpRequest, person: Person) -> None:
    """The resident proved who they are: a fresh session key (no fixation), short expiry."""
    end_resident_session(request)
    request.session.cycle_key()
    request.session[PERSON_KEY] = person.pk
    request.session[HOUSEHOLD_KEY] = person.household_id
    request.session.set_expiry(settings.PORTAL_SESSION_MINUTES * 60)


def begin_assisted_session(
    request: HttpRequest, person: Person, *, assistance_id: int, mode: str
) -> None:
    """A village assistant (request.user) serves `person` on their behalf (代办)."""
    request.session.pop(PERSON_KEY, None)
    request.session.pop(HOUSEHOLD_KEY, None)
    request.session[ASSIST_KEY] = {
        "person": person.pk,
        "household": person.household_id,
        "by": request.user.pk,
        "assistance": assistance_id,
        "mode": mode,
    }


def end_resident_session(request: HttpRequest) -> None:
    for key in (PERSON_KEY, HOUSEHOLD_KEY, ASSIST_KEY):
        request.session.pop(key, None)


def resident_from_session(
    request: HttpRequest,
) -> tuple[Person | None, list[Person], User | None, dict | None]:
    """(person, members, assisted_by_user, assist_info) or (None, [], None, None)."""
    session = request.session
    assist = session.get(ASSIST_KEY)
    if isinstance(assist, dict):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.pk == assist.get("by"):
            person, members = _household_of(assist.get("person"), assist.get("household"))
            if (
                person is not None
                and scoped(Person.objects.filter(pk=person.pk), user).exists()
                and _assistance_open(assist)
            ):
                return person, members, user, assist
        session.pop(ASSIST_KEY, None)  # the assistant logged out, or the person left his area
    pk = session.get(PERSON_KEY)
    if pk is not None:
        person, members = _household_of(pk, session.get(HOUSEHOLD_KEY))
        if person is not None:
            return person, members, None, None
        end_resident_session(request)
    return None, [], None, None


def _assistance_open(assist: dict) -> bool:
    from fupin.portal.models import Assistance

    return Assistance.objects.filter(pk=assist.get("assistance"), ended_at__isnull=True).exists()


def resident_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Only a resident (or an assistant serving one); anyone else goes to the portal login."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        person, members, by, assist = resident_from_session(request)
        if person is None:
            return redirect(f"{reverse('portal:login')}?next={quote(request.get_full_path())}")
        request.resident = person
        request.resident_household = person.household
        request.resident_members = members  # the household's persons (Person rows, by id)
        request.assisted_by = by
        request.assistance = assist.get("assistance") if assist else None
        request.assist_mode = assist.get("mode") if assist else ""
        return view(request, *args, **kwargs)

    wrapper.resident_only = True  # tests/access/test_scope_sweep.py walks these as residents
    return wrapper


def household_get(
    request: HttpRequest, queryset: QuerySet[M], *, person_field: str = "person", **lookup: object
) -> M:
    """One row of `queryset` belonging to the resident's household, or 404 (never another household's).

    `person_field` names the row's path to Person ("person", "application__person", …)."""
    qs = queryset.filter(**{f"{person_field}__household_id": request.resident_household.pk})
    obj = get_object_or_404(qs, **lookup)
    return obj


def household_person(request: HttpRequest, pk: object) -> Person:
    """A member of the resident's household by id, or 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("无此家庭成员") from None
    return get_object_or_404(
        Person.objects.filter(household_id=request.resident_household.pk), pk=pk
    )
