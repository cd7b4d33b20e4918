"""The pension 代缴 list shows the tier a resident chose for the year (居民选档, done through the
portal request) beside the row; the government still pays the minimum tier on the row."""

import pytest

from fupin.insurance.models import PensionRecord, SubsidyEntry
from tests.conftest import TOWN_A, TOWN_B, login

from .factories import person
from .test_subsidy_pages import sheet, visible

pytestmark = pytest.mark.django_db


def chose(p, tier_fen, year):
    PensionRecord.objects.create(
        person=p, village_code=p.village_code, chosen_tier_fen=tier_fen, chosen_year=year
    )


def test_chosen_tier_beside_the_row_the_government_pays_the_minimum(areas, county_user):
    a = person(TOWN_A, name="甲镇选档")
    b = person(TOWN_B, name="乙镇明年选档")
    person(TOWN_A, name="甲镇未选")
    chose(a, 50_000, 2018)
    chose(b, 30_000, 2019)  # another year: not this list's
    c = login(county_user)
    c.post("/insurance/subsidy/", {"year": "2018", "insurance": "pension"})
    assert SubsidyEntry.objects.get(person=a).amount_fen == 10_000  # still the minimum tier
    text = " ".join(
        visible(
            c.get(
                "/insurance/subsidy/list/", {"year": 2018, "insurance": "pension"}
            ).content.decode()
        ).split()
    )
    assert "居民选定档次(元)" in text and "政府仍按名单上的金额代缴最低档次" in text
    assert "甲镇选档" in text and "500.00" in text and "300.00" not in text
    rows = sheet(
        c.get("/insurance/subsidy/list/export.xlsx", {"year": 2018, "insurance": "pension"})
    )
    assert rows[0][-1] == "居民选定档次(元)"
    by_name = {r[2]: r for r in rows[1:]}
    assert by_name["甲镇选档"][-1] == 500.0 and by_name["甲镇选档"][7] == 100.0
    assert by_name["乙镇明年选档"][-1] == "" and by_name["甲镇未选"][-1] == ""
    # the medical list has no such column
    c.post("/insurance/subsidy/", {"year": "2018", "insurance": "medical"})
    medical = sheet(
        c.get("/insurance/subsidy/list/export.xlsx", {"year": 2018, "insurance": "medical"})
    )
    assert "居民选定档次(元)" not in medical[0]
