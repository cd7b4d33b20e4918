"""/api/v1/certification — yearly benefit-eligibility certification (待遇领取资格认证).

Thin: another township's person answers 404 (get_scoped); wrong JSON types, far dates and a
second certification in one year answer 422 with the Chinese reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from fupin.access.scope import get_scoped
from fupin.bounds import Date, Year, text
from fupin.registry.idnumber import mask
from fupin.registry.models import Person

from . import selectors, services
from .models import Certification

router = Router(tags=["待遇领取资格认证"])
MAX = 500


class PensionerFilter(Schema):
    year: Year | None = None
    area: Annotated[str, Field(pattern=r"^\d{1,12}$")] | None = None
    shown: Literal["missing", "done", "all"] = "missing"
    limit: Annotated[int, Field(ge=1, le=MAX)] = 100
    offset: Annotated[int, Field(ge=0, le=10_000_000)] = 0


class PensionerOut(Schema):
    person_id: int
    name: str
    id_number: str
    village_code: str
    drawing_since: dt.date | None
    certified: bool
    certified_on: dt.date | None
    stage: str
    stage_name: str


class VillageOut(Schema):
    village_code: str
    total: int
    done: int
    missing: int


class CertifyIn(Schema):
    certified_on: Date
    method: Literal["in_person", "home"]
    note: text(Certification, "note") = ""


class CertificationOut(Schema):
    id: int
    person_id: int
    year: int
    certified_on: dt.date
    method: str
    village_code: str


@router.get("/certification/pensioners", response=list[PensionerOut])
def list_pensioners(
    request: HttpRequest, filters: Query[PensionerFilter]
) -> list[dict[str, object]]:
    today = dt.date.today()
    year = filters.year or today.year
    stage = selectors.window(year).stage(today)
    qs = selectors.pensioners(request.user, year)
    if filters.area:
        qs = qs.filter(village_code__startswith=filters.area)
    if filters.shown != "all":
        qs = qs.filter(certified=filters.shown == "done")
    qs = qs.order_by("village_code", "id")[filters.offset : filters.offset + filters.limit]
    out = []
    for r in qs:
        s = selectors.Stage.CERTIFIED if r.certified else stage
        out.append(
            {
                "person_id": r.person_id,
                "name": r.person.name,
                "id_number": mask(r.person.id_number),
                "village_code": r.village_code,
                "drawing_since": r.drawing_since,
                "certified": r.certified,
                "certified_on": r.certified_on,
                "stage": s,
                "stage_name": selectors.STAGE_NAMES[s],
            }
        )
    return out


@router.get("/certification/villages", response=list[VillageOut])
def list_villages(request: HttpRequest, year: Year | None = None) -> list[dict]:
    return selectors.by_village(request.user, year or dt.date.today().year)


@router.post("/certification/persons/{int:pk}", response={201: CertificationOut})
def certify(request: HttpRequest, pk: int, data: CertifyIn) -> Status:
    person = get_scoped(Person.objects.all(), request.user, pk=pk)
    try:
        c = services.certify(
            user=request.user,
            person=person,
            year=data.certified_on.year,
            certified_on=data.certified_on,
            method=data.method,
            note=data.note,
            request=request,
        )
    except services.CertificationError as exc:
        raise HttpError(422, str(exc)) from None
    return Status(201, c)
