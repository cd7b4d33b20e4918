"""The demo county's appraisal: applications in every stage, rounds, certificates, an amendment,
and the settlement's selector answering for the demo's certificate holders."""

import pytest

from fupin.appraisal import demo, selectors
from fupin.appraisal.models import (
    Application,
    AppraisalRound,
    Certificate,
    CertificateChange,
    Notice,
    Stage,
)
from fupin.demo import builder


@pytest.fixture
def demo_county(db):
    builder.build(households=400)
    return demo.build()


def test_demo_appraisal(demo_county):
    assert demo_county.startswith("慢性病鉴定：通知")
    assert Notice.objects.count() > 100
    stages = set(Application.objects.values_list("stage", flat=True))
    assert {Stage.APPLIED, Stage.WAITING, Stage.NOTICE, Stage.REFUSED, Stage.CERTIFIED} <= stages, (
        stages
    )
    assert AppraisalRound.objects.count() == 4
    assert Application.objects.filter(home_appraisal=True).exists()
    assert CertificateChange.objects.filter(kind="disease_added").exists()
    for cert in Certificate.objects.all()[:50]:
        assert selectors.chronic_class_on(cert.person_id, cert.issued_on) is not None
    # Every 乙类 application that got a conclusion got it on its round's day.
    for app in Application.objects.filter(chronic_class="II", appraised_on__isnull=False):
        assert app.appraised_on == app.round.held_on
    assert demo.build.__doc__
