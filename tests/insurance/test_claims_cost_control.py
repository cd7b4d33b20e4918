"""单病种控费 on stored claims (004: the 9 diseases of the poor): the claim list flags each stay the
engine flagged, counts them per township, filters to them, and exports the filtered set with the
disease named — the same stays whose trail carries the 单病种控费 step."""

import io

import openpyxl
from django.test import Client
from django.urls import reverse

from fupin.insurance.claims import selectors
from fupin.insurance.claims.models import MedicalClaim
from tests.conftest import TOWN_A, TOWN_B
from tests.portal.test_medical_texts import stored

IP = "inpatient"


def test_cost_controlled_stays_are_flagged_counted_filtered_and_exported(
    make_household, county_user, town_a_user
):
    a1, a2 = make_household(TOWN_A, members=2).members.order_by("id")
    b = make_household(TOWN_B, members=1).members.get()
    cases = [
        (a1, "A-1", "poor", "C16.9", "胃癌"),  # stomach cancer, poor: controlled
        (a1, "A-2", "poor", "I10", ""),  # hypertension: not a listed disease
        (a2, "A-3", "general", "C16.9", ""),  # listed, but the rule is for the poor
        (a2, "A-4", "poor", "n18.5", "终末期肾病"),  # lower-case code still matches
        (b, "B-1", "poor", "C18.2", "结肠癌"),
    ]
    for person, no, category, code, _ in cases:
        stored(person, visit_type=IP, chronic_class=None, category=category, claim_no=no,
               disease_code=code)  # fmt: skip
    control = selectors.cost_control_for(2018)
    for claim in MedicalClaim.objects.with_split().all():
        in_trail = any(s["layer"] == "单病种控费" for s in claim.trail.steps)
        assert in_trail == bool(control.disease_of(claim)), claim.claim_no
    expected = {no: name for _, no, _, _, name in cases}
    assert {
        c.claim_no: control.disease_of(c) for c in MedicalClaim.objects.with_split().all()
    } == expected

    c = Client()
    c.force_login(county_user)
    page = c.get(reverse("insurance:claims_home"), {"year": 2018}).content.decode()
    assert page.count('class="cost-control-count">1<') == 1  # town B
    assert page.count('class="cost-control-count">2<') == 1  # town A
    assert "单病种控费：胃癌" in page and "单病种控费：终末期肾病" in page
    only = c.get(reverse("insurance:claims_home"), {"year": 2018, "cost_control": "1"})
    assert "结算单（共 3 笔）" in only.content.decode()
    export = c.get(reverse("insurance:claims_export"), {"year": 2018, "cost_control": "1"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    sheet = list(book["单病种控费"].iter_rows(values_only=True))
    assert sheet[0][3] == "结算单号" and sheet[0][7] == "病种"
    assert sorted((r[3], r[7]) for r in sheet[1:]) == [
        ("A-1", "胃癌"),
        ("A-4", "终末期肾病"),
        ("B-1", "结肠癌"),
    ]
    assert all("*" in r[2] for r in sheet[1:])  # ID numbers masked

    town = Client()
    town.force_login(town_a_user)
    mine = town.get(reverse("insurance:claims_home"), {"year": 2018, "cost_control": "1"})
    assert "结算单（共 2 笔）" in mine.content.decode()
