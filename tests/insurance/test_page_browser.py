"""The settlement page in real headless Chromium: add a claim row, compute with htmx, read the trail."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from fupin.access.models import Role, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "test-pass-123"


def test_settlement_page_in_chromium(page, live_server, tmp_path):
    User.objects.create_user(username="yibao", password=PASSWORD, role=Role.INSURANCE)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "yibao")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/insurance/settlement/")
    assert page.locator("#claim-rows tr").count() == 3
    for _ in range(3):  # drop the example rows
        page.locator("#claim-rows tr").first.get_by_role("button", name="删除此行").click()
    page.click("text=添加一行")
    expect(page.locator("#claim-rows tr")).to_have_count(1)
    row = page.locator("#claim-rows tr").first
    row.locator("select[name=visit_type]").select_option("inpatient")
    row.locator("select[name=hospital_level]").select_option("3")
    row.locator("input[name=admission_date]").fill("2018-03-01")
    row.locator("input[name=total_cost]").fill("100000")
    row.locator("input[name=in_policy_cost]").fill("90000")
    page.select_option("#category", "poor")
    page.select_option("#compare", "category")
    page.select_option("#category_b", "general")
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/insurance/settlement/" in r.url
    ):
        page.click("button[type=submit]")
    # 浮梁 poor, level 3 (golden case F-03): fifth line leaves 10000.00 of 100000.
    # The example's results are on the page before the swap: wait for the new ones.
    expect(page.locator("#results")).not_to_contain_text("第3笔")
    results = page.inner_text("#results")
    assert "10000.00" in results and "第五条保障线" in page.content()
    page.click("text=计算过程：第1笔（个人自付 10000.00 元）")
    assert page.locator("details[open] li").count() >= 4
    page.screenshot(path=str(tmp_path / "settlement.png"), full_page=True)
    # The same form exported: a real download, not an htmx swap.
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    assert download.value.suggested_filename == "医疗费用结算测算.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))["分担"]
    first = [c.value for c in sheet[2]]
    assert first[1] == "第1笔" and first[9] == 10000
