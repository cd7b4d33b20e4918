"""/api/v1/employment — 就业帮扶: employers, postings, recommendations, referrals, checks, visits, rules.

Thin: JSON in, selectors and services, JSON out. Scope through `get_scoped`/selectors;
refusals from the services become HTTP 422 with the Chinese reason.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StrictBool

from fupin.access.scope import get_scoped, require_writer
from fupin.bounds import Date, Fen, Id, Year, text
from fupin.policy.employment import rules
from fupin.registry.models import Person

from . import selectors, services
from .models import Employer, EmploymentCheck, FollowUpVisit, Posting, Recommendation, Referral
from .recommend import recommend_person

router = Router(tags=["就业帮扶"])
MAX = 500


def _refused(exc: Exception) -> HttpError:
    return HttpError(422, str(exc))


def _person(request: HttpRequest, pk: int) -> Person:
    return get_scoped(Person.objects.all(), request.user, pk=pk)


class EmployerOut(Schema):
    id: int
    name: str
    credit_code: str
    kind: str
    area_code: str


class PostingOut(Schema):
    id: int
    employer_id: int
    employer_name: str
    occupation_id: str
    title: str
    positions: int
    filled: int
    wage_min_fen: int
    wage_max_fen: int
    work_area_code: str
    work_place: str
    age_min: int
    age_max: int
    physical: str
    trade: str
    requires_skill: bool
    accepts_disabled: bool
    schedule: str
    lodging: bool
    transport: bool
    opens_on: dt.date
    closes_on: dt.date

    @staticmethod
    def resolve_employer_name(obj: Posting) -> str:
        return obj.employer.name


class RecommendationOut(Schema):
    rank: int
    posting: PostingOut
    score: float
    reasons: str


class ReferralIn(Schema):
    person_id: Id
    posting_id: Id
    day: Date | None = None


class ReferralOut(Schema):
    id: int
    person_id: int
    posting_id: int
    status: str
    referred_on: dt.date
    interview_on: dt.date | None
    hired_on: dt.date | None
    wage_fen: int | None
    ended_on: dt.date | None


class StatusIn(Schema):
    status: text(Referral, "status")
    day: Date | None = None
    wage_fen: Fen | None = None
    note: text(Referral, "note") = ""


class CheckIn(Schema):
    still_employed: StrictBool
    day: Date | None = None
    note: text(EmploymentCheck, "note") = ""


class VisitIn(Schema):
    day: Date | None = None
    kind: text(FollowUpVisit, "kind") = "home"
    employed: StrictBool = False
    needs: text(FollowUpVisit, "needs") = ""
    note: text(FollowUpVisit, "note") = ""


class OverdueOut(Schema):
    id: int
    name: str
    village_code: str
    last_visit: dt.date | None


@router.get("/employment/employers", response=list[EmployerOut])
def list_employers(request: HttpRequest, q: str = "", kind: str = "") -> QuerySet[Employer]:
    qs = selectors.employers(request.user)
    if q:
        qs = qs.filter(name__contains=q)
    if kind:
        qs = qs.filter(kind=kind)
    return qs[:MAX]


@router.get("/employment/postings", response=list[PostingOut])
def list_postings(request: HttpRequest, open_only: bool = True) -> QuerySet[Posting]:
    qs = selectors.postings(request.user)
    if open_only:
        day = timezone.localdate()
        qs = qs.filter(opens_on__lte=day, closes_on__gte=day)
    return qs[:MAX]


@router.get("/employment/postings/{int:pk}", response=PostingOut)
def get_posting(request: HttpRequest, pk: int) -> Posting:
    return get_scoped(Posting.objects.select_related("employer"), request.user, shared=True, pk=pk)


@router.get("/employment/persons/{int:pk}/recommendations", response=list[RecommendationOut])
def person_recommendations(request: HttpRequest, pk: int) -> QuerySet[Recommendation]:
    """该人员当前的岗位推荐（每人不少于 10 条，附中文推荐理由）。"""
    return selectors.recommendations(request.user).filter(person=_person(request, pk))


@router.post("/employment/persons/{int:pk}/recommendations", response=list[RecommendationOut])
def recompute_recommendations(request: HttpRequest, pk: int) -> QuerySet[Recommendation]:
    require_writer(request.user)
    person = _person(request, pk)
    recommend_person(person, user=request.user)
    return selectors.recommendations(request.user).filter(person=person)


@router.post("/employment/referrals", response={201: ReferralOut})
def create_referral(request: HttpRequest, data: ReferralIn) -> Status:
    person = _person(request, data.person_id)
    posting = selectors.postings(request.user).filter(pk=data.posting_id).first()
    if posting is None:
        raise HttpError(422, "岗位不存在")
    try:
        return Status(
            201,
            services.refer(
                user=request.user, person=person, posting=posting, day=data.day, request=request
            ),
        )
    except services.EmploymentError as exc:
        raise _refused(exc) from None


@router.post("/employment/referrals/{int:pk}/status", response=ReferralOut)
def referral_status(request: HttpRequest, pk: int, data: StatusIn) -> Referral:
    r = get_scoped(Referral.objects.all(), request.user, pk=pk)
    try:
        return services.advance(
            user=request.user,
            referral=r,
            status=data.status,
            day=data.day,
            wage_fen=data.wage_fen,
            note=data.note,
            request=request,
        )
    except (services.EmploymentError, ValueError) as exc:
        raise _refused(exc if str(exc) else "状态无效") from None


@router.post("/employment/referrals/{int:pk}/checks", response=ReferralOut)
def referral_check(request: HttpRequest, pk: int, data: CheckIn) -> Referral:
    r = get_scoped(Referral.objects.all(), request.user, pk=pk)
    try:
        services.check_employment(
            user=request.user,
            referral=r,
            still_employed=data.still_employed,
            day=data.day,
            note=data.note,
            request=request,
        )
    except services.EmploymentError as exc:
        raise _refused(exc) from None
    r.refresh_from_db()
    return r


@router.post("/employment/persons/{int:pk}/visits", response={201: dict})
def create_visit(request: HttpRequest, pk: int, data: VisitIn) -> Status:
    try:
        v = services.record_visit(
            user=request.user,
            person=_person(request, pk),
            day=data.day,
            kind=data.kind,
            employed=data.employed,
            needs=data.needs,
            note=data.note,
            request=request,
        )
    except services.EmploymentError as exc:
        raise _refused(exc) from None
    return Status(201, {"id": v.pk, "visited_on": v.visited_on.isoformat()})


@router.get("/employment/followups/overdue", response=list[OverdueOut])
def overdue(request: HttpRequest, area: str = "") -> QuerySet[Person]:
    """逾期未回访人员（回访周期取自政策包）。"""
    return selectors.overdue_visits(
        request.user, timezone.localdate(), area if area.isdigit() else ""
    ).order_by("village_code", "id")[:MAX]


@router.get("/employment/workshops/awards")
def workshop_awards(request: HttpRequest, year: Year = Query(...)) -> dict[str, object]:
    rows, info = selectors.workshop_awards(request.user, year)
    return {
        "year": year,
        "pack_id": info["pack_id"],
        "per_worker_fen": info["param"].value,
        "source": info["param"].source.text(),
        "rows": [
            {
                "employer_id": r.employer.pk,
                "employer": r.employer.name,
                "person_id": r.person.pk,
                "amount_fen": r.amount_fen,
            }
            for r in rows
        ],
    }


@router.get("/employment/rules")
def employment_rules(request: HttpRequest) -> dict[str, dict[str, object]]:
    """当前政策包中的就业帮扶参数及出处。"""
    r = rules()
    return {
        name: {
            "value": getattr(r, name).model_dump(mode="json")["value"],
            "source": getattr(r, name).source.text(),
        }
        for name in type(r).model_fields
    }
