"""The resident portal on a phone-sized screen (360×640, touch, Android user agent) in Chromium under
the Content-Security-Policy: login with a texted code → my information → a claim's plain-words
explanation → a request → a complaint; and the village assistant's home visit with an uploaded
authorisation: a request and the yearly pension certification on the resident's behalf."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from fupin.access.models import Role
from fupin.certification.models import Certification
from fupin.insurance.claims.models import ClaimSplit, MedicalClaim
from fupin.insurance.models import PensionRecord
from fupin.portal.models import Assistance, ResidentRequest
from fupin.portal.sms import MemoryBackend
from fupin.registry.models import Person
from tests.conftest import PASSWORD, TOWN_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 8.1.0; Redmi 6A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/90.0.4430.210 Mobile Safari/537.36"
)
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective));
"""
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def phone(browser, settings):
    settings.FUPIN_SMS_BACKEND = "fupin.portal.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 360, "height": 640},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        user_agent=PHONE_UA,
    )
    page = context.new_page()
    page.set_default_timeout(60_000)  # a loaded 2-core machine
    page.add_init_script(RECORD_VIOLATIONS)
    yield page
    context.close()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_resident_on_a_phone(phone, live_server, make_household):
    page, base = phone, live_server.url
    resident = make_household(TOWN_A, members=2).members.order_by("id").first()
    Person.objects.filter(pk=resident.pk).update(phone="13912345678")
    claim = MedicalClaim.objects.create(
        claim_no="BR-1", person=resident, village_code=resident.village_code, hospital="浮梁县人民医院",
        visit_type="inpatient", hospital_level=2, admission_date=dt.date(2018, 5, 4), year=2018,
        total_fen=500_000, in_policy_fen=450_000,
    )  # fmt: skip
    ClaimSplit.objects.create(
        claim=claim, person_id=resident.pk, year=2018, village_code=resident.village_code, basic_fen=300_000,
        critical_fen=0, assistance_fen=50_000, fallback_fen=0, self_fen=150_000, category="poor",
    )  # fmt: skip

    page.goto(f"{base}/portal/")
    expect(page.locator("h1")).to_have_text("居民登录")
    assert fits_the_screen(page)
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 18  # large type
    page.fill("#id_number", resident.id_number)
    page.fill("#phone", "139 1234 5678")
    page.get_by_role("button", name="获取验证码").tap()
    expect(page.locator("h1")).to_have_text("输入验证码")
    code = re.search(r"\d{6}", MemoryBackend.outbox[-1][1]).group()
    page.fill("#code", code)
    page.get_by_role("button", name="登录").tap()
    expect(page.locator("h1")).to_contain_text(f"{resident.name}，您好")
    assert fits_the_screen(page)

    page.get_by_role("link", name=re.compile("我的信息")).tap()
    expect(page.locator("h1")).to_have_text("我的信息")
    expect(page.locator("main")).to_contain_text("家庭成员")
    assert resident.id_number not in page.inner_text("main")
    assert fits_the_screen(page)

    page.goto(f"{base}/portal/")
    page.get_by_role("link", name=re.compile("医疗费用")).tap()
    page.get_by_role("link", name=re.compile("2018年5月4日")).tap()
    expect(page.locator("h1")).to_have_text("结算说明")
    expect(page.locator("main")).to_contain_text("总共花费 5000.00 元")
    expect(page.locator("main")).to_contain_text("最后您自己付 1500.00 元")
    assert fits_the_screen(page)

    page.goto(f"{base}/portal/")
    page.get_by_role("link", name=re.compile("我要申请")).tap()
    page.get_by_role("link", name=re.compile("申请参加技能培训")).tap()
    page.get_by_role("button", name="提交申请").tap()
    expect(page.locator("[role=alert]")).to_contain_text("想学的工种（如电工、家政、电商）：未填写")
    page.fill("#wished_trade", "电子商务")
    page.get_by_role("button", name="提交申请").tap()
    expect(page.locator("main")).to_contain_text("已提交“申请参加技能培训”")
    assert ResidentRequest.objects.get().detail == {"wished_trade": "电子商务"}

    page.goto(f"{base}/portal/")  # a complaint (fupin.complaints, mounted into the portal)
    page.get_by_role("link", name=re.compile("我要反映问题")).tap()
    page.wait_for_url(f"{base}/portal/complaints/")  # the tile leads to the resident's complaints
    page.locator("#new-complaint").tap()
    page.wait_for_url(f"{base}/portal/complaints/new/")
    page.fill("#id_subject", "培训班离家太远")
    page.fill("#id_content", "希望在村里开培训班。")
    page.get_by_role("button", name="提交").tap()
    expect(page.locator("main")).to_contain_text("已提交，工作人员会按时限受理和答复")
    assert fits_the_screen(page)

    page.get_by_role("button", name="退出").tap()
    expect(page.locator("h1")).to_have_text("居民登录")
    assert page.evaluate("window.__csp") == []


def test_village_assistant_serves_a_resident(
    phone, live_server, make_household, make_user, tmp_path
):
    page, base = phone, live_server.url
    resident = make_household(TOWN_A, members=1).members.get()
    PensionRecord.objects.create(person=resident, village_code=resident.village_code, status="drawing",
                                 drawing_since=dt.date(2015, 1, 1), monthly_amount_fen=10_500)  # fmt: skip
    helper = make_user("helper", Role.VILLAGE, resident.village_code)
    page.goto(f"{base}/login/")
    page.fill("#id_username", helper.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/portal/assist/")
    page.fill("#id_number", resident.id_number)
    page.select_option("#mode", "home")
    page.fill("#note", "卧床，上门办理")
    page.select_option("#authorisation", "photo")
    form = tmp_path / "授权书.png"
    form.write_bytes(PNG)
    page.set_input_files("#photo", str(form))
    page.get_by_role("button", name="开始代办").click()
    expect(page.locator(".p-assist")).to_contain_text("正在上门为")
    page.get_by_role("link", name=re.compile("我要申请")).tap()
    page.get_by_role("link", name=re.compile("申请推荐就业")).tap()
    page.fill("#wished_work", "村里的公益性岗位")
    page.get_by_role("button", name="提交申请").tap()
    expect(page.locator("main")).to_contain_text("已提交“申请推荐就业”")
    page.goto(f"{base}/portal/")  # the yearly pension certification, done on the resident's behalf
    page.get_by_role("link", name=re.compile("资格认证")).tap()
    page.locator("#certify").tap()
    expect(page.locator("main")).to_contain_text("年度资格认证已完成")
    page.get_by_role("button", name="结束代办").tap()
    expect(page.locator("h3")).to_have_text("代办记录")
    a = Assistance.objects.get()
    assert a.ended_at is not None and a.mode == "home" and a.photo
    assert ResidentRequest.objects.get().assistance == a
    assert Certification.objects.get(person=resident).assistance_id == a.pk
    assert page.evaluate("window.__csp") == []
