"""Reads of the registry (查询). Area scope is applied here, through access.scope, once."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from fupin import bounds
from fupin.access.models import User
from fupin.access.scope import get_scoped, scoped
from fupin.areas.models import village_code_range

from .choices import SPECIAL_IDENTITIES, HouseholdAttribute, LabourSkill, PovertyCause, Status
from .idnumber import clean
from .models import Household, Person, StatusChange

PAGE_SIZE = 50


@dataclass
class HouseholdFilter:
    """The household list's filters (筛选条件), parsed from a query string; unknown values dropped."""

    area: str = ""
    status: str = ""
    attribute: str = ""
    cause: str = ""
    labour_skill: str = ""
    identity: str = ""
    q: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> "HouseholdFilter":
        f = cls()
        allowed = {
            "status": Status.values,
            "attribute": HouseholdAttribute.values,
            "cause": PovertyCause.values,
            "labour_skill": LabourSkill.values,
            "identity": list(SPECIAL_IDENTITIES),
        }
        for name, values in allowed.items():
            value = (params.get(name) or "").strip()
            if value and value not in values:
                f.errors.append(f"筛选条件“{name}”的值“{value}”无效，已忽略")
                value = ""
            setattr(f, name, value)
        area = (params.get("area") or "").strip()
        if area and (not area.isdigit() or len(area) not in (2, 4, 6, 9, 12)):
            f.errors.append(f"区划代码“{area}”无效，已忽略")
            area = ""
        f.area = area
        f.q = (params.get("q") or "").strip()[:40]
        return f

    def as_params(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if k != "errors" and v}


def _name_prefix(qs: QuerySet, field_name: str, text: str) -> QuerySet:
    # A range instead of LIKE so that a plain b-tree index serves it on every database.
    return qs.filter(**{f"{field_name}__gte": text, f"{field_name}__lt": text + "\uffff"})


def households(user: User, f: HouseholdFilter | None = None) -> QuerySet[Household]:
    """贫困户列表: the user's area, filtered."""
    qs = scoped(Household.objects.all(), user)
    if f is None:
        return qs
    if f.area:
        qs = qs.filter(village_code__range=village_code_range(f.area))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.attribute:
        qs = qs.filter(attribute=f.attribute)
    if f.cause:
        qs = qs.filter(Q(main_cause=f.cause) | Q(cause_2=f.cause) | Q(cause_3=f.cause))
    member_filter: dict[str, object] = {}
    if f.labour_skill:
        member_filter["labour_skill"] = f.labour_skill
    if f.identity:
        member_filter[f.identity] = True
    if member_filter:
        qs = qs.filter(
            id__in=scoped(Person.objects.filter(**member_filter), user).values("household_id")
        )
    if f.q:
        qs = qs.filter(id__in=_search_people(user, f.q).values("household_id"))
    return qs


def _search_people(user: User, text: str) -> QuerySet[Person]:
    people = scoped(Person.objects.all(), user)
    digits = clean(text)
    if len(digits) >= 15 and digits[:6].isdigit():
        return people.filter(id_number=digits)
    return _name_prefix(people, "name", text)


def persons(user: User, q: str = "") -> QuerySet[Person]:
    qs = scoped(Person.objects.all(), user)
    return _search_people(user, q) if q else qs


def household(user: User, pk: int, *, for_update: bool = False) -> Household:
    """One household; `for_update` locks its row until the caller's transaction ends."""
    qs = Household.objects.select_related("village")
    return get_scoped(qs.select_for_update(of=("self",)) if for_update else qs, user, pk=pk)


def person(user: User, pk: int, *, for_update: bool = False) -> Person:
    """One person; `for_update` locks its row (not its household's) until the transaction ends."""
    qs = Person.objects.select_related("household", "household__village")
    return get_scoped(qs.select_for_update(of=("self",)) if for_update else qs, user, pk=pk)


def find_person(user: User, value: str) -> Person | None:
    """A person named in a form field: the registry id or the full ID number, inside the user's area."""
    value = (value or "").strip().upper()
    qs = scoped(Person.objects.all(), user)
    if len(value) == 18:
        return qs.filter(id_number=value).first()
    pk = bounds.query_id(value)
    return qs.filter(pk=pk).first() if pk else None


def members(user: User, hh: Household) -> QuerySet[Person]:
    return scoped(Person.objects.filter(household=hh), user).order_by("id")


def history(
    user: User, *, hh: Household | None = None, p: Person | None = None
) -> QuerySet[StatusChange]:
    qs = scoped(StatusChange.objects.select_related("changed_by", "person"), user)
    if hh is not None:
        qs = qs.filter(Q(household=hh) | Q(person__household=hh))
    if p is not None:
        qs = qs.filter(person=p)
    return qs


@dataclass
class Page:
    """One page of a keyset-paginated list (newest first): deep pages cost no more than page 1."""

    items: list
    has_next: bool
    next_after: int | None
    number: int


def keyset_page(
    qs: QuerySet, *, after: int | None = None, page: int = 1, size: int = PAGE_SIZE
) -> Page:
    """Rows ordered by -id; `after` is the last id of the previous page."""
    ordered = qs.order_by("-id")
    if after is not None:
        ordered = ordered.filter(id__lt=after)
    items = list(ordered[: size + 1])
    has_next = len(items) > size
    items = items[:size]
    return Page(items, has_next, items[-1].id if has_next else None, page)
