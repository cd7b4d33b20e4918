"""The export link exports what the htmx-filtered household list shows (筛选后导出)."""

import io

import pytest
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from fupin.registry.models import Household
from tests.conftest import PASSWORD, TOWN_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_export_after_filtering_has_the_filtered_households(
    page, live_server, make_household, town_a_user
):
    made = []
    for status, cause in [
        ("poor", "illness"),
        ("poor", "illness"),
        ("poor", "disability"),
        ("exited_policy", "illness"),
        ("new", "illness"),
        ("poor", "education"),
    ]:
        hh = make_household(TOWN_A, members=1, status=status)
        Household.objects.filter(pk=hh.pk).update(main_cause=cause)
        made.append((hh.number, status, cause))
    expected = {n for n, s, c in made if s == "poor" and c == "illness"}

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", town_a_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/registry/households/")
    assert page.inner_text("#total") == str(len(made))
    page.select_option(
        "select[name=status]", "poor"
    )  # htmx swaps the rows, the page is not reloaded
    expect(page.locator("#total")).to_have_text("4")  # not wait_for_function: the CSP refuses eval
    page.select_option("select[name=cause]", "illness")
    expect(page.locator("#total")).to_have_text(str(len(expected)))
    shown = {t.strip() for t in page.locator("#rows tbody tr td:first-child").all_inner_texts()}
    assert shown == expected

    with page.expect_download() as dl:
        page.click("#export-link")
    book = CalamineWorkbook.from_filelike(io.BytesIO(open(dl.value.path(), "rb").read()))
    rows = book.get_sheet_by_name("贫困户").to_python()[1:]
    assert len(rows) == int(page.inner_text("#total"))
    assert {r[0] for r in rows} == expected
