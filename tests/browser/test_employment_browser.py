"""Job assistance in Chromium: a recommendation sheet with ≥10 offers → refer → interview → hired → check."""

import pytest

from fupin.employment.models import Referral
from fupin.employment.recommend import recommend_person
from tests.conftest import PASSWORD, TOWN_A
from tests.employment import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_recommend_refer_hire_check(page, live_server, make_household, town_a_user):
    seeker = f.job_seeker(make_household(TOWN_A, members=1).members.get())
    employer = f.employer(TOWN_A, name="浮梁镇茶叶专业合作社")
    for i in range(12):
        f.posting(employer, title=f"茶园管护工{i + 1}号")
    recommend_person(seeker, user=town_a_user)

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", town_a_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/employment/recommend/person/{seeker.pk}/")
    offers = page.locator("text=推荐就业")
    assert offers.count() >= 10  # 000: 不少于10条就业岗位信息
    assert "浮梁镇茶叶专业合作社" in page.inner_text("table")
    offers.first.click()
    page.wait_for_url("**/employment/referrals/*/")
    referral = Referral.objects.get(person=seeker)
    assert referral.status == "referred"

    update = "form button:text-is('更新')"
    page.select_option("select[name=status]", "interview")
    with page.expect_navigation():
        page.click(update)
    assert "状态：已面试" in page.inner_text("main")
    page.select_option("select[name=status]", "hired")
    page.fill("input[name=wage]", "3200")
    with page.expect_navigation():
        page.click(update)
    assert "状态：已上岗" in page.inner_text("main")
    referral.refresh_from_db()
    assert referral.status == "hired" and referral.wage_fen == 320000

    with page.expect_navigation():
        page.click("form button:text-is('记录在岗核查')")
    assert referral.checks.count() == 1
    page.goto(f"{live_server.url}/registry/persons/{seeker.pk}/")
    story = page.inner_text("body")
    assert "浮梁镇茶叶专业合作社" in story and "上岗" in story  # the ledger on the person page
