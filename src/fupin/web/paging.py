"""分页: long lists are shown a page at a time (50 rows), with the filter kept in the page links
(`{% include "web/_pager.html" %}`); the export (format=xlsx) still gives the whole filtered set."""

from collections.abc import Sequence

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PER_PAGE = 50


def page_of(request: HttpRequest, rows: QuerySet | Sequence, per: int = PER_PAGE) -> Page:
    if isinstance(rows, QuerySet) and not rows.ordered:
        rows = rows.order_by("-pk")  # newest first, and the same order on every page
    return Paginator(rows, per).get_page(request.GET.get("page"))
