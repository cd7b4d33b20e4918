"""What a resident reads about medical costs: documents cited by title and number, values no
document gives (示意值, written for staff) never shown as policy, chronic classes by name, no codes."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from fupin.insurance.claims.models import ClaimSplit, ClaimTrail, MedicalClaim
from fupin.policy import settle_claims
from fupin.policy.claims import Claim
from fupin.portal.selectors import NOT_POLICY
from tests.appraisal.factories import certified
from tests.conftest import TOWN_A
from tests.portal.clients import resident_client

CODES = re.compile(
    r"示意值|仅供工作人员|\.txt|\b(dibao|tekun|poor|general|inpatient|fuliang-2018)\b"
)


def stored(
    person,
    *,
    visit_type: str,
    chronic_class: str | None,
    category: str,
    claim_no: str = "C-1",
    disease_code: str | None = None,
) -> MedicalClaim:
    """A claim settled by the engine under Fuliang's pack and stored as the import stores it."""
    claim = Claim(
        claim_id=claim_no,
        person_id=str(person.pk),
        category=category,
        visit_type=visit_type,
        hospital_level=2,
        chronic_class=chronic_class,
        disease_code=disease_code,
        admission_date=dt.date(2018, 5, 2),
        total_cost=2_000_000,
        in_policy_cost=1_800_000,
    )
    (s,) = settle_claims("fuliang", [claim])
    row = MedicalClaim.objects.create(
        claim_no=claim_no,
        disease_code=disease_code or "",
        person=person,
        village_code=person.village_code,
        hospital="浮梁县人民医院",
        visit_type=visit_type,
        hospital_level=2,
        admission_date=claim.admission_date,
        year=2018,
        total_fen=claim.total_cost,
        in_policy_fen=claim.in_policy_cost,
    )
    ClaimTrail.objects.create(
        claim=row,
        person_id=person.pk,
        year=2018,
        village_code=person.village_code,
        policy="fuliang",
        period=s.period[:40],
        steps=[
            {
                "layer": st.layer,
                "rule": st.rule,
                "detail": st.detail,
                "amount": st.amount,
                "source": st.source,
            }
            for st in s.steps
        ],  # fmt: skip
    )
    parts = s.parts()
    ClaimSplit.objects.create(
        claim=row,
        person_id=person.pk,
        year=2018,
        village_code=person.village_code,
        basic_fen=parts["basic_pay"],
        critical_fen=parts["critical_pay"],
        assistance_fen=parts["assistance_pay"],
        fallback_fen=parts["fallback_pay"],
        self_fen=parts["self_pay"],
        category=category,
        chronic_class=chronic_class or "",
    )
    return MedicalClaim.objects.with_split().get(pk=row.pk)


@pytest.fixture
def resident(make_household):
    return make_household(TOWN_A, members=1).members.get()


def test_an_inpatient_stay_cites_the_document_and_not_the_illustrative_values(resident):
    claim = stored(resident, visit_type="inpatient", chronic_class=None, category="dibao")
    # The staff trail does mark the illustrative values (Fuliang's basic ratios are assumed).
    assert any("示意值" in st["source"] for st in claim.trail.steps)
    text = resident_client(resident).get(reverse("portal:claim", args=[claim.pk])).content.decode()
    assert "浮人社发[2018]6号" in text and NOT_POLICY in text
    assert not CODES.search(text), CODES.search(text)
    assert "低保对象" in text  # the day's category by name


def test_a_chronic_claim_and_the_certificate_name_the_class(resident, county_user):
    certified(county_user, resident, chronic_class="I", diseases=("尿毒症透析",))
    claim = stored(resident, visit_type="chronic_outpatient", chronic_class="I", category="poor")
    c = resident_client(resident)
    text = c.get(reverse("portal:claim", args=[claim.pk])).content.decode()
    assert "慢性病医疗证（Ⅰ类门诊特殊慢性病）" in text and "（I类）" not in text
    assert not CODES.search(text), CODES.search(text)
    me = c.get(reverse("portal:me")).content.decode()
    assert "Ⅰ类门诊特殊慢性病" in me and "（I类" not in me
