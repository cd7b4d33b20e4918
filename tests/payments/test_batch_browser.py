"""A payment batch in Chromium, through the pages only: a township prepares it (in the background),
another person reviews it (the preparer cannot), the county approves it, the payer exports the
agency xlsx and the bank CSV, marks it paid, imports a bad return file (refused, nothing changed),
then a return file with one amount differing, and resolves the difference — with a stale page's
edit after approval refused in Chinese, and no Content-Security-Policy violation on the way."""

import csv
import datetime as dt

import pytest
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from fupin.payments.models import Batch, BatchLine, Difference
from tests.browser.test_csp_browser import RECORD_VIOLATIONS, sign_in
from tests.conftest import TOWN_A

from .helpers import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_prepare_review_approve_export_pay_reconcile(
    page, live_server, kind, two_towns, town_a_user, town_a_checker, county_user, county_approver
):
    page.add_init_script(RECORD_VIOLATIONS)
    page.context.set_default_timeout(60_000)  # two shared cores under heavy load: be patient
    page.set_default_timeout(60_000)
    base = live_server.url

    # 1. The township prepares the batch; the job runs in the background and leads to the batch.
    sign_in(page, base, town_a_user.username)
    page.goto(f"{base}/payments/new/")
    page.select_option("#kind", "t_post")
    page.fill("#period", "2018-03")
    page.select_option("#area", TOWN_A)
    page.fill("#note", "三月补贴")
    page.click("button:has-text('编制')")
    expect(page.locator(".alert-success")).to_contain_text("4 人次，2000.00 元")
    batch = Batch.objects.get()
    expect(page.locator("body")).to_contain_text("本批次由您编制，须由另一名工作人员复核")
    assert page.locator("button:has-text('复核通过')").count() == 0  # maker ≠ checker

    # 2. Another person of the township reviews it.
    page.context.clear_cookies()
    sign_in(page, base, town_a_checker.username)
    page.goto(f"{base}/payments/{batch.pk}/")
    page.click("button:has-text('复核通过')")
    expect(page.locator(".alert-success")).to_contain_text("已复核")

    # 3. The county approves it; a second tab opened before the approval still shows the form to
    # cancel the batch, and using it afterwards is refused: nothing changes after approval.
    page.context.clear_cookies()
    sign_in(page, base, county_user.username)
    stale = page.context.new_page()
    stale.goto(f"{base}/payments/{batch.pk}/")
    page.goto(f"{base}/payments/{batch.pk}/")
    page.click("button:has-text('审批通过')")
    expect(page.locator(".badge")).to_contain_text("已审批")
    stale.fill("input[name=reason]", "想改")
    stale.click("button:has-text('作废批次')")
    expect(stale.locator(".alert-danger")).to_contain_text("批次")
    assert Batch.objects.get(pk=batch.pk).state == "approved"
    assert BatchLine.objects.filter(batch=batch, live=True).count() == 4
    stale.close()

    # 4. The payer exports the agency list and the bank file, then marks the batch paid.
    page.context.clear_cookies()
    sign_in(page, base, county_approver.username)
    page.goto(f"{base}/payments/{batch.pk}/")
    with page.expect_download() as got:
        page.click("button:has-text('导出发放名单')")
    book = CalamineWorkbook.from_path(got.value.path())
    rows = book.get_sheet_by_index(0).to_python()
    lines = list(BatchLine.objects.filter(batch=batch).order_by("id").select_related("person"))
    assert rows[0] == ["明细号", "姓名", "身份证号", "金额(元)"]
    assert [(int(r[0]), r[2], r[3]) for r in rows[1:]] == [
        (x.pk, x.person.id_number, 500.0) for x in lines
    ]
    page.goto(f"{base}/payments/{batch.pk}/")
    with page.expect_download() as got:
        page.click("button:has-text('导出银行代发文件')")
    with open(got.value.path(), encoding="utf-8-sig") as f:
        bank = list(csv.reader(f))
    assert [r[0] for r in bank[1:]] == [str(x.pk) for x in lines]
    page.goto(f"{base}/payments/{batch.pk}/")
    page.fill("input[name=reference]", "NS20180405-001")
    page.fill("input[name=paid_on]", dt.date.today().isoformat())
    page.click("button:has-text('登记已支付')")
    expect(page.locator(".badge")).to_contain_text("已支付")

    # 5. A return file with a bad amount: refused with row, column and fault; nothing changed.
    bad = csv_bytes(
        [
            (bank[1][0], bank[1][2], "", "500", "成功", ""),
            (bank[2][0], bank[2][2], "", "5OO", "成功", ""),
        ]
    )
    page.set_input_files(
        "input[name=file]", files=[{"name": "回盘.csv", "mimeType": "text/csv", "buffer": bad}]
    )
    page.click("button:has-text('导入回盘文件对账')")
    expect(page.locator(".alert-danger")).to_contain_text("第3行D列“金额(元)”")
    assert not Difference.objects.exists() and Batch.objects.get(pk=batch.pk).state == "paid"
    page.click("text=返回批次")

    # 6. A good return file: three paid as sent, one paid 480.00 instead of 500.00.
    good = csv_bytes(
        [(r[0], r[2], r[1], "500.00", "成功", "") for r in bank[1:4]]
        + [(bank[4][0], bank[4][2], bank[4][1], "480.00", "成功", "")]
    )
    page.set_input_files(
        "input[name=file]", files=[{"name": "回盘.csv", "mimeType": "text/csv", "buffer": good}]
    )
    page.click("button:has-text('导入回盘文件对账')")
    expect(page.locator(".alert-success")).to_contain_text("3 人次到账，差异 1 条")
    expect(page.locator("body")).to_contain_text("金额不符")
    d = Difference.objects.get()
    assert (d.line_id, d.expected_fen, d.returned_fen) == (int(bank[4][0]), 50_000, 48_000)

    # 7. Resolve it: the batch is reconciled.
    page.fill("form[action$='/resolve/'] input[name=reason]", "银行扣收手续费，已补发差额")
    page.click("form[action$='/resolve/'] button")
    expect(page.locator(".badge")).to_contain_text("已对账")
    assert Batch.objects.get(pk=batch.pk).state == "reconciled"
    assert page.evaluate("window.__csp || []") == []
