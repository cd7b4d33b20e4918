"""Export, payment and reconciliation against the return file: each case worked by hand."""

import csv
import datetime as dt
import io

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from fupin.access.models import AuditEntry, Role
from fupin.payments import reconcile, services
from fupin.payments.exports import agency_xlsx_response, bank_csv_response
from fupin.payments.models import Batch, BatchLine, BatchState, Difference, LineStatus, ReturnFile
from fupin.payments.reconcile import ReturnFileError
from fupin.payments.services import PaymentError
from fupin.registry.idnumber import check_char
from fupin.registry.models import Person
from tests.conftest import COUNTY

from .helpers import approved, csv_bytes, paid

pytestmark = pytest.mark.django_db
STRANGER = "36022219800101001" + check_char(
    "36022219800101001"
)  # a valid ID number of nobody in the batch


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def people(kind, two_towns, town_a_user, town_a_checker, county_user, county_approver):
    return {
        "preparer": town_a_user,
        "checker": town_a_checker,
        "approver": county_user,
        "payer": county_approver,
    }


def test_bank_csv_has_every_line_with_full_id_numbers_and_is_audited(people):
    batch = approved(people["preparer"], people["checker"], people["approver"])
    Person.objects.filter(pk=batch.lines.order_by("id").first().person_id).update(
        name='=HYPERLINK("http://x","点此")'
    )
    body = _body(bank_csv_response(user=people["payer"], request=None, batch_id=batch.pk)).decode(
        "utf-8-sig"
    )
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["明细号", "姓名", "身份证号", "金额(元)"]
    lines = list(batch.lines.order_by("id").select_related("person"))
    assert [r[0] for r in rows[1:]] == [str(x.pk) for x in lines]
    assert [r[2] for r in rows[1:]] == [
        x.person.id_number for x in lines
    ]  # full: the bank pays by them
    assert {r[3] for r in rows[1:]} == {"500.00"} and {r[4] for r in rows[1:]} == {"测试岗位补贴"}
    assert rows[1][1].startswith("'=HYPERLINK")  # never a live formula in the bank's spreadsheet
    assert Batch.objects.get(pk=batch.pk).state == BatchState.EXPORTED
    assert AuditEntry.objects.filter(
        action="export", object_id=str(batch.pk), summary__contains="完整身份证号"
    ).exists()


def test_agency_xlsx_is_streamed_safely_and_audited(people):
    batch = approved(people["preparer"], people["checker"], people["approver"])
    lines = list(batch.lines.order_by("id"))
    hostile = [
        '=HYPERLINK("http://x","点此")',  # a formula: stays text, quote-prefixed
        "张&<三>",  # XML metacharacters (escaped in SQL)
        "李\x01四",  # a control character (the Python path)
    ]
    for line, name in zip(lines, hostile, strict=False):
        Person.objects.filter(pk=line.person_id).update(name=name)
    body = _body(agency_xlsx_response(user=people["payer"], request=None, batch_id=batch.pk))
    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    assert rows[0] == ["明细号", "姓名", "身份证号", "金额(元)"]
    assert len(rows) == 5 and {r[3] for r in rows[1:]} == {500.0}
    assert [int(r[0]) for r in rows[1:]] == [x.pk for x in lines]
    ids = dict(Person.objects.values_list("id", "id_number"))
    assert [r[2] for r in rows[1:]] == [ids[x.person_id] for x in lines]
    assert [r[1] for r in rows[1:4]] == hostile
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    formula = sheet.cell(row=2, column=2)
    assert formula.data_type == "s" and formula.quotePrefix  # never a live formula
    assert not sheet.cell(row=3, column=2).quotePrefix
    assert sheet.cell(row=1, column=1).font.b
    assert AuditEntry.objects.filter(
        action="export", object_id=str(batch.pk), summary__contains="完整身份证号"
    ).exists()


def test_only_county_staff_who_may_unmask_export_and_only_after_approval(people, make_user, kind):
    batch = services.prepare(
        user=people["preparer"],
        kind="t_post",
        period="2018-04",
        area_code=people["preparer"].area.code,
    )
    with pytest.raises(PaymentError, match="不能导出"):
        bank_csv_response(user=people["payer"], request=None, batch_id=batch.pk)
    batch = approved(people["preparer"], people["checker"], people["approver"])
    with pytest.raises(PaymentError, match="导出发放文件须由县级"):
        bank_csv_response(user=people["checker"], request=None, batch_id=batch.pk)
    masked_only = make_user("county-masked", Role.COUNTY, COUNTY, unmask=False)
    with pytest.raises(PaymentError, match="须有查看完整身份证号权限"):
        bank_csv_response(user=masked_only, request=None, batch_id=batch.pk)
    assert Batch.objects.get(pk=batch.pk).state == BatchState.APPROVED


