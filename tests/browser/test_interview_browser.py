"""In Chromium: the county records a 约谈 of a lagging township — township chosen by name in the area
picker, the minutes uploaded — reads it back, and exports the filtered list; no CSP refusal."""

import datetime as dt
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from fupin.management.models import Interview
from tests.conftest import PASSWORD, TOWN_B

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_records_and_exports_an_interview(page, live_server, county_user, tmp_path):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", county_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/management/interviews/new/")
    page.fill("#area", "鹅湖镇")
    page.fill("#held_on", (dt.date.today() - dt.timedelta(days=1)).isoformat())
    page.fill("#interviewee", "周某（鹅湖镇副镇长）")
    page.fill("#interviewer", "吴某（县人社局局长）")
    page.fill("#reason", "一季度培训人数滞后")
    page.fill("#actions", "四月底前补开两期培训班")
    page.fill("#follow_up_on", (dt.date.today() + dt.timedelta(days=20)).isoformat())
    minutes = tmp_path / "约谈纪要.pdf"
    minutes.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.set_input_files("#file", str(minutes))
    page.click("#interview-save")
    expect(page.locator("#interview-detail")).to_contain_text("四月底前补开两期培训班")
    expect(page.locator("#interview-detail")).to_contain_text("约谈纪要.pdf")
    i = Interview.objects.get()
    assert i.area_code == f"{TOWN_B}000" and i.file_kind == "pdf"

    page.goto(f"{live_server.url}/management/interviews/?area=浮梁镇")
    expect(page.locator("#interview-table")).to_contain_text("没有约谈记录")
    page.fill("#area", "鹅湖镇")
    page.locator("#interview-filter button").click()
    expect(page.locator("#interview-table")).to_contain_text("周某")
    with page.expect_download() as dl:
        page.click("#interview-export")
    book = openpyxl.load_workbook(io.BytesIO(open(dl.value.path(), "rb").read()))
    rows = list(book.active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["鹅湖镇"] and rows[1][2] == "周某（鹅湖镇副镇长）"
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
