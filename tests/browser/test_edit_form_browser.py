"""In Chromium: a posting's edit form saved without touching anything saves (the date inputs show
the stored dates, so nothing is lost to “这个字段是必填项”), and a changed date is kept."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from fupin.employment.models import Posting
from tests.conftest import PASSWORD, TOWN_A
from tests.employment import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_posting_saved_unchanged_then_with_a_new_closing_date(page, live_server, town_a_user):
    posting = factories.posting(
        factories.employer(TOWN_A), opens_on=dt.date(2018, 3, 1), closes_on=dt.date(2018, 6, 30)
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", town_a_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/employment/postings/{posting.pk}/edit/")
    expect(page.locator("input[name=opens_on]")).to_have_value("2018-03-01")
    expect(page.locator("input[name=closes_on]")).to_have_value("2018-06-30")
    page.locator("form[method=post] button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/employment/postings/{posting.pk}/")
    assert page.locator(".invalid-feedback").count() == 0

    page.goto(f"{live_server.url}/employment/postings/{posting.pk}/edit/")
    page.fill("input[name=closes_on]", "2018-07-31")
    page.locator("form[method=post] button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/employment/postings/{posting.pk}/")
    posting.refresh_from_db()
    assert (posting.opens_on, posting.closes_on) == (dt.date(2018, 3, 1), dt.date(2018, 7, 31))
    assert Posting.objects.filter(pk=posting.pk, title="茶叶加工工").exists()
