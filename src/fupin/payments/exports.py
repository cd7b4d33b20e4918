"""The payment files of an approved batch (发放文件): the bank's 代发 CSV and the xlsx list for the
insurance agency (or the bank's paper record). Both carry full ID numbers — the bank and the
agency pay by them — so only county staff who may see full ID numbers export them, and every
export is audited. The rows are read in one query, in chunks: 300,000 lines in a few seconds.

The return file (回盘文件) comes back with the same 明细号 and a result per line.
"""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
from collections.abc import Iterator

from django.db import connection, transaction
from django.http import FileResponse, HttpRequest

from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.policy.params import fen_to_yuan
from fupin.registry.models import Person
from fupin.sheets.write import csv_row

from . import providers, services, xlsx
from .models import Batch, BatchLine

HEADER = [
    "明细号",
    "姓名",
    "身份证号",
    "金额(元)",
    "用途",
    "期间",
    "收款单位",
    "收款单位代码",
    "批次号",
]
CHUNK = 10_000


def filename(batch: Batch, ext: str) -> str:
    kind = providers.kind_name(batch.kind)
    return f"发放批次{batch.pk}_{kind}_{providers.period_label(batch.period)}.{ext}"


def bank_csv_response(*, user: User, request: HttpRequest | None, batch_id: int) -> FileResponse:
    """银行代发文件 (CSV, UTF-8 with BOM so that Excel and WPS read the Chinese). Every text cell goes
    through `csv_row`; the batch's constant cells (用途, 期间) once, the person's cells on each line."""
    batch = services.mark_exported(user=user, batch_id=batch_id, request=request)
    kind = providers.kinds().get(batch.kind)
    purpose, period_text = csv_row(
        [kind.purpose_text if kind else batch.kind, providers.period_label(batch.period)]
    )
    tmp = tempfile.TemporaryFile()
    tmp.write(codecs.BOM_UTF8)
    text = io.TextIOWrapper(tmp, encoding="utf-8", newline="")
    writer = csv.writer(text)
    writer.writerow(HEADER)
    qs = (
        BatchLine.objects.filter(batch_id=batch.pk, live=True)
        .order_by("id")
        .values_list(
            "id", "person__name", "person__id_number", "amount_fen", "payee_name", "payee_code"
        )
    )
    chunk = []
    for pk, name, id_number, fen, payee, payee_code in qs.iterator(chunk_size=CHUNK):
        name, id_number, payee, payee_code = csv_row((name, id_number, payee, payee_code))
        chunk.append(
            (
                pk,
                name,
                id_number,
                fen_to_yuan(fen),
                purpose,
                period_text,
                payee,
                payee_code,
                batch.pk,
            )
        )
        if len(chunk) == CHUNK:
            writer.writerows(chunk)
            chunk.clear()
    writer.writerows(chunk)
    text.flush()
    text.detach()
    tmp.seek(0)
    name = filename(batch, "csv")
    record(
        AuditAction.EXPORT,
        user=user,
        request=request,
        obj=batch,
        object_id=str(batch.pk),
        summary=f"导出银行代发文件 {name}：{batch.line_count} 人次，{fen_to_yuan(batch.total_fen)} 元（完整身份证号）",
    )
    return FileResponse(
        tmp, as_attachment=True, filename=name, content_type="text/csv; charset=utf-8"
    )


def agency_rows(batch: Batch, payee: bool) -> Iterator[list | xlsx.Rendered]:
    """The list's rows: what differs from line to line only (the kind, period and batch are in the sheet's name
    and the file's), so that 300,000 lines stay a few cells each. The database writes each row's cells
    (`xlsx.sql_text_cell`: the same escaping and quote prefix as `fupin.sheets.write`); a row with a
    character that needs more escaping comes back as values and is written by Python."""
    line, person = BatchLine._meta.db_table, Person._meta.db_table
    texts = ["p.name", "p.id_number"] + (["l.payee_name", "l.payee_code"] if payee else [])
    cells = [xlsx.sql_number_cell("l.id")] + [
        xlsx.sql_text_cell(e, connection.vendor) for e in texts[:2]
    ]
    cells.append(xlsx.sql_number_cell("round(l.amount_fen / 100.0, 2)"))
    cells += [xlsx.sql_text_cell(e, connection.vendor) for e in texts[2:]]
    vendor = connection.vendor
    sql = (
        f"SELECT {' || '.join(cells)}, CASE WHEN {xlsx.sql_needs_python(texts, vendor)} THEN 1 ELSE 0 END, "
        f"l.id, {', '.join(texts)}, l.amount_fen "
        f"FROM {line} l JOIN {person} p ON p.id = l.person_id "
        f"WHERE l.batch_id = %s AND l.live = %s ORDER BY l.id"
    )
    with transaction.atomic(), connection.chunked_cursor() as cur:
        cur.execute(sql, [batch.pk, True])
        while rows := cur.fetchmany(CHUNK):
            for xml, slow, pk, *rest in rows:
                if not slow:
                    yield xlsx.Rendered(xml)
                else:
                    *text, fen = rest
                    yield [pk, text[0], text[1], fen / 100, *text[2:]]


def agency_xlsx_response(*, user: User, request: HttpRequest | None, batch_id: int) -> FileResponse:
    """经办机构代缴名单 / 发放名单 (xlsx, streamed by `fupin.payments.xlsx`; audited like every export)."""
    batch = services.mark_exported(user=user, batch_id=batch_id, request=request)
    kind = providers.kinds().get(batch.kind)
    name = kind.name if kind else batch.kind
    payee = bool(kind and kind.payee == "organisation")
    header = ["明细号", "姓名", "身份证号", "金额(元)"] + (
        ["收款单位", "收款单位代码"] if payee else []
    )
    title = f"{name}{providers.period_label(batch.period)}批次{batch.pk}"[:31]
    tmp = xlsx.xlsx_file([(title, header, agency_rows(batch, payee))])
    fname = filename(batch, "xlsx")
    record(
        AuditAction.EXPORT,
        user=user,
        request=request,
        obj=batch,
        object_id=str(batch.pk),
        summary=f"导出发放名单 {fname}（{name}）：{batch.line_count} 人次，"
        f"{fen_to_yuan(batch.total_fen)} 元（完整身份证号）",
    )
    return FileResponse(
        tmp,
        as_attachment=True,
        filename=fname,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
