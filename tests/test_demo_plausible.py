"""The demo county reads like a real one: no household leaves poverty before it was identified, and the
sample roster's couples are a man and a woman (the ID number's 17th digit, as fupin reads it)."""

import pytest
from python_calamine import CalamineWorkbook

from fupin.demo import builder
from fupin.exchange.demo import sample_roster
from fupin.registry.idnumber import parse_id_number
from fupin.registry.models import StatusChange

pytestmark = pytest.mark.django_db


def test_no_household_exits_before_it_was_identified(areas):
    builder.build(households=300)
    identified = dict(
        StatusChange.objects.filter(reason="建档立卡识别").values_list(
            "household_id", "effective_date"
        )
    )
    later = StatusChange.objects.exclude(reason="建档立卡识别").exclude(household=None)
    assert later.exists()
    early = [
        (c.household_id, identified[c.household_id], c.effective_date)
        for c in later
        if c.effective_date <= identified[c.household_id]
    ]
    assert early == []


def test_sample_roster_couples_are_a_man_and_a_woman(areas, tmp_path):
    path = tmp_path / "roster.xlsx"
    sample_roster(path)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    start = next(
        i for i, r in enumerate(rows) if "户编号" in r
    )  # title rows come first, as in a real roster
    header, body = rows[start], rows[start + 1 :]
    at = {name: header.index(name) for name in ("户编号", "公民身份号码", "与户主关系")}
    sexes: dict[str, dict[str, str]] = {}
    for row in body:
        try:
            sex = parse_id_number(str(row[at["公民身份号码"]])).sex
        except Exception:  # the sample's planted ID faults
            continue
        sexes.setdefault(row[at["户编号"]], {})[row[at["与户主关系"]]] = sex
    couples = [s for s in sexes.values() if "户主" in s and "配偶" in s]
    assert len(couples) >= 8
    assert all(s["户主"] != s["配偶"] for s in couples)
