"""In Chromium: a village assistant finds the uncertified pensioner of his village and records a
home certification (上门认证); a resident on a phone-sized screen files a complaint in the portal,
reads the township's answer and says he is satisfied — with no CSP violation on the way."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from fupin.access.models import Role
from fupin.complaints.models import Complaint
from fupin.insurance.models import PensionRecord
from fupin.portal.auth import HOUSEHOLD_KEY, PERSON_KEY
from fupin.registry.models import Person
from tests.conftest import TOWN_A

from .test_csp_browser import RECORD_VIOLATIONS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pensioner(make_household) -> Person:
    p = Person.objects.filter(household=make_household(TOWN_A, members=1)).get()
    PensionRecord.objects.create(
        person=p, village_code=p.village_code, status="drawing", drawing_since=dt.date(2015, 1, 1)
    )
    return p


def test_village_assistant_certifies_at_home(page, live_server, make_household, make_user):
    page.add_init_script(RECORD_VIOLATIONS)
    base = live_server.url
    p = _pensioner(make_household)
    village = make_user("village-a", Role.VILLAGE, p.village_code)
    sign_in(page, base, village.username)
    page.goto(f"{base}/certification/villages/")
    expect(page.locator("#villages")).to_contain_text("1")
    page.click("text=未认证名单")
    expect(page.locator("#pensioners")).to_contain_text(p.name)
    page.click("#pensioners >> text=登记认证")
    page.select_option("select[name=method]", "home")
    page.fill("input[name=note]", "卧床，协理员上门")
    page.click("#certify-form button")
    expect(page.locator("#history")).to_contain_text("上门认证")
    expect(page.locator("#history")).to_contain_text(village.username)
    page.goto(f"{base}/certification/")
    expect(page.locator("#pensioners")).not_to_contain_text(p.name)
    assert page.evaluate("window.__csp || []") == []


def test_resident_complaint_on_a_phone(page, live_server, make_household, town_a_user):
    page.add_init_script(RECORD_VIOLATIONS)
    page.set_viewport_size({"width": 360, "height": 740})
    base = live_server.url
    p = Person.objects.filter(household=make_household(TOWN_A, members=1)).get()
    session = SessionStore()
    session[PERSON_KEY], session[HOUSEHOLD_KEY] = p.pk, p.household_id
    session.save()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": base}]
    )
    page.goto(f"{base}/portal/")
    page.click("text=我要反映问题")
    page.click("#new-complaint")
    page.select_option("select[name=kind]", "complaint")
    page.select_option("select[name=category]", "subsidy")
    page.fill("input[name=subject]", "岗位补贴没到账")
    page.fill("textarea[name=content]", "三月的公益性岗位补贴还没发到社保卡")
    page.click("button[type=submit]")
    expect(page.locator("#progress")).to_contain_text("等待受理")
    c = Complaint.objects.get()
    assert (c.person_id, c.channel) == (p.pk, "portal")

    other = page.context.browser.new_context()  # the township's own browser
    staff = other.new_page()
    sign_in(staff, base, town_a_user.username)
    staff.goto(f"{base}/complaints/{c.pk}/")
    staff.fill("textarea[name=answer]", "已核实，补贴本周发放")
    staff.click("#send-answer")
    expect(staff.locator("#answer")).to_contain_text("补贴本周发放")
    other.close()

    page.reload()
    expect(page.locator("#answer")).to_contain_text("补贴本周发放")
    page.check("input[name=satisfaction][value=satisfied]")
    page.click("#rate")
    expect(page.locator("#satisfaction")).to_have_text("满意")
    assert page.evaluate("window.__csp || []") == []
