"""Helpers for the stored-claims tests: a 慢性病医疗证 as the appraisal leaves it, a claims CSV."""

import datetime as dt

from fupin.appraisal.models import Application, Certificate, CertificateChange
from fupin.insurance.claims import imports

HEADER = "结算单号,身份证号,姓名,医院名称,就诊类型,医院级别,疾病编码,入院日期,总费用,政策范围内费用"


def csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def run_import(user, content: bytes):
    job = imports.create_import(user=user, filename="医院结算.csv", content=content)
    return imports.stage(job, user=user)


def certify(person, user, chronic_class: str, day: dt.date) -> Certificate:
    """A valid certificate of `chronic_class` from `day`, with its issue in the dated history."""
    app = Application.objects.create(
        person=person,
        village_code=person.village_code,
        chronic_class=chronic_class,
        diseases="高血压",
        applied_on=day,
        submitted_by=user,
        stage="certified",
        appraised_on=day,
        approved=True,
        concluded_class=chronic_class,
        concluded_diseases="高血压",
        notice_start=day,
        notice_end=day + dt.timedelta(days=6),
    )
    cert = Certificate.objects.create(
        person=person,
        village_code=person.village_code,
        application=app,
        number=f"C{app.pk:08d}",
        chronic_class=chronic_class,
        diseases="高血压",
        valid_from=day,
        issued_on=day,
        issued_by=user,
    )
    CertificateChange.objects.create(
        certificate=cert,
        person=person,
        village_code=person.village_code,
        kind="issued",
        effective_on=day,
        chronic_class=chronic_class,
        diseases="高血压",
        application=app,
        summary="发证",
        recorded_by=user,
    )
    return cert
