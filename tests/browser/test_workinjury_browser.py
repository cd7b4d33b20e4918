"""工伤认定绿色通道 in Chromium, from the accident report to the first payment: a township clerk
reports the case of a poor construction worker, uploads his work permit, records the investigation,
recognises the injury and grants 先行支付; the payment goes through 资金发放 — prepared by the clerk,
reviewed by a colleague, approved, exported and marked paid by the county; then the recovery from the
employer (a repayment over what is owed refused, one recorded, the recovery list, the rest written
off) — with no Content-Security-Policy violation on the way."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from fupin.access.models import Role
from fupin.payments.models import Batch
from fupin.registry.models import Person
from fupin.workinjury.models import InjuryCase
from tests.conftest import TOWN_A

from .test_csp_browser import RECORD_VIOLATIONS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def test_report_to_first_payment(
    page, live_server, make_household, town_a_user, county_user, make_user
):
    page.add_init_script(RECORD_VIOLATIONS)
    base = live_server.url
    colleague = make_user("town-a2", Role.TOWNSHIP, TOWN_A)
    person = Person.objects.filter(household=make_household(TOWN_A)).order_by("id").first()
    today = dt.date.today()

    sign_in(page, base, town_a_user.username)
    page.goto(f"{base}/workinjury/new/")
    page.fill("#id_worker_id_number", person.id_number)
    page.fill("#id_employer_name", "景德镇某建设工程有限公司")
    page.fill("#id_project_name", "城南安置房项目")
    page.fill("#id_accident_on", today.isoformat())
    page.fill("#id_accident_place", "3号楼脚手架")
    page.fill("#id_injury", "高处坠落致右腿骨折")
    page.click("button[type=submit]")
    expect(page.locator("h3")).to_contain_text(person.name)
    expect(page.locator("h3")).to_contain_text("贫困劳动力")
    expect(page.locator("#clocks")).to_contain_text("期限内")
    case = InjuryCase.objects.get(person=person)

    page.select_option("#kind", "permit")
    page.set_input_files(
        "#file", files=[{"name": "工作证.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.click("#upload-form button")
    expect(page.locator("#evidence-list")).to_contain_text("工作证（务工证）")
    page.fill("#inv-note", "现场调查：工友证实在脚手架作业时坠落")
    page.click("#investigate-form button")
    expect(page.locator("#investigation")).to_contain_text("工友证实")
    expect(page.locator("#clocks")).to_contain_text("按期完成")
    page.select_option("#decide-form select[name=decision]", "recognised")
    page.fill(
        "#decide-form textarea[name=reason]",
        "工作时间在工作场所因工作原因受伤，工作证确认事实劳动关系",
    )
    page.click("#decide-form button")
    expect(page.locator("#decision")).to_have_text("认定为工伤")
    page.fill("#payment-form input[name=amount]", "200000")  # over the pack's cap
    page.fill("#payment-form input[name=reason]", "用人单位未参保且拒付医疗费")
    page.click("#payment-form button")
    expect(page.locator(".alert-danger")).to_contain_text("超过政策包上限 100000.00 元")
    page.fill("#payment-form input[name=amount]", "8600")
    page.fill("#payment-form input[name=reason]", "用人单位未参保且拒付医疗费")
    page.click("#payment-form button")
    expect(page.locator("#first-payment")).to_contain_text("8600.00")

    page.goto(f"{base}/payments/new/")
    page.select_option("#kind", "work_injury_first_payment")
    page.fill("#period", today.strftime("%Y-%m"))
    page.select_option("#area", TOWN_A)
    page.click("form.mw-60 button")
    expect(page.locator("body")).to_contain_text(person.name)
    expect(page.locator("body")).to_contain_text("8600.00")
    batch = Batch.objects.get(kind="work_injury_first_payment")
    batch_url = f"{base}/payments/{batch.pk}/"

    page.context.clear_cookies()
    sign_in(page, base, colleague.username)
    page.goto(batch_url)
    page.click("text=复核通过")
    expect(page.locator("body")).to_contain_text("已复核（待审批）")

    page.context.clear_cookies()
    sign_in(page, base, county_user.username)
    page.goto(batch_url)
    page.click("text=审批通过（县人社局）")
    expect(page.locator("body")).to_contain_text("已审批（待导出）")
    with page.expect_download() as download:
        page.click("text=导出银行代发文件（CSV）")
    assert download.value.suggested_filename.endswith(".csv")
    page.goto(batch_url)
    page.fill("input[name=reference]", "GS2018-0001")
    page.click("text=登记已支付")
    expect(page.locator("body")).to_contain_text("已支付（待对账）")
    assert Batch.objects.get(pk=batch.pk).state == "paid"

    # 追偿: the employer repays a part, the rest is written off
    page.goto(f"{base}/workinjury/{case.pk}/")
    expect(page.locator("#recovery")).to_contain_text("尚欠 8600.00 元")
    page.fill("#recovery-form input[name=amount]", "9000")  # more than is owed
    page.click("#recovery-form button")
    expect(page.locator(".alert-danger")).to_contain_text("超过尚未追回的 8600.00 元")
    page.fill("#recovery-form input[name=amount]", "3000")
    page.fill("#recovery-form input[name=note]", "用人单位转账")
    page.click("#recovery-form button")
    expect(page.locator("#recovery")).to_contain_text("尚欠 5600.00 元")
    page.goto(f"{base}/workinjury/recoveries/")
    expect(page.locator("#recoveries")).to_contain_text(person.name)
    expect(page.locator("#recoveries")).to_contain_text("5600.00")
    page.click(f"#recoveries >> text={person.name}")
    page.fill("#write-off-form input[name=reason]", "用人单位已注销，无财产可执行")
    page.click("#write-off-form button")
    expect(page.locator("#recovery")).to_contain_text("尚欠 0.00 元")
    expect(page.locator("#recovery-entries")).to_contain_text("核销")
    assert case.pk and page.evaluate("window.__csp || []") == []
