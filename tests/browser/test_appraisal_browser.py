"""The township appraisal pages in Chromium: a clerk notifies a village, registers an application
for a bedridden person, records the conclusion, sees the public-notice list, issues the certificate
after the notice period and prints it — with no Content-Security-Policy violation on the way."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from fupin.appraisal.models import Application, Certificate
from fupin.registry.models import Person
from tests.appraisal import factories as f
from tests.conftest import TOWN_A

from .test_csp_browser import RECORD_VIOLATIONS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_township_clerk_takes_a_person_to_a_certificate(
    page, live_server, make_household, town_a_user
):
    page.add_init_script(RECORD_VIOLATIONS)
    base = live_server.url
    person = (
        Person.objects.filter(household=make_household(TOWN_A, members=2)).order_by("id").first()
    )
    f.hospital()
    sign_in(page, base, town_a_user.username)

    page.goto(f"{base}/appraisal/persons/")
    expect(page.locator("#persons tbody tr")).to_have_count(2)
    page.select_option("#notify-form select[name=village]", person.village_code)
    page.fill("#notify-form input[name=day]", "2018-02-20")
    page.click("#notify-form button")
    expect(page.locator(".alert-success")).to_have_text("已通知 2 人")

    page.goto(f"{base}/appraisal/persons/{person.pk}/")
    page.select_option("#apply-form select[name=chronic_class]", "I")
    page.fill("#apply-form input[name=diseases]", "尿毒症透析")
    page.fill("#apply-form input[name=day]", "2018-03-01")
    page.check("#home")
    page.fill("#apply-form input[name=home_reason]", "长期卧床")
    page.click("#apply-form button")
    expect(page.locator("#stage")).to_have_text("待鉴定")

    page.fill("#appraise-form input[name=day]", "2018-03-05")
    page.fill("#appraise-form input[name=appraiser]", "县医保局专家组")
    page.click("#appraise-form button")
    expect(page.locator("#stage")).to_have_text("公示中")

    page.goto(f"{base}/appraisal/notice/?date=2018-03-08")
    expect(page.locator("#notice-list tbody tr")).to_have_count(1)
    expect(page.locator("#notice-list")).to_contain_text("2018-03-05 至 2018-03-11")

    app = Application.objects.get(person=person)
    page.goto(f"{base}/appraisal/applications/{app.pk}/")
    page.fill("#certify-form input[name=day]", "2018-03-11")
    page.click("#certify-form button")
    expect(page.locator(".alert-danger")).to_contain_text("期满后才能发证")
    page.fill("#certify-form input[name=day]", "2018-03-12")
    page.select_option("#certify-form select[name=hospital]", label="浮梁县人民医院（二级）")
    page.click("#certify-form button")
    cert = Certificate.objects.get(person=person)
    expect(page.locator("#cert-class")).to_have_text("Ⅰ类门诊特殊慢性病")

    page.goto(f"{base}/appraisal/certificates/{cert.pk}/print/")
    expect(page.locator("#certificate")).to_contain_text(cert.number)
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator("#certificate")).to_be_visible()
    assert page.evaluate("window.__csp || []") == []
    assert cert.valid_from == dt.date(2018, 3, 12)
