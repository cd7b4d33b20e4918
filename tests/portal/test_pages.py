"""The resident's pages: own household only, every view audited, another household's ids → 404."""

import datetime as dt

import pytest
from django.urls import reverse

from fupin.access.models import AuditEntry
from fupin.assistance.models import PlannedMeasure
from fupin.insurance.claims.models import ClaimSplit, ClaimTrail, MedicalClaim
from fupin.insurance.models import MedicalEnrolment, PensionRecord, SubsidyEntry, SubsidyRun
from fupin.portal.models import ResidentRequest
from tests.conftest import TOWN_A, TOWN_B
from tests.portal.clients import resident_client


def claim_for(person, no, **kw):
    fields = dict(
        claim_no=no,
        person=person,
        village_code=person.village_code,
        hospital="浮梁县人民医院",
        visit_type="inpatient",
        hospital_level=2,
        admission_date=dt.date(2018, 3, 2),
        year=2018,
        total_fen=1_000_000,
        in_policy_fen=800_000,
    )
    split = dict(
        basic_fen=560_000,
        critical_fen=0,
        assistance_fen=140_000,
        fallback_fen=100_000,
        self_fen=200_000,
        category="poor",
        category_basis="",
        chronic_class="",
        policy="",
        period="",
        settled_at=None,
    )
    split.update({k: kw.pop(k) for k in list(kw) if k in split})
    fields.update(kw)
    claim = MedicalClaim.objects.create(**fields)
    # The official split is only in ClaimSplit (what the portal explains).
    ClaimSplit.objects.create(
        claim=claim, person_id=person.pk, year=claim.year, village_code=claim.village_code, **split
    )
    # The trail is in ClaimTrail (计算过程, stored beside the claim).
    ClaimTrail.objects.create(
        claim=claim,
        person_id=person.pk,
        year=claim.year,
        village_code=claim.village_code,
        steps=[
            {
                "layer": "基本医保",
                "rule": "inpatient",
                "detail": "(8000.00 − 0) × 70%",
                "amount": 560_000,
                "source": "《002》：“起付线”",
            }
        ],
    )
    return claim


@pytest.fixture
def homes(make_household, county_user):
    mine = make_household(TOWN_A, members=2)
    other = make_household(TOWN_B, members=2)
    me, spouse = mine.members.order_by("id")
    stranger = other.members.order_by("id").first()
    run = SubsidyRun.objects.create(
        year=2018, insurance="pension", pack_id="fuliang-2018", state="done", created_by=county_user
    )
    for p in (me, stranger):
        PensionRecord.objects.create(
            person=p, village_code=p.village_code, status="paying", tier_fen=10_000, paid_year=2018
        )
        MedicalEnrolment.objects.create(person=p, year=2018, village_code=p.village_code)
        SubsidyEntry.objects.create(
            year=2018,
            insurance="pension",
            person=p,
            village_code=p.village_code,
            outcome="entitled",
            amount_fen=10_000,
            run=run,
        )
        PlannedMeasure.objects.create(
            person=p,
            village_code=p.village_code,
            kind="training",
            description=f"{p.name}的培训措施",
            cadre="李干部",
            due_on=dt.date(2018, 6, 1),
        )
    return {
        "me": me,
        "spouse": spouse,
        "stranger": stranger,
        "my_claim": claim_for(spouse, "C-MINE"),
        "their_claim": claim_for(stranger, "C-THEIRS", hospital="别人的医院"),
    }


def test_my_page_shows_household_and_not_others(homes):
    c = resident_client(homes["me"])
    body = c.get(reverse("portal:me")).content.decode()
    me, spouse, stranger = homes["me"], homes["spouse"], homes["stranger"]
    assert me.name in body and spouse.name in body and stranger.name not in body
    assert f"{me.name}的培训措施" in body and f"{stranger.name}的培训措施" not in body
    assert "参保缴费" in body and "100.00" in body  # pension status and tier
    assert me.id_number not in body and me.id_number[-4:] in body  # masked


def test_claim_list_and_plain_explanation(homes):
    c = resident_client(homes["me"])
    body = c.get(reverse("portal:claims")).content.decode()
    assert "浮梁县人民医院" in body and "别人的医院" not in body
    r = c.get(reverse("portal:claim", args=[homes["my_claim"].pk]))
    text = r.content.decode()
    assert r.status_code == 200
    assert "总共花费 10000.00 元" in text
    assert "政策范围外的费用" in text and "2000.00 元" in text
    assert "基本医疗保险报销 5600.00 元" in text and "最后您自己付 2000.00 元" in text
    assert "(8000.00 − 0) × 70%" in text
    entry = AuditEntry.objects.latest("id")
    assert entry.object_type == "medicalclaim" and entry.object_id == str(homes["my_claim"].pk)


@pytest.mark.parametrize("name", ["portal:claim", "portal:request"])
def test_another_households_ids_are_404(homes, name):
    stranger = homes["stranger"]
    theirs = ResidentRequest.objects.create(
        person=stranger,
        village_code=stranger.village_code,
        kind="job",
        due_on=dt.date(2030, 1, 1),
        rule="x",
    )
    pk = homes["their_claim"].pk if name == "portal:claim" else theirs.pk
    c = resident_client(homes["me"])
    before = AuditEntry.objects.count()
    for method in ("get", "post"):
        r = getattr(c, method)(reverse(name, args=[pk]))
        assert r.status_code == 404
        assert stranger.name not in r.content.decode()
    for junk in ("0", "99999999999999999999", "-1", "abc"):
        assert c.get(f"/portal/claims/{junk}/").status_code == 404
    assert AuditEntry.objects.count() == before  # nothing recorded as seen


def test_every_resident_page_is_audited_with_the_village(homes):
    c = resident_client(homes["me"])
    for name in ("portal:home", "portal:me", "portal:jobs", "portal:money", "portal:claims",
                 "portal:requests"):  # fmt: skip
        before = AuditEntry.objects.count()
        assert c.get(reverse(name)).status_code == 200
        assert AuditEntry.objects.count() == before + 1
        e = AuditEntry.objects.latest("id")
        assert e.action == "view" and e.area_code == homes["me"].village_code
