"""Area scope of the employment module beyond the sweep: the job-fair form, the credit-code
duplicate message, and postings as shared-readable, owner-writable objects."""

import datetime as dt

from django.urls import reverse

from fupin.employment.models import Employer, JobFair
from tests.conftest import TOWN_A, TOWN_B, login

from . import factories as f

TODAY = dt.date.today()


def _fair_form(employers) -> dict:
    return {"area_code": TOWN_A.ljust(12, "0"), "title": "专场招聘会", "held_on": TODAY.isoformat(), "time_text": "上午",
            "place": "镇政府", "organiser": "县人社局", "employers": [e.pk for e in employers]}


def test_fair_form_offers_and_accepts_only_own_employers(areas, town_a_user):
    own = f.employer(TOWN_A, name="甲镇茶厂")
    other = f.employer(TOWN_B, name="乙镇瓷厂")
    f.posting(other, title="乙镇拉坯工")
    c = login(town_a_user)
    form = c.get(reverse("employment:fair_new")).content.decode()
    assert "甲镇茶厂" in form and "乙镇瓷厂" not in form
    r = c.post(reverse("employment:fair_new"), _fair_form([own, other]))
    assert r.status_code == 200 and not JobFair.objects.exists()
    assert "乙镇瓷厂" not in r.content.decode()
    r = c.post(reverse("employment:fair_new"), _fair_form([own]))
    fair = JobFair.objects.get()
    assert r.status_code == 302 and list(fair.employers.all()) == [own]


def test_county_fair_may_list_any_employer_of_the_county(areas, county_user):
    a, b = f.employer(TOWN_A, name="甲镇茶厂"), f.employer(TOWN_B, name="乙镇瓷厂")
    f.posting(b, title="乙镇拉坯工")
    r = login(county_user).post(reverse("employment:fair_new"), _fair_form([a, b]))
    assert r.status_code == 302
    fair = JobFair.objects.get()
    assert set(fair.employers.all()) == {a, b} and [p.title for p in fair.postings.all()] == ["乙镇拉坯工"]


def _employer_form(code: str, town: str) -> dict:
    return {"name": "新公司", "credit_code": code, "kind": "enterprise", "area_code": town.ljust(12, "0")}


def test_duplicate_credit_code_names_the_employer_only_inside_the_area(areas, town_a_user):
    own = f.employer(TOWN_A, name="甲镇茶厂")
    other = f.employer(TOWN_B, name="乙镇瓷厂")
    c = login(town_a_user)
    body = c.post(reverse("employment:employer_new"), _employer_form(other.credit_code, TOWN_A)).content.decode()
    assert "该统一社会信用代码已在其他辖区登记" in body
    assert "乙镇瓷厂" not in body and f"编号{other.pk}" not in body
    body = c.post(reverse("employment:employer_new"), _employer_form(own.credit_code, TOWN_A)).content.decode()
    assert "甲镇茶厂" in body
    assert Employer.objects.count() == 2
