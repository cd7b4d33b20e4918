"""In Chromium: the training coverage page draws its chart (ECharts, from the page's JSON) above
the table it mirrors, under the Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from fupin.registry.models import Person
from tests.conftest import PASSWORD, TOWN_A, TOWN_B

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_training_coverage_is_a_chart_and_a_table(page, live_server, make_household, county_user):
    for town, n in ((TOWN_A, 3), (TOWN_B, 2)):
        hh = make_household(town, members=n)
        Person.objects.filter(household=hh).update(status="poor", training_need=True)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", county_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/training/coverage/")
    expect(page.locator("#chart-training-coverage[data-ready='1'] canvas").first).to_be_visible()
    table = page.locator("#training-coverage-table")
    expect(table).to_contain_text("浮梁镇")
    expect(table).to_contain_text("鹅湖镇")
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
