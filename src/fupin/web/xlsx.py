"""表格导出响应 (xlsx download): the one way a page or API route sends an xlsx, audited.

It lives in `web`, above the audit trail it writes (`fupin.sheets` stays below it); cells go
through `fupin.sheets.write`, so text is never a formula or link.
"""

import tempfile

import xlsxwriter
from django.http import FileResponse, HttpRequest

from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.sheets.write import WORKBOOK_OPTIONS, CellWriter


def xlsx_response(
    *,
    user: User,
    request: HttpRequest | None,
    filename: str,
    sheets: list[tuple[str, list[str], list[list]]],
    summary: str,
    unmasked: bool,
) -> FileResponse:
    """Write rows into an xlsx (constant memory) and audit the export.

    Cells go through `fupin.sheets.write`: text is never a formula or link (see there)."""
    tmp = tempfile.TemporaryFile()
    book = xlsxwriter.Workbook(
        tmp, {"constant_memory": True, "in_memory": False, **WORKBOOK_OPTIONS}
    )
    head, cells = CellWriter(book, {"bold": True}), CellWriter(book)
    for title, header, rows in sheets:
        sheet = book.add_worksheet(title)
        head.write_row(sheet, 0, header)
        for i, row in enumerate(rows, start=1):
            cells.write_row(sheet, i, row)
    book.close()
    tmp.seek(0)
    record(
        AuditAction.EXPORT,
        user=user,
        request=request,
        object_type="export",
        object_id=filename,
        summary=f"{summary}（{'完整身份证号' if unmasked else '身份证号已脱敏'}）",
    )
    return FileResponse(
        tmp,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
