"""Notices, applications, rounds, objections, certificates and their history in each township of
the scope sweep (tests/access/test_scope_sweep.py), and the URL kwargs that reach them."""

import datetime as dt

from fupin.appraisal.models import (
    Application,
    AppraisalRound,
    Certificate,
    CertificateChange,
    Hospital,
    Notice,
    Objection,
    ReportSubmission,
)
from tests.access.marks import marker


def extend(world, users) -> None:
    day = dt.date(2018, 3, 5)
    for town, user in users.items():

        def m(model, town=town):
            return marker(town, model)

        person = world[town]["person"]
        village = person.village_code
        hospital = Hospital.objects.create(
            name=m(Hospital), level=1, area_code=town.ljust(12, "0"), address=m(Hospital)
        )
        rnd = AppraisalRound.objects.create(
            area_code=town.ljust(12, "0"),
            year=2018,
            quarter=2,
            held_on=dt.date(2018, 6, 20),
            place=m(AppraisalRound),
            created_by=user,
        )
        Notice.objects.create(
            person=person, village_code=village, notified_on=day, note=m(Notice), notified_by=user
        )
        holder = person
        issued = Application.objects.create(
            person=holder,
            village_code=village,
            chronic_class="I",
            diseases="高血压",
            applied_on=day,
            submitted_by=user,
            stage="certified",
            appraised_on=day,
            approved=True,
            concluded_class="I",
            concluded_diseases="高血压",
            notice_start=day,
            notice_end=day + dt.timedelta(days=6),
        )
        cert = Certificate.objects.create(
            person=holder,
            village_code=village,
            application=issued,
            number=f"{town}{issued.pk:08d}",
            chronic_class="I",
            diseases="高血压",
            valid_from=day,
            issued_on=day,
            issued_by=user,
            hospital=hospital,
            revoke_reason=m(Certificate),
        )
        CertificateChange.objects.create(
            certificate=cert,
            person=holder,
            village_code=village,
            kind="issued",
            effective_on=day,
            chronic_class="I",
            diseases="高血压",
            application=issued,
            summary=m(CertificateChange),
            recorded_by=user,
        )
        app = Application.objects.create(
            person=person,
            village_code=village,
            chronic_class="II",
            diseases=m(Application),
            applied_on=day,
            submitted_by=user,
            stage="notice",
            round=rnd,
            appraised_on=day,
            approved=True,
            concluded_class="II",
            concluded_diseases=m(Application),
            notice_start=day,
            notice_end=day + dt.timedelta(days=6),
        )
        objection = Objection.objects.create(
            application=app,
            village_code=village,
            raised_on=day,
            objector="村民",
            content=m(Objection),
            recorded_by=user,
        )
        ReportSubmission.objects.create(
            area_code=town.ljust(12, "0"),
            day=dt.date.today(),
            figures={},
            note=m(ReportSubmission),
            submitted_by=user,
        )
        world[town].update(
            appraisal_app=app,
            certificate=cert,
            objection=objection,
            hospital=hospital,
            appraisal_round=rnd,
        )


def install(factory, extensions, shared) -> None:
    extensions.append(extend)

    def obj(key: str):
        return lambda world, town: {"pk": world[town][key].pk}

    factory(
        "appraisal:person",
        "appraisal:person_notify",
        "appraisal:person_apply",
        "/api/v1/appraisal/persons/{pk}/notice",
        "/api/v1/appraisal/persons/{pk}/applications",
        "/api/v1/appraisal/persons/{pk}/chronic-class",
    )(obj("person"))
    factory(
        "appraisal:application",
        "appraisal:application_appraise",
        "appraisal:application_object",
        "appraisal:application_certify",
        "appraisal:application_withdraw",
        "appraisal:application_round",
        "/api/v1/appraisal/applications/{pk}/round",
        "/api/v1/appraisal/applications/{pk}",
        "/api/v1/appraisal/applications/{pk}/conclusion",
        "/api/v1/appraisal/applications/{pk}/withdraw",
        "/api/v1/appraisal/applications/{pk}/objections",
        "/api/v1/appraisal/applications/{pk}/certificate",
    )(obj("appraisal_app"))
    factory("appraisal:objection_resolve", "/api/v1/appraisal/objections/{pk}/resolution")(
        obj("objection")
    )
    factory(
        "appraisal:certificate",
        "appraisal:certificate_print",
        "appraisal:certificate_hospital",
        "appraisal:certificate_revoke",
        "/api/v1/appraisal/certificates/{pk}",
        "/api/v1/appraisal/certificates/{pk}/hospital",
        "/api/v1/appraisal/certificates/{pk}/revoke",
    )(obj("certificate"))
