"""列表导出: every list exports the set it shows, filtered as shown.

A list view builds its filtered queryset once and hands it here with its columns; the page's
导出Excel link is the page's own address with `format=xlsx` (`{% export_url %}`, in
`fupin.web.templatetags.listing`), so the export cannot drift from the filter on screen. Area codes
are written as names; ID numbers masked (exports of full numbers have their own audited routes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest

from fupin.areas.names import names_of
from fupin.web.xlsx import xlsx_response

EXPORT_LIMIT = 200_000  # rows in one xlsx; narrow the filter for more


@dataclass(frozen=True)
class Column:
    """表头 and how to read the cell from a row object; `area=True`: the value is an area code."""

    header: str
    value: Callable[[Any], Any]
    area: bool = False


def wants_xlsx(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


def export(
    request: HttpRequest, rows: QuerySet | Iterable, *, title: str, columns: list[Column]
) -> FileResponse:
    """The xlsx of `rows` (already filtered and scoped by the view), audited as an export."""
    items = list(rows[:EXPORT_LIMIT] if isinstance(rows, QuerySet) else rows)
    codes = {c.value(item) for item in items for c in columns if c.area}
    names = names_of(c for c in codes if c)
    table = [
        [names.get(c.value(item), "") if c.area else c.value(item) for c in columns]
        for item in items
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename=f"{title}.xlsx",
        unmasked=False,
        summary=f"导出{title} {len(table)} 行",
        sheets=[(title[:31], [c.header for c in columns], table)],
    )