def test_marking_paid_needs_a_reference_and_a_real_date(people):
    batch = approved(people["preparer"], people["checker"], people["approver"])
    payer = people["payer"]
    with pytest.raises(PaymentError, match="须先|不能登记支付"):
        services.mark_paid(user=payer, batch_id=batch.pk, reference="X1", paid_on=dt.date.today())
    bank_csv_response(user=payer, request=None, batch_id=batch.pk)
    with pytest.raises(PaymentError, match="请填写支付凭证号"):
        services.mark_paid(user=payer, batch_id=batch.pk, reference=" ", paid_on=dt.date.today())
    with pytest.raises(PaymentError, match="晚于今天"):
        services.mark_paid(
            user=payer,
            batch_id=batch.pk,
            reference="X1",
            paid_on=dt.date.today() + dt.timedelta(days=3),
        )
    with pytest.raises(PaymentError, match="超出范围"):
        services.mark_paid(
            user=payer, batch_id=batch.pk, reference="X1", paid_on=dt.date(9999, 12, 31)
        )
    services.mark_paid(user=payer, batch_id=batch.pk, reference="X1", paid_on=dt.date.today())
    batch.refresh_from_db()
    assert (batch.state, batch.paid_reference) == (BatchState.PAID, "X1")


def _lines(batch):
    return list(batch.lines.order_by("id").select_related("person"))


def test_reconciliation_lists_every_difference_and_each_is_resolved_with_a_reason(people):
    batch = paid(**people)
    a, b, c, d = _lines(batch)
    data = csv_bytes(
        [
            (a.pk, a.person.id_number, a.person.name, "500.00", "成功", ""),
            (b.pk, b.person.id_number, b.person.name, "500.00", "失败", "账户已销户"),
            (c.pk, c.person.id_number, c.person.name, "480.00", "成功", ""),  # 20.00 元 short
            (999_999, STRANGER, "张三", "500", "成功", ""),  # nobody of this batch
        ]
    )  # d is not in the file at all
    rf = reconcile.import_return(
        user=people["payer"], batch_id=batch.pk, data=data, filename="回盘.csv"
    )
    # 4 rows: 1 paid as expected; refused, differs, unknown; plus d missing = 4 differences.
    assert (rf.rows, rf.paid, rf.differences) == (4, 1, 4)
    diffs = {x.kind: x for x in Difference.objects.filter(batch=batch)}
    assert set(diffs) == {"refused", "differs", "unknown", "missing"}
    assert (diffs["refused"].line_id, diffs["refused"].returned_text) == (b.pk, "账户已销户")
    assert (
        diffs["differs"].line_id,
        diffs["differs"].expected_fen,
        diffs["differs"].returned_fen,
    ) == (c.pk, 50_000, 48_000)
    assert (diffs["unknown"].line_id, diffs["unknown"].row_number, diffs["unknown"].id_number) == (
        None,
        5,
        STRANGER,
    )
    assert diffs["missing"].line_id == d.pk
    status = dict(BatchLine.objects.filter(batch=batch).values_list("id", "status"))
    assert status == {a.pk: "paid", b.pk: "refused", c.pk: "differs", d.pk: "missing"}
    assert Batch.objects.get(pk=batch.pk).state == BatchState.PAID  # open differences

    payer = people["payer"]
    with pytest.raises(PaymentError, match="只能这样处理：转下批重发、不再发放、经核实已到账"):
        services.resolve(
            user=payer, difference_id=diffs["refused"].pk, resolution="not_ours", reason="x"
        )
    with pytest.raises(PaymentError, match="请填写处理理由"):
        services.resolve(
            user=payer, difference_id=diffs["refused"].pk, resolution="reissue", reason=""
        )
    with pytest.raises(PaymentError, match="处理对账差异须由县级"):
        services.resolve(
            user=people["checker"],
            difference_id=diffs["refused"].pk,
            resolution="reissue",
            reason="x",
        )
    services.resolve(
        user=payer,
        difference_id=diffs["refused"].pk,
        resolution="reissue",
        reason="本人已换卡，下批重发",
    )
    with pytest.raises(PaymentError, match="该差异已于"):
        services.resolve(
            user=payer, difference_id=diffs["refused"].pk, resolution="void", reason="x"
        )
    services.resolve(
        user=payer,
        difference_id=diffs["differs"].pk,
        resolution="accept_returned",
        reason="银行扣错，已补发20元",
    )
    services.resolve(
        user=payer,
        difference_id=diffs["unknown"].pk,
        resolution="not_ours",
        reason="他县人员，已退回",
    )
    assert Batch.objects.get(pk=batch.pk).state == BatchState.PAID
    services.resolve(
        user=payer,
        difference_id=diffs["missing"].pk,
        resolution="confirmed_paid",
        reason="银行流水已核实",
    )
    batch.refresh_from_db()
    assert batch.state == BatchState.RECONCILED and batch.reconciled_at
    status = dict(BatchLine.objects.filter(batch=batch).values_list("id", "status"))
    assert status == {a.pk: "paid", b.pk: "reissue", c.pk: "paid", d.pk: "paid"}
    assert AuditEntry.objects.filter(action="decision", object_type="difference").count() == 4
    # The refused one is free again: next batch of the same month takes b only.
    again = services.prepare(
        user=people["preparer"], kind="t_post", period="2018-03", area_code=batch.area_code
    )
    assert list(again.lines.values_list("person_id", flat=True)) == [b.person_id]


