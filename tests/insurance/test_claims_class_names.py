"""Staff pages and exports of stored claims name the chronic class (Ⅰ类门诊特殊慢性病), not its
code (I), and cite documents by title and number."""

import io

import openpyxl
from django.test import Client
from django.urls import reverse

from tests.conftest import TOWN_A
from tests.portal.test_medical_texts import stored


def test_claim_list_person_page_and_export_name_the_class(make_household, county_user):
    person = make_household(TOWN_A, members=1).members.get()
    stored(person, visit_type="chronic_outpatient", chronic_class="II", category="poor")
    c = Client()
    c.force_login(county_user)
    listing = c.get(reverse("insurance:claims_home"), {"year": 2018}).content.decode()
    assert "（Ⅱ类门诊特殊慢性病）" in listing and "（II类）" not in listing
    page = c.get(reverse("registry:person", args=[person.pk]), {"claims_year": 2018})
    text = page.content.decode()
    assert "慢性病医疗证：Ⅱ类门诊特殊慢性病" in text and "II类" not in text
    assert "浮人社发[2018]6号" in text and ".txt" not in text
    export = c.get(reverse("insurance:claims_export"), {"year": 2018})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    cells = {str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row}
    assert "Ⅱ类门诊特殊慢性病" in cells and "II" not in cells
