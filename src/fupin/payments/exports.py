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

from django.http import FileResponse

from fupin.access.audit import record
from fupin.access.models import AuditAction
from fupin.policy.params import fen_to_yuan
from fupin.sheets.response import xlsx_response
from fupin.sheets.write import csv_row

from . import providers, services
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


def bank_csv_response(*, user, request, batch_id: int) -> FileResponse:
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


def agency_rows(batch: Batch, payee: bool) -> Iterator[list]:
    """The list's rows: what differs from line to line only (the kind, period and batch are in the sheet's name
    and the file's), so that 300,000 lines stay a few cells each."""
    qs = BatchLine.objects.filter(batch_id=batch.pk, live=True).order_by("id")
    if payee:
        for pk, name, id_number, fen, payee_name, payee_code in qs.values_list(
            "id", "person__name", "person__id_number", "amount_fen", "payee_name", "payee_code"
        ).iterator(chunk_size=CHUNK):
            yield [pk, name, id_number, fen / 100, payee_name, payee_code]
    else:
        for pk, name, id_number, fen in qs.values_list(
            "id", "person__name", "person__id_number", "amount_fen"
        ).iterator(chunk_size=CHUNK):
            yield [pk, name, id_number, fen / 100]


def agency_xlsx_response(*, user, request, batch_id: int) -> FileResponse:
    """经办机构代缴名单 / 发放名单 (xlsx, through the one export helper, which audits it)."""
    batch = services.mark_exported(user=user, batch_id=batch_id, request=request)
    kind = providers.kinds().get(batch.kind)
    name = kind.name if kind else batch.kind
    payee = bool(kind and kind.payee == "organisation")
    header = ["明细号", "姓名", "身份证号", "金额(元)"] + (
        ["收款单位", "收款单位代码"] if payee else []
    )
    title = f"{name}{providers.period_label(batch.period)}批次{batch.pk}"[:31]
    return xlsx_response(
        user=user,
        request=request,
        filename=filename(batch, "xlsx"),
        unmasked=True,
        summary=f"导出发放名单 批次 {batch.pk}（{name}）：{batch.line_count} 人次，{fen_to_yuan(batch.total_fen)} 元",
        sheets=[(title, header, agency_rows(batch, payee))],
    )
