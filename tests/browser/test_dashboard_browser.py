"""The home page is the dashboard of the user's area: ECharts draws coverage per township, monthly
trends and targets against progress from the page's JSON, under the Content-Security-Policy;
a township confirms the published bulletin from there."""

import datetime as dt

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from fupin.management import bulletins, services
from fupin.management.loading import load_indicators
from fupin.management.models import BulletinRead, Indicator
from fupin.registry.models import Person
from tests.conftest import PASSWORD, TOWN_A, TOWN_B

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_draws_the_users_area(
    page, live_server, make_household, county_user, town_a_user
):
    cache.clear()  # the dashboard caches its figures per area and day
    load_indicators()
    today = dt.date.today()
    for town, status in ((TOWN_A, "enrolled"), (TOWN_B, "not_enrolled")):
        hh = make_household(town, members=2)
        Person.objects.filter(household=hh).update(status="poor", medical_status=status)
    plan = services.save_plan(
        user=county_user,
        name="本年攻势",
        starts_on=today.replace(month=1, day=1),
        ends_on=today.replace(month=12, day=31),
    )
    services.set_target(
        user=county_user,
        plan=plan,
        indicator=Indicator.objects.get(code="job_fairs"),
        area_code=TOWN_A,
        value=4,
    )
    b = bulletins.generate(user=county_user, month=today.replace(day=1), plan=plan)
    bulletins.publish(user=county_user, bulletin=b)

    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", town_a_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    for chart in ("#chart-coverage", "#chart-trends", "#chart-goals"):
        expect(page.locator(f"{chart}[data-ready='1'] canvas").first).to_be_visible()
    # The township's own coverage only: 浮梁镇 100 % insured, no other township in its chart data.
    table = page.locator("#coverage-table").text_content()
    assert "浮梁镇" in table and "鹅湖镇" not in table and "100.0" in table
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    # The cards count the township's one household from the snapshot the bulletin took, and say so.
    expect(page.locator("#counts-as-of")).to_contain_text("生成的统计快照")
    assert page.inner_text("#household-total") == "1"

    page.click("#bulletin-notice button")
    expect(page.locator("#bulletin-notice .badge")).to_contain_text("确认阅读")
    assert BulletinRead.objects.filter(bulletin=b, user=town_a_user).exists()
