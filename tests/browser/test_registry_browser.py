"""Login, filter the household list, open a household, change a status, export — in Chromium."""

import io

import pytest
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from fupin.registry.models import Household, StatusChange
from tests.conftest import PASSWORD, TOWN_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_workflow(page, live_server, make_household, town_a_user):
    poor = make_household(TOWN_A, members=2, status="poor")
    make_household(TOWN_A, members=1, status="exited_policy")
    make_household("360222101", members=1, status="poor")  # another township: must never show

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", town_a_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.inner_text("#household-total") == "2"

    page.goto(f"{live_server.url}/registry/households/")
    assert page.locator("#rows tbody tr").count() == 2
    page.select_option("select[name=status]", "poor")  # htmx swaps the rows in place
    expect(page.locator("#rows tbody tr")).to_have_count(1)
    assert "status=poor" in page.url
    assert page.inner_text("#total") == "1"

    page.click(f"text={poor.number}")
    page.wait_for_url(f"**/registry/households/{poor.pk}/")
    assert page.inner_text("#hh-status") == "未脱贫"
    page.select_option("#status-form select[name=new_status]", "exited_policy")
    page.fill("#status-form input[name=effective_date]", "2019-12-01")
    page.fill("#status-form input[name=reason]", "人均纯收入达标")
    page.click("#status-form button[type=submit]")
    page.wait_for_selector("text=状态已变更为“已脱贫(享受政策)”")
    assert page.inner_text("#hh-status") == "已脱贫(享受政策)"
    assert "人均纯收入达标" in page.inner_text("#history")
    assert Household.objects.get(pk=poor.pk).status == "exited_policy"
    assert StatusChange.objects.filter(
        household=poor, new_status="exited_policy", changed_by=town_a_user
    ).exists()

    page.goto(f"{live_server.url}/registry/households/?status=exited_policy")
    with page.expect_download() as dl:
        page.click("#export-link")
    book = CalamineWorkbook.from_filelike(io.BytesIO(open(dl.value.path(), "rb").read()))
    rows = book.get_sheet_by_name("贫困户").to_python()
    numbers = {r[0] for r in rows[1:]}
    assert poor.number in numbers and len(numbers) == 2
    members = book.get_sheet_by_name("家庭成员").to_python()
    assert all("********" in r[1] for r in members[1:])
