"""The demo county's stored claims: a year imported through the real path, chronic claims settled
with the certificate's class, a person who becomes 低保 mid-year, one 政策测算."""

import datetime as dt

import pytest

from fupin.appraisal import demo as appraisal_demo
from fupin.appraisal.selectors import chronic_class_on
from fupin.demo import builder
from fupin.insurance.claims import demo
from fupin.insurance.claims.models import (
    ClaimImport,
    ClaimSplit,
    IdentityImport,
    MedicalClaim,
    Resettlement,
)
from fupin.registry.models import IdentityPeriod


@pytest.fixture
def demo_county(db):
    builder.build(households=300)
    appraisal_demo.build()
    return demo.build()


def test_demo_claims_year(demo_county):
    year, _, _ = demo.claims_year(dt.date.today())
    assert demo_county.startswith(f"医疗费用结算单：{year} 年")
    assert ClaimImport.objects.get().state == "done"
    claims = MedicalClaim.objects.with_split().filter(year=year)
    assert claims.count() > 300 and not claims.filter(settled_at__isnull=True).exists()
    chronic = list(claims.filter(visit_type="chronic_outpatient"))
    assert chronic and all(
        c.chronic_class == chronic_class_on(c.person_id, c.admission_date) for c in chronic
    )
    period = IdentityPeriod.objects.get(reason__startswith="演示")
    both = list(
        claims.filter(person_id=period.person_id)
        .order_by("admission_date")
        .values_list("category", flat=True)
    )
    assert both[0] != "dibao" and both[-1] == "dibao"
    # The 低保 period came in through the list import, and every claim has its official split row.
    assert IdentityImport.objects.get().state == "done"
    assert ClaimSplit.objects.filter(year=year).count() == claims.count()
    assert Resettlement.objects.get().state == "done"
    for c in claims[:50]:
        assert (
            c.split.basic_fen
            + c.split.critical_fen
            + c.split.assistance_fen
            + c.split.fallback_fen
            + c.split.self_fen
            == c.total_fen
        )
