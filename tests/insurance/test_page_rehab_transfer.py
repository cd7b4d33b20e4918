"""The settlement page takes 康复项目费用 and 转院接续 per claim row, as the claim file and the quote
API do (003 Jilin: 20 rehabilitation items in scope, 转院连续计算起付线). Worked by hand on
jilin-2017: deductible 200/400/800, ratio 85/75/65 %."""

import re

import pytest
from playwright.sync_api import expect

from fupin.access.models import Role, User
from fupin.insurance.views import _transfers

URL = "/insurance/settlement/"


def rows(*claims, policy="jilin", category="general"):
    """Form data for claim rows as the page sends them: each row a hidden transfer "0", and a
    "1" after it when its box is ticked."""
    data = {"policy": policy, "category": category, "compare": "none"}
    keys = ["visit_type", "hospital_level", "chronic_class", "disease_code", "admission_date"]
    keys += ["total_cost", "in_policy_cost", "rehab_cost"]
    for key in keys:
        data[key] = [c.get(key, "") for c in claims]
    data["transfer"] = [v for c in claims for v in (["0", "1"] if c.get("transfer") else ["0"])]
    return data


def claim(**kw):
    return {
        "visit_type": "inpatient",
        "hospital_level": "2",
        "admission_date": "2018-03-01",
        "total_cost": "10000",
        "in_policy_cost": "6000",
    } | kw


def basic_pays(html):
    """The 基本医保 column of the result table, row by row."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S) for tr in body.split("</tr>")[:-1]]
    return [c[4] for c in cells]


def test_each_row_has_the_two_fields_with_help(staff_client):
    html = staff_client.get(URL).content.decode()
    assert "康复项目费用（元）</th><th>转院接续</th>" in html
    assert (
        html.count('name="rehab_cost"') == 3 and html.count('type="checkbox" name="transfer"') == 3
    )
    assert html.count('type="hidden" name="transfer" value="0"') == 3
    assert "20 个新增项目" in html and "门诊慢性病不能勾选" in html
    added = staff_client.get("/insurance/settlement/row/").content.decode()
    assert 'name="rehab_cost"' in added and 'name="transfer" value="1"' in added


def test_rehabilitation_cost_is_settled_and_shown(staff_client):
    # in policy 6000 + rehab 1000: (7000 − 400) × 75% = 4950.00 (without: 4200.00)
    html = staff_client.post(URL, rows(claim(rehab_cost="1000"))).content.decode()
    assert basic_pays(html) == ["4950.00"], html
    assert "其中康复项目" in html and "<td>1000.00</td>" in html


def test_a_ticked_transfer_counts_the_deductible_once(staff_client):
    # poor: level 2 (10000 − 400) × 75% = 7200; transferred to level 3 pays 800 − 400 = 400:
    # (10000 − 400) × 65% = 6240.00 (unticked: the whole 800 again, 5980.00)
    first = claim(in_policy_cost="10000")
    second = claim(hospital_level="3", admission_date="2018-03-05", in_policy_cost="10000")
    html = staff_client.post(URL, rows(first, second, category="poor")).content.decode()
    assert basic_pays(html) == ["7200.00", "5980.00"] and "转院接续</span>" not in html
    html = staff_client.post(
        URL, rows(first, second | {"transfer": True}, category="poor")
    ).content.decode()
    assert basic_pays(html) == ["7200.00", "6240.00"]
    assert html.count('<span class="badge text-bg-info">转院接续</span>') == 1


def test_the_boxes_belong_to_their_rows():
    assert _transfers(["0", "0", "1", "0"]) == [False, True, False]
    assert _transfers(["0", "1", "0", "0", "1"]) == [True, False, True]
    assert _transfers(["1", "0"]) == [False, False]  # a stray "1" first is a row, unticked


@pytest.mark.parametrize(
    "row, fault",
    [
        (
            claim(rehab_cost="4000.01"),
            "第 1 行，“康复项目费用”：康复项目费用 4000.01 元大于政策范围外费用",
        ),
        (claim(rehab_cost="-5"), "第 1 行，“康复项目费用”：金额不能为负数"),
        (claim(rehab_cost="十元"), "第 1 行，“康复项目费用”：不是金额"),
        (
            claim(visit_type="chronic_outpatient", chronic_class="M", transfer=True),
            "第 1 行，“转院接续”：门诊慢性病不能标为转院接续",
        ),
    ],
)
def test_faults_name_the_row_and_the_field(staff_client, row, fault):
    html = staff_client.post(URL, rows(row)).content.decode()
    assert fault in html, html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_ticking_transfer_in_chromium(page, live_server):
    User.objects.create_user(username="yibao2", password="test-pass-123", role=Role.INSURANCE)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "yibao2")
    page.fill("#id_password", "test-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}{URL}")
    page.select_option("#policy", "jilin")
    page.select_option("#category", "poor")
    page.select_option("#compare", "none")
    page.locator("#claim-rows tr").first.get_by_role("button", name="删除此行").click()
    expect(page.locator("#claim-rows tr")).to_have_count(2)
    for row, (level, day) in zip(
        page.locator("#claim-rows tr").all(),
        [("2", "2018-03-01"), ("3", "2018-03-05")],
        strict=True,
    ):
        row.locator("select[name=visit_type]").select_option("inpatient")
        row.locator("select[name=hospital_level]").select_option(level)
        row.locator("select[name=chronic_class]").select_option("")
        row.locator("input[name=admission_date]").fill(day)
        row.locator("input[name=total_cost]").fill("10000")
        row.locator("input[name=in_policy_cost]").fill("10000")
    page.locator("#claim-rows tr").nth(1).get_by_label("转院接续").check()
    page.click("button[type=submit]")
    expect(page.locator("#results")).to_contain_text("6240.00")
    expect(page.locator("#results .badge", has_text="转院接续")).to_have_count(1)
