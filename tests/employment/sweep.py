"""Objects of the employment, training, start-up and assistance modules in each township of
the scope sweep (tests/access/test_scope_sweep.py), and the URL kwargs that reach them."""

import datetime as dt

from fupin.assistance.models import PlannedMeasure
from fupin.employment.models import JobFair, RecommendationBatch, Referral
from fupin.startup.models import Loan
from fupin.training.models import Course, Enrolment

from . import factories as f


def extend(world, users) -> None:
    today = dt.date.today()
    for town, user in users.items():
        person = f.job_seeker(world[town]["person"])
        emp = f.employer(town, name=f"{town}单位")
        posting = f.posting(emp)
        course = Course.objects.create(title="培训班", trade="茶叶加工", provider="职校", area_code=town.ljust(12, "0"), place="文化站",
                                       starts_on=today, ends_on=today + dt.timedelta(days=5))
        fair = JobFair.objects.create(area_code=town.ljust(12, "0"), title="招聘会", held_on=today, place="镇政府")
        world[town].update(
            employer=emp, posting=posting, course=course, fair=fair,
            referral=Referral.objects.create(person=person, village_code=person.village_code, posting=posting, referred_on=today),
            enrolment=Enrolment.objects.create(course=course, person=person, village_code=person.village_code, enrolled_on=today),
            loan=Loan.objects.create(person=person, village_code=person.village_code, project="茶", principal_fen=100000, annual_rate_bp=435,
                                     start_on=today, pack_id="fuliang-2018"),
            measure=PlannedMeasure.objects.create(person=person, village_code=person.village_code, kind="follow_up", description="回访",
                                                  cadre="张三", due_on=today),
            batch=RecommendationBatch.objects.create(area_code=town.ljust(12, "0"), requested_by=user),
        )


def install(factory, extensions: list, shared: set) -> None:
    extensions.append(extend)
    shared.update({"employment:posting", "/api/v1/employment/postings/{pk}"})  # postings: county-wide readable

    def obj(key: str):
        return lambda world, town: {"pk": world[town][key].pk}

    def person(world, town):
        return {"pk": world[town]["person"].pk}

    pages = {
        "employer": ["employment:employer", "employment:employer_edit"],
        "posting": ["employment:posting", "employment:posting_edit", "/api/v1/employment/postings/{pk}"],
        "batch": ["employment:batch"],
        "referral": ["employment:referral", "employment:referral_advance", "employment:referral_check",
                     "/api/v1/employment/referrals/{pk}/status", "/api/v1/employment/referrals/{pk}/checks"],
        "fair": ["employment:fair", "employment:fair_attend"],
        "course": ["training:course", "training:course_enrol", "/api/v1/training/courses/{pk}/enrolments"],
        "enrolment": ["training:enrolment_attend", "training:enrolment_complete", "/api/v1/training/enrolments/{pk}/complete"],
        "loan": ["startup:loan", "/api/v1/startup/loans/{pk}/schedule"],
        "measure": ["assistance:measure_status"],
    }
    for key, names in pages.items():
        factory(*names)(obj(key))
    factory("employment:person_sheet", "employment:person_recommend", "employment:refer", "employment:visit",
            "training:technical_grant", "assistance:plan",
            "/api/v1/employment/persons/{pk}/recommendations", "/api/v1/employment/persons/{pk}/visits",
            "/api/v1/assistance/persons/{pk}/ledger", "/api/v1/assistance/persons/{pk}/measures")(person)
    factory("employment:village_sheet")(lambda world, town: {"code": world[town]["person"].village_code})
