"""/api/v1 routes of employment, training, start-up support and the assistance ledger.

Thin: JSON in, selectors and services, JSON out. Scope through `get_scoped`/selectors;
refusals from the services become HTTP 422 with the Chinese reason.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StrictBool

from fupin.access.scope import get_scoped, require_writer
from fupin.assistance import selectors as assistance_selectors
from fupin.assistance import services as assistance_services
from fupin.assistance.models import PlannedMeasure
from fupin.bounds import MAX_FEN, Date, Fen, Id, Year, text
from fupin.registry.models import Person
from fupin.startup import selectors as startup_selectors
from fupin.startup import services as startup_services
from fupin.startup.models import Loan, StartupSubsidy
from fupin.startup.schedule import ScheduleError, schedule, totals
from fupin.training import selectors as training_selectors
from fupin.training import services as training_services
from fupin.training.models import Course, Enrolment, JobSeekingSubsidy

from . import selectors, services
from .models import EmploymentCheck, FollowUpVisit, Posting, Referral
from .recommend import recommend_person
from .rules import rules

router = Router(tags=["就业帮扶"])
training_router = Router(tags=["技能培训"])
startup_router = Router(tags=["创业扶持"])
assistance_router = Router(tags=["帮扶计划与台账"])
MAX = 500


def _refused(exc: Exception) -> HttpError:
    return HttpError(422, str(exc))


def _person(request, pk: int) -> Person:
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
def list_employers(request, q: str = "", kind: str = ""):
    qs = selectors.employers(request.user)
    if q:
        qs = qs.filter(name__contains=q)
    if kind:
        qs = qs.filter(kind=kind)
    return qs[:MAX]


@router.get("/employment/postings", response=list[PostingOut])
def list_postings(request, open_only: bool = True):
    qs = selectors.postings(request.user)
    if open_only:
        day = timezone.localdate()
        qs = qs.filter(opens_on__lte=day, closes_on__gte=day)
    return qs[:MAX]


@router.get("/employment/postings/{int:pk}", response=PostingOut)
def get_posting(request, pk: int):
    return get_scoped(Posting.objects.select_related("employer"), request.user, shared=True, pk=pk)


@router.get("/employment/persons/{int:pk}/recommendations", response=list[RecommendationOut])
def person_recommendations(request, pk: int):
    """该人员当前的岗位推荐（每人不少于 10 条，附中文推荐理由）。"""
    return selectors.recommendations(request.user).filter(person=_person(request, pk))


@router.post("/employment/persons/{int:pk}/recommendations", response=list[RecommendationOut])
def recompute_recommendations(request, pk: int):
    require_writer(request.user)
    person = _person(request, pk)
    recommend_person(person, user=request.user)
    return selectors.recommendations(request.user).filter(person=person)


@router.post("/employment/referrals", response={201: ReferralOut})
def create_referral(request, data: ReferralIn):
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
def referral_status(request, pk: int, data: StatusIn):
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
def referral_check(request, pk: int, data: CheckIn):
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
def create_visit(request, pk: int, data: VisitIn):
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
def overdue(request, area: str = ""):
    """逾期未回访人员（回访周期取自政策包）。"""
    return selectors.overdue_visits(
        request.user, timezone.localdate(), area if area.isdigit() else ""
    ).order_by("village_code", "id")[:MAX]


@router.get("/employment/workshops/awards")
def workshop_awards(request, year: Year = Query(...)):
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
def employment_rules(request):
    """当前政策包中的就业帮扶参数及出处。"""
    r = rules()
    return {
        name: {
            "value": getattr(r, name).model_dump(mode="json")["value"],
            "source": getattr(r, name).source.text(),
        }
        for name in type(r).model_fields
    }


# -- training ----------------------------------------------------------------------------------
class CourseOut(Schema):
    id: int
    title: str
    kind: str
    trade: str
    provider: str
    area_code: str
    starts_on: dt.date
    ends_on: dt.date
    capacity: int
    subsidy_fen: int


class EnrolIn(Schema):
    person_id: Id


class CompleteIn(Schema):
    certificate_no: text(Enrolment, "certificate_no") = ""
    day: Date | None = None


class EnrolmentOut(Schema):
    id: int
    course_id: int
    person_id: int
    status: str
    certificate_no: str
    job_seeking_subsidy_fen: int | None = None

    @staticmethod
    def resolve_job_seeking_subsidy_fen(obj: Enrolment) -> int | None:
        s = JobSeekingSubsidy.objects.filter(person_id=obj.person_id).first()
        return s.amount_fen if s else None


@training_router.get("/training/courses", response=list[CourseOut])
def list_courses(request):
    return training_selectors.courses(request.user)[:MAX]


@training_router.post("/training/courses/{int:pk}/enrolments", response={201: EnrolmentOut})
def enrol(request, pk: int, data: EnrolIn):
    course = get_scoped(Course.objects.all(), request.user, pk=pk)
    try:
        return Status(
            201,
            training_services.enrol(
                user=request.user,
                course=course,
                person=_person(request, data.person_id),
                request=request,
            ),
        )
    except training_services.TrainingError as exc:
        raise _refused(exc) from None


@training_router.post("/training/enrolments/{int:pk}/complete", response=EnrolmentOut)
def complete(request, pk: int, data: CompleteIn):
    e = get_scoped(Enrolment.objects.select_related("course", "person"), request.user, pk=pk)
    try:
        e = training_services.complete(
            user=request.user,
            enrolment=e,
            day=data.day,
            certificate_no=data.certificate_no,
            request=request,
        )
    except training_services.TrainingError as exc:
        raise _refused(exc) from None
    e.person.refresh_from_db()
    return e


@training_router.get("/training/coverage")
def coverage(request):
    return training_selectors.coverage(request.user, rules().trainings_per_willing_person.value)


# -- start-up ------------------------------------------------------------------------------------
class LoanIn(Schema):
    person_id: Id
    kind: text(Loan, "kind") = "individual"
    guaranteed: StrictBool = True
    principal_fen: int = Field(gt=0, le=MAX_FEN)
    project: text(Loan, "project")
    start_on: Date
    term_months: int = Field(24, ge=1, le=120)


class LoanOut(Schema):
    id: int
    person_id: int
    kind: str
    guaranteed: bool
    principal_fen: int
    annual_rate_bp: int
    term_months: int
    start_on: dt.date
    pack_id: str


class SubsidyIn(Schema):
    person_id: Id
    firm_name: text(StartupSubsidy, "firm_name")
    credit_code: text(StartupSubsidy, "credit_code")
    founded_on: Date
    first_firm: StrictBool


@startup_router.post("/startup/loans", response={201: LoanOut})
def create_loan(request, data: LoanIn):
    try:
        loan = startup_services.grant_loan(
            user=request.user,
            person=_person(request, data.person_id),
            kind=data.kind,
            guaranteed=data.guaranteed,
            principal_fen=data.principal_fen,
            project=data.project,
            start_on=data.start_on,
            term_months=data.term_months,
            request=request,
        )
    except startup_services.StartupError as exc:
        raise _refused(exc) from None
    return Status(201, loan)


@startup_router.get("/startup/loans", response=list[LoanOut])
def list_loans(request):
    return startup_selectors.loans(request.user)[:MAX]


@startup_router.get("/startup/loans/{int:pk}/schedule")
def loan_schedule(request, pk: int):
    """贴息计划（分）：按季付息，前 N 年财政贴息。"""
    loan = get_scoped(Loan.objects.all(), request.user, pk=pk)
    r = rules(loan.pack_id)
    try:
        periods = schedule(
            principal_fen=loan.principal_fen,
            annual_rate_bp=loan.annual_rate_bp,
            term_months=loan.term_months,
            start_on=loan.start_on,
            subsidy_ratio_bp=r.loan_interest_subsidy_ratio.value,
            subsidy_years=r.loan_interest_subsidy_years.value,
        )
    except ScheduleError as exc:
        raise _refused(exc) from None
    return {
        "loan_id": loan.pk,
        "totals": totals(periods),
        "periods": [
            {
                "number": p.number,
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "interest_fen": p.interest_fen,
                "subsidy_fen": p.subsidy_fen,
                "borrower_fen": p.borrower_fen,
            }
            for p in periods
        ],
    }


@startup_router.post("/startup/subsidies", response={201: dict})
def create_subsidy(request, data: SubsidyIn):
    try:
        s = startup_services.grant_startup_subsidy(
            user=request.user,
            person=_person(request, data.person_id),
            firm_name=data.firm_name,
            credit_code=data.credit_code,
            founded_on=data.founded_on,
            first_firm=data.first_firm,
            request=request,
        )
    except startup_services.StartupError as exc:
        raise _refused(exc) from None
    return Status(201, {"id": s.pk, "amount_fen": s.amount_fen, "pack_id": s.pack_id})


# -- assistance --------------------------------------------------------------------------------------
class MeasureIn(Schema):
    kind: text(PlannedMeasure, "kind")
    description: text(PlannedMeasure, "description")
    cadre: text(PlannedMeasure, "cadre")
    due_on: Date


class LedgerOut(Schema):
    day: dt.date
    kind: str
    summary: str


@assistance_router.get("/assistance/persons/{int:pk}/ledger", response=list[LedgerOut])
def person_ledger(request, pk: int):
    """该人员的帮扶台账，按时间顺序。"""
    return (
        assistance_selectors.ledger(request.user)
        .filter(person=_person(request, pk))
        .order_by("day", "id")
    )


@assistance_router.post("/assistance/persons/{int:pk}/measures", response={201: dict})
def create_measure(request, pk: int, data: MeasureIn):
    try:
        m = assistance_services.plan_measure(
            user=request.user, person=_person(request, pk), request=request, **data.dict()
        )
    except ValueError as exc:
        raise _refused(exc) from None
    return Status(201, {"id": m.pk, "status": m.status})


router.add_router("", training_router)
router.add_router("", startup_router)
router.add_router("", assistance_router)
