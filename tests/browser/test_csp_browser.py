"""The pages work in Chromium under the Content-Security-Policy and break none of its rules.

Chromium reports every refused script, style, handler or connection as a `securitypolicyviolation`
event; the test records them on every page and asserts there are none, while it uses what used to
be inline: the language switch, removing a claim row, the back link, htmx swaps, the admin, the
API docs.
"""

import pytest
from playwright.sync_api import expect

from fupin.access.models import Role
from tests.conftest import COUNTY, PASSWORD, TOWN_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


@pytest.fixture
def watched(page):
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on(
        "console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None
    )

    def violations():
        return page.evaluate("window.__csp || []") + console

    return page, violations


def sign_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_staff_pages_work_under_the_policy(watched, live_server, make_household, town_a_user):
    page, violations = watched
    base = live_server.url
    make_household(TOWN_A, members=2, status="poor")
    make_household(TOWN_A, members=1, status="exited_policy")
    sign_in(page, base, town_a_user.username)
    assert (
        page.evaluate("getComputedStyle(document.querySelector('nav')).backgroundColor")
        == "rgb(178, 34, 34)"
    )

    page.goto(f"{base}/registry/households/")
    page.select_option("select[name=status]", "poor")  # htmx swap
    expect(page.locator("#rows tbody tr")).to_have_count(1)
    assert violations() == []

    page.select_option("select[name=language]", "en")  # data-submit-on-change, no inline handler
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.select_option("select[name=language]", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.goto(f"{base}/insurance/settlement/")
    before = page.locator("#claim-rows tr").count()
    page.locator("#claim-rows tr").first.get_by_role("button", name="删除此行").click()
    expect(page.locator("#claim-rows tr")).to_have_count(before - 1)
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/insurance/settlement/" in r.url
    ):
        page.click("button[type=submit]")

    page.goto(f"{base}/registry/households/")
    page.goto(f"{base}/audit/")  # not an auditor: the Chinese error page with its back link
    assert "无权" in page.inner_text("main")
    page.click("text=返回上一页")
    page.wait_for_url(f"{base}/registry/households/")
    assert violations() == []


def test_admin_and_api_docs_work_under_the_policy(watched, live_server, make_user):
    page, violations = watched
    base = live_server.url
    admin = make_user("sysadmin", Role.ADMIN, COUNTY)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    sign_in(page, base, "sysadmin")

    page.goto(f"{base}/admin/access/user/")
    page.wait_for_selector("#result_list")
    page.goto(f"{base}/admin/access/user/{admin.pk}/change/")
    page.wait_for_selector("#user_form")
    page.goto(f"{base}/admin/areas/area/")
    page.wait_for_selector("#result_list")
    assert violations() == []

    page.goto(f"{base}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info")  # Swagger UI rendered from our static files
    assert "fupin" in page.inner_text(".swagger-ui .info")
    assert violations() == []