def test_a_clean_return_file_reconciles_at_once(people):
    batch = paid(**people)
    data = csv_bytes(
        [(x.pk, x.person.id_number, x.person.name, "500", "已到账", "") for x in _lines(batch)]
    )
    reconcile.import_return(user=people["payer"], batch_id=batch.pk, data=data, filename="回盘.csv")
    assert Batch.objects.get(pk=batch.pk).state == BatchState.RECONCILED
    assert set(batch.lines.values_list("status", flat=True)) == {LineStatus.PAID}
    with pytest.raises(PaymentError, match="已导入回盘文件"):
        reconcile.import_return(
            user=people["payer"], batch_id=batch.pk, data=data, filename="回盘.csv"
        )


def _untouched(batch):
    return (
        Batch.objects.get(pk=batch.pk).state,
        sorted(batch.lines.values_list("id", "status")),
        Difference.objects.count(),
        ReturnFile.objects.count(),
    )


def test_a_return_file_with_bad_rows_is_refused_whole_naming_row_column_and_fault(people):
    batch = paid(**people)
    a, b, c, d = _lines(batch)
    before = _untouched(batch)
    data = csv_bytes(
        [
            (
                a.pk,
                a.person.id_number,
                a.person.name,
                "500.00",
                "成功",
                "",
            ),  # good, yet not imported
            (
                b.pk,
                b.person.id_number[:17] + ("0" if b.person.id_number[17] != "0" else "1"),
                "",
                "500",
                "成功",
                "",
            ),
            (c.pk, c.person.id_number, "", "五百", "成功", ""),
            (d.pk, d.person.id_number, "", "500", "不清楚", ""),
            ("abc", a.person.id_number, "", "500", "成功", ""),
            (a.pk, a.person.id_number, "", "-5", "成功", ""),
            (a.pk, a.person.id_number, "", "500.001", "成功", ""),
            (a.pk, a.person.id_number, "", "500", "成功", ""),  # 明细号 again
        ]
    )
    with pytest.raises(ReturnFileError) as err:
        reconcile.import_return(
            user=people["payer"], batch_id=batch.pk, data=data, filename="回盘.csv"
        )
    message = str(err.value)
    assert message.startswith("回盘文件有 7 处错误，未导入")
    assert "第3行B列“身份证号”：校验码错误" in message
    assert "第4行D列“金额(元)”：金额(元)应为金额（元），填写的是“五百”" in message
    assert "第5行E列“结果”：应为“成功”或“失败”" in message
    assert "第6行A列“明细号”：明细号应为正整数，填写的是“abc”" in message
    assert "第7行D列“金额(元)”：金额(元)超出范围" in message
    assert "第8行D列“金额(元)”：金额(元)最多两位小数" in message
    assert f"第9行A列“明细号”：明细号 {a.pk} 与第2行重复" in message
    assert [f[0] for f in err.value.faults] == [3, 4, 5, 6, 7, 8, 9]
    assert _untouched(batch) == before


def test_a_return_file_without_its_columns_or_not_a_spreadsheet_is_refused(people):
    batch = paid(**people)
    before = _untouched(batch)
    with pytest.raises(ReturnFileError, match="缺少：金额\\(元\\)、结果"):
        reconcile.import_return(
            user=people["payer"],
            batch_id=batch.pk,
            data=csv_bytes([(1, STRANGER)], header=("明细号", "身份证号")),
            filename="回盘.csv",
        )
    with pytest.raises(ReturnFileError):
        reconcile.import_return(
            user=people["payer"],
            batch_id=batch.pk,
            data=b"PK\x03\x04garbage" * 10,
            filename="回盘.xlsx",
        )
    with pytest.raises(ReturnFileError, match="没有数据行"):
        reconcile.import_return(
            user=people["payer"], batch_id=batch.pk, data=csv_bytes([]), filename="回盘.csv"
        )
    assert _untouched(batch) == before


def test_an_xlsx_return_file_with_numbers_as_numbers(people):
    batch = paid(**people)
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["明细号", "身份证号", "实发金额（元）", "处理结果"])
    for i, x in enumerate(_lines(batch), start=1):
        sheet.write_row(i, 0, [x.pk, x.person.id_number, 500, "成功"])
    book.close()
    reconcile.import_return(
        user=people["payer"], batch_id=batch.pk, data=buf.getvalue(), filename="回盘.xlsx"
    )
    assert Batch.objects.get(pk=batch.pk).state == BatchState.RECONCILED


def test_a_batch_not_yet_paid_takes_no_return_file(people):
    batch = approved(people["preparer"], people["checker"], people["approver"])
    with pytest.raises(PaymentError, match="须先登记支付"):
        reconcile.import_return(
            user=people["payer"], batch_id=batch.pk, data=csv_bytes([]), filename="回盘.csv"
        )
