"""防止返贫监测 in Chromium: a township runs the monitoring, a village assistant checks the
alerted household, the township decides (the checker could not), records a measure and the
quarterly review — with no Content-Security-Policy violation on the way."""

import pytest
from playwright.sync_api import expect

from fupin.access.models import Role
from fupin.monitoring.models import MonitoredHousehold
from tests.conftest import TOWN_A
from tests.monitoring.helpers import exited

from .test_csp_browser import RECORD_VIOLATIONS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alert_check_decision_measure_review(
    page, live_server, make_household, town_a_user, make_user
):
    page.add_init_script(RECORD_VIOLATIONS)
    base = live_server.url
    village = make_user("village-a", Role.VILLAGE, TOWN_A)
    hh = exited(make_household, TOWN_A, income_yuan=3000)

    sign_in(page, base, town_a_user.username)
    page.goto(f"{base}/monitoring/")
    page.click("#run-start")
    expect(page.locator("#run-progress")).to_contain_text("已完成")
    expect(page.locator("#run-towns")).to_contain_text("人均纯收入低于监测线 1 条")
    page.goto(f"{base}/monitoring/households/")
    page.click(f"text={hh.head_name}")
    expect(page.locator("#stage")).to_have_text("预警")
    expect(page.locator("#alerts")).to_contain_text("低于监测线 5300.00 元")
    m = MonitoredHousehold.objects.get(household=hh)

    page.context.clear_cookies()
    sign_in(page, base, village.username)
    page.goto(f"{base}/monitoring/households/{m.pk}/")
    page.fill("#check-form textarea[name=findings]", "入户核实：务工收入下降")
    page.click("#check-form button")
    expect(page.locator("#stage")).to_have_text("核查中")
    page.fill("#decision-form textarea[name=reason]", "收入低于监测线")
    page.click("#decision-form button")
    expect(page.locator(".alert-danger")).to_contain_text("核查人不能认定自己核查的户")

    page.context.clear_cookies()
    sign_in(page, base, town_a_user.username)
    page.goto(f"{base}/monitoring/households/{m.pk}/")
    page.select_option("#decision-form select[name=include]", "1")
    page.fill("#decision-form textarea[name=reason]", "收入低于监测线，纳入监测")
    page.click("#decision-form button")
    expect(page.locator("#stage")).to_have_text("纳入监测")
    page.select_option("#measure-form select[name=kind]", "welfare_post")
    page.fill("#measure-form input[name=description]", "安排村级保洁公益性岗位")
    page.click("#measure-form button")
    expect(page.locator("#stage")).to_have_text("帮扶中")
    expect(page.locator("#measures")).to_contain_text("安排村级保洁公益性岗位")
    page.fill("#review-form input[name=income_per_capita_fen]", "6000")
    page.select_option("#review-form select[name=stable]", "1")
    page.fill("#review-form textarea[name=note]", "已在岗，收入稳定")
    page.click("#review-form button")
    expect(page.locator("#reviews")).to_contain_text("6000.00 元")
    expect(page.locator("#removal-refusal")).to_contain_text("需连续 2 个季度")
    expect(page.locator("#history")).to_contain_text("纳入监测 → 帮扶中")
    assert page.evaluate("window.__csp || []") == []
