"""A filtered list exports what it shows: the export link carries the page's filter and the export applies it."""

import datetime as dt
import io
import re
from html import unescape

from python_calamine import CalamineWorkbook

from fupin.assistance.models import LedgerEntry
from fupin.employment.models import Referral
from tests.conftest import TOWN_A, TOWN_B, login

from . import factories as f


def _export_link(page: str, name: str) -> str:
    m = re.search(r'href="([^"]*' + re.escape(name) + r'[^"]*)"', page)
    assert m, f"no export link to {name}"
    return unescape(m.group(1))


def _rows(response) -> list[list]:
    body = b"".join(response.streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    return book.get_sheet_by_index(0).to_python()[1:]


def test_referral_export_keeps_the_status_filter(make_household, town_a_user):
    people = list(make_household(TOWN_A, members=3).members.order_by("id"))
    postings = [f.posting(f.employer(TOWN_A), title=f"岗位{i}") for i in range(3)]
    for person, posting, status in zip(
        people, postings, ("hired", "referred", "declined"), strict=True
    ):
        Referral.objects.create(
            person=person,
            village_code=person.village_code,
            posting=posting,
            status=status,
            referred_on=dt.date(2020, 1, 1),
        )
    c = login(town_a_user)
    page = c.get("/employment/referrals/?status=hired").content.decode()
    link = _export_link(page, "/employment/referrals/export")
    rows = _rows(c.get(link))
    assert [r[1] for r in rows] == [people[0].name]
    assert len(_rows(c.get("/employment/referrals/export/"))) == 3


def test_ledger_export_keeps_the_kind_and_area_filter(make_household, town_a_user, county_user):
    a = make_household(TOWN_A, members=1).members.get()
    b = make_household(TOWN_B, members=1).members.get()
    for person in (a, b):
        for kind in ("loan", "training"):
            LedgerEntry.objects.create(
                person=person,
                village_code=person.village_code,
                day=dt.date(2020, 1, 1),
                kind=kind,
                summary=f"{kind}记录",
            )
    c = login(county_user)
    page = c.get(f"/assistance/?area={TOWN_A}&kind=loan").content.decode()
    link = _export_link(page, "/assistance/export/")
    rows = _rows(c.get(link))
    assert [(r[1], r[4]) for r in rows] == [(a.name, "创业担保贷款")]
