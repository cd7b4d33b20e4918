"""Stored claims in Chromium (issue 10): a township clerk uploads a hospital settlement file, sees
the preview, confirms, and the person's page shows each claim's split, the category of its day and
the trail — and records a 低保 period on the same page; a county clerk re-settles a year with the
new identity (按新身份重算) from its page; no Content-Security-Policy violation."""

import datetime

import pytest
from playwright.sync_api import expect

from fupin.registry.models import IdentityPeriod, Person
from tests.conftest import TOWN_A

from .test_csp_browser import RECORD_VIOLATIONS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HEADER = "结算单号,身份证号,姓名,医院名称,就诊类型,医院级别,疾病编码,入院日期,总费用,政策范围内费用"


def test_claims_file_to_the_person_page(page, live_server, make_household, town_a_user, tmp_path):
    page.add_init_script(RECORD_VIOLATIONS)
    page.set_default_timeout(60_000)  # the machine is shared: a page can wait long for a core
    base = live_server.url
    person = Person.objects.get(household=make_household(TOWN_A, members=1))
    Person.objects.filter(pk=person.pk).update(
        status="exited"
    )  # 已脱贫不再享受: a general resident
    source = tmp_path / "县医院2018.csv"
    source.write_text(
        f"{HEADER}\nZY1,{person.id_number},,县医院,住院,二级,,2018-03-02,10000.00,8000.00\n"
        f"ZY2,110101199001011237,,县医院,住院,二级,,2018-04-02,100.00,80.00\n",
        encoding="utf-8",
    )
    sign_in(page, base, town_a_user.username)

    # A file with an unknown person: previewed, listed, and it cannot be confirmed.
    page.goto(f"{base}/insurance/claims/imports/")
    page.set_input_files("#file", str(source))
    page.click("text=上传并校验")
    expect(page.locator("main")).to_contain_text("共 2 行，有误 1 行")
    expect(page.locator("main")).to_contain_text("不在建档立卡登记中")
    expect(page.get_by_role("button", name="确认入库并结算（2 笔）")).to_have_count(0)

    source.write_text(
        f"{HEADER}\nZY1,{person.id_number},,县医院,住院,二级,,2018-03-02,10000.00,8000.00\n",
        encoding="utf-8",
    )
    page.goto(f"{base}/insurance/claims/imports/")
    page.set_input_files("#file", str(source))
    page.click("text=上传并校验")
    expect(page.locator("main")).to_contain_text("共 1 行，有误 0 行")
    page.get_by_role("button", name="确认入库并结算（1 笔）").click()
    expect(page.locator("main")).to_contain_text("已入库")

    # 浮梁, general resident, level 2, worked by hand in tests/insurance/test_claims_resettle.py:
    # (8000 − 400) × 75% = 5700.00 basic; 大病 2300 below the threshold; self-pay 4300.00.
    page.goto(f"{base}/registry/persons/{person.pk}/")
    section = page.locator("#claims-section")
    expect(section).to_contain_text("ZY1")
    expect(section).to_contain_text("5700.00")
    expect(section).to_contain_text("个人自付 4300.00 元")
    section.locator("summary").first.click()
    expect(section.locator("details[open] li").first).to_be_visible()
    expect(section.locator("details[open]")).to_contain_text("依据")

    # The 低保 period form on the same page: a bad date is refused in Chinese, a good one recorded.
    page.fill("#identity-start", "2018-07-01")
    page.fill("#identity-end", "2018-06-01")
    page.fill("#identity-reason", "浮民发〔2018〕12号")
    page.click("text=登记期间")
    expect(page.locator(".alert-danger")).to_contain_text("早于起始日期")
    page.fill("#identity-start", "2018-07-01")
    page.fill("#identity-reason", "浮民发〔2018〕12号")
    page.click("text=登记期间")
    expect(page.locator(".alert-success")).to_contain_text("已登记低保对象期间 2018-07-01 至 今")
    expect(page.locator("#identity-periods")).to_contain_text("浮民发〔2018〕12号")
    assert IdentityPeriod.objects.filter(person=person, identity="dibao", end=None).count() == 1
    assert page.evaluate("window.__csp || []") == []


def test_resettle_a_year_with_the_new_identity(page, live_server, make_household, county_user):
    """A 低保 period recorded after the claims were stored: the county clerk re-settles 2018 for
    浮梁镇 from the page, sees the changed claim before → after, and the export link."""
    from fupin.insurance.claims import imports
    from tests.insurance.claims_factories import csv, run_import

    page.add_init_script(RECORD_VIOLATIONS)
    page.set_default_timeout(60_000)
    base = live_server.url
    person = Person.objects.get(household=make_household(TOWN_A, members=1))
    Person.objects.filter(pk=person.pk).update(status="exited")
    job = run_import(
        county_user, csv(f"ZY9,{person.id_number},,县医院,住院,二级,,2018-03-02,10000.00,8000.00")
    )
    imports.merge(job, user=county_user)
    IdentityPeriod.objects.create(person=person, identity="dibao", start=datetime.date(2018, 1, 1),
                                  reason="民政名单更正")  # fmt: skip
    sign_in(page, base, county_user.username)
    page.goto(f"{base}/insurance/claims/official/?year=2018")
    page.select_option("#area", TOWN_A)
    page.fill("#note", "民政名单更正")
    page.get_by_role("button", name="开始重算").click()
    expect(page.locator("#official-progress")).to_contain_text("已完成")
    expect(page.locator("#official-progress")).to_contain_text("有变化 1 笔")
    table = page.locator("main table").nth(1)
    expect(table).to_contain_text("ZY9")
    expect(table).to_contain_text("5700.00 →")
    expect(page.get_by_role("link", name="导出有变化的结算单（xlsx）")).to_be_visible()
    page.goto(f"{base}/insurance/claims/official/")
    expect(page.locator("main table")).to_contain_text("民政名单更正")
    assert page.evaluate("window.__csp || []") == []
