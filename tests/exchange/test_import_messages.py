"""Roster rejections never name a person or household of another township."""

from fupin.exchange import imports
from fupin.exchange.models import ImportRow
from tests.conftest import TOWN_A, TOWN_B

from .files import ROSTER_HEADER, VILLAGE_A, person_id, roster_rows, xlsx


def _faults(user, rows):
    job = imports.create_job(
        user=user, kind="roster", filename="r.xlsx", content=xlsx(rows, header=ROSTER_HEADER)
    )
    imports.stage(job, user=user)
    return {r.row_no: r.errors for r in ImportRow.objects.filter(job=job, action="rejected")}


def test_id_registered_in_another_township_says_only_elsewhere(areas, town_a_user, make_household):
    theirs = make_household(TOWN_B, members=1)
    taken = theirs.members.get()
    rows = roster_rows(
        "N0001", VILLAGE_A, [(person_id(7), "新户主", "户主"), (taken.id_number, "冒名", "子女")]
    )
    got = _faults(town_a_user, rows)
    column, message = got[3][0]
    assert column == "身份证号"
    assert (
        taken.name not in message
        and theirs.number not in message
        and theirs.head_name not in message
    )
    assert "已在其他辖区登记" in message


def test_id_registered_in_the_users_own_area_points_to_the_household(
    areas, town_a_user, make_household
):
    mine = make_household(TOWN_A, members=1)
    taken = mine.members.get()
    got = _faults(town_a_user, roster_rows("N0002", VILLAGE_A, [(taken.id_number, "重复", "户主")]))
    column, message = got[2][0]
    assert column == "身份证号" and mine.number in message and taken.name in message
