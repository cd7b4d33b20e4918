"""Objects of the employment, training, start-up and assistance modules in each township of
the scope sweep (tests/access/test_scope_sweep.py), and the URL kwargs that reach them."""

import datetime as dt
from functools import partial

from fupin.assistance.models import LedgerEntry, PlannedMeasure
from fupin.employment.models import (
    Employer,
    EmploymentCheck,
    FairAttendance,
    FollowUpVisit,
    JobFair,
    Posting,
    Recommendation,
    RecommendationBatch,
    Referral,
    WelfareSubsidy,
)
from fupin.startup.models import Loan, StartupSubsidy
from fupin.training.models import (
    Attendance,
    Course,
    Enrolment,
    JobSeekingSubsidy,
    TechnicalStudentAid,
)
from tests.access.marks import MARKED_THROUGH, NOT_SHOWN, marked_person, marker

from . import factories as f

# Records with no free text of their own carry the marker in their person's name.
NOT_SHOWN[FollowUpVisit] = (
    "its text reaches pages only as the ledger entry the visit service writes (LedgerEntry, swept)"
)
MARKED_THROUGH.update(
    {
        FairAttendance: "person__name",
        WelfareSubsidy: "person__name",
        JobSeekingSubsidy: "person__name",
        Attendance: "enrolment__person__name",
    }
)


def extend(world, users) -> None:
    today = dt.date.today()
    for town, user in users.items():
        m = partial(marker, town)
        person = f.job_seeker(world[town]["person"])
        household, village = person.household, person.village_code
        # An employer's name is shown with its postings (shared-readable); the rest of it is not, and an
        # employer without postings is not shown outside its area at all.
        emp = f.employer(town, name=f"{town}单位")
        emp.contact_name = emp.address = m(Employer)
        emp.save()
        f.employer(town, name=m(Employer))
        posting = f.posting(emp, title=m(Posting))
        course = Course.objects.create(
            title=m(Course),
            trade="茶叶加工",
            provider="职校",
            area_code=town.ljust(12, "0"),
            place="文化站",
            starts_on=today,
            ends_on=today + dt.timedelta(days=5),
        )
        fair = JobFair.objects.create(
            area_code=town.ljust(12, "0"), title=m(JobFair), held_on=today, place="镇政府"
        )
        referral = Referral.objects.create(
            person=person,
            village_code=village,
            posting=posting,
            referred_on=today,
            note=m(Referral),
        )
        enrolment = Enrolment.objects.create(
            course=course,
            person=person,
            village_code=village,
            enrolled_on=today,
            certificate_no=m(Enrolment),
        )
        batch = RecommendationBatch.objects.create(
            area_code=town.ljust(12, "0"),
            requested_by=user,
            status="failed",
            error=m(RecommendationBatch),
        )
        Recommendation.objects.create(
            person=person,
            village_code=village,
            posting=posting,
            batch=batch,
            rank=1,
            score=0.5,
            reasons=m(Recommendation),
            created_on=today,
        )
        FairAttendance.objects.create(
            fair=fair, person=marked_person(household, FairAttendance), village_code=village
        )
        EmploymentCheck.objects.create(
            referral=referral,
            village_code=village,
            checked_on=today,
            still_employed=True,
            note=m(EmploymentCheck),
        )
        FollowUpVisit.objects.create(
            person=person,
            village_code=village,
            visited_on=today,
            note=m(FollowUpVisit),
            visited_by=user,
        )
        WelfareSubsidy.objects.create(
            referral=referral,
            person=marked_person(household, WelfareSubsidy),
            village_code=village,
            month=today.replace(day=1),
            amount_fen=100,
            pack_id="fuliang-2018",
        )
        attending = marked_person(household, Attendance)
        Attendance.objects.create(
            enrolment=Enrolment.objects.create(
                course=course, person=attending, village_code=village, enrolled_on=today
            ),
            village_code=village,
            day=today,
        )
        JobSeekingSubsidy.objects.create(
            person=marked_person(household, JobSeekingSubsidy),
            enrolment=enrolment,
            village_code=village,
            amount_fen=50000,
            pack_id="fuliang-2018",
            granted_on=today,
            granted_by=user,
        )
        student = marked_person(
            household, TechnicalStudentAid, technical_student=True, status="poor"
        )
        TechnicalStudentAid.objects.create(
            person=student,
            village_code=village,
            school=m(TechnicalStudentAid),
            school_year=today.year,
            pack_id="fuliang-2018",
        )
        StartupSubsidy.objects.create(
            person=person,
            village_code=village,
            firm_name=m(StartupSubsidy),
            credit_code=emp.credit_code,
            founded_on=today,
            amount_fen=500000,
            pack_id="fuliang-2018",
            granted_on=today,
            granted_by=user,
        )
        LedgerEntry.objects.create(
            person=person,
            village_code=village,
            day=today,
            kind="referral",
            summary=m(LedgerEntry),
            recorded_by=user,
        )
        world[town].update(
            employer=emp,
            posting=posting,
            course=course,
            fair=fair,
            referral=referral,
            enrolment=enrolment,
            batch=batch,
            loan=Loan.objects.create(
                person=person,
                village_code=village,
                project=m(Loan),
                principal_fen=100000,
                annual_rate_bp=435,
                start_on=today,
                pack_id="fuliang-2018",
            ),
            measure=PlannedMeasure.objects.create(
                person=person,
                village_code=village,
                kind="follow_up",
                description=m(PlannedMeasure),
                cadre="张三",
                due_on=today,
            ),
        )


def install(factory, extensions: list, shared: set) -> None:
    extensions.append(extend)
    shared.update(
        {"employment:posting", "/api/v1/employment/postings/{pk}"}
    )  # postings: county-wide readable

    def obj(key: str):
        return lambda world, town: {"pk": world[town][key].pk}

    def person(world, town):
        return {"pk": world[town]["person"].pk}

    pages = {
        "employer": ["employment:employer", "employment:employer_edit"],
        "posting": [
            "employment:posting",
            "employment:posting_edit",
            "/api/v1/employment/postings/{pk}",
        ],
        "batch": ["employment:batch"],
        "referral": [
            "employment:referral",
            "employment:referral_advance",
            "employment:referral_check",
            "/api/v1/employment/referrals/{pk}/status",
            "/api/v1/employment/referrals/{pk}/checks",
        ],
        "fair": ["employment:fair", "employment:fair_attend"],
        "course": [
            "training:course",
            "training:course_enrol",
            "/api/v1/training/courses/{pk}/enrolments",
        ],
        "enrolment": [
            "training:enrolment_attend",
            "training:enrolment_complete",
            "/api/v1/training/enrolments/{pk}/complete",
        ],
        "loan": ["startup:loan", "/api/v1/startup/loans/{pk}/schedule"],
        "measure": ["assistance:measure_status"],
    }
    for key, names in pages.items():
        factory(*names)(obj(key))
    factory(
        "employment:person_sheet",
        "employment:person_recommend",
        "employment:refer",
        "employment:visit",
        "training:technical_grant",
        "assistance:plan",
        "/api/v1/employment/persons/{pk}/recommendations",
        "/api/v1/employment/persons/{pk}/visits",
        "/api/v1/assistance/persons/{pk}/ledger",
        "/api/v1/assistance/persons/{pk}/measures",
    )(person)
    factory("employment:village_sheet")(
        lambda world, town: {"code": world[town]["person"].village_code}
    )
