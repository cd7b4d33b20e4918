"""GB 11643 ID numbers: every fault gets its own Chinese message."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fupin.registry.idnumber import IdNumberError, check_char, mask, parse_id_number

VALID = "11010519491231002X"  # the standard's own example
VALID_36 = "360222198001010014"


def test_standard_example_is_valid_and_says_who():
    n = parse_id_number(VALID)
    assert n.value == VALID
    assert n.birth_date == dt.date(1949, 12, 31)
    assert n.sex == "女"


def test_wrong_check_character_names_the_right_one():
    with pytest.raises(IdNumberError, match="校验码错误，应为X"):
        parse_id_number("110105194912310021")


def test_impossible_date():
    body = "36022219800230001"  # 30 February
    with pytest.raises(IdNumberError, match="出生日期无效：1980年02月30日不存在"):
        parse_id_number(body + check_char(body))


def test_future_date():
    body = "36022230000101001"
    with pytest.raises(IdNumberError, match="出生日期无效：3000-01-01 晚于今天"):
        parse_id_number(body + check_char(body))


def test_too_old_date():
    body = "36022218000101001"
    with pytest.raises(IdNumberError, match="早于1890年"):
        parse_id_number(body + check_char(body))


def test_unknown_province_prefix():
    body = "99022219800101001"
    with pytest.raises(IdNumberError, match="省份代码“99”不存在"):
        parse_id_number(body + check_char(body))


def test_fifteen_digit_number_is_upgraded():
    n = parse_id_number("360222800101001")
    assert n.value == "36022219800101001" + check_char("36022219800101001")
    assert n.upgraded_from == "360222800101001"
    assert n.birth_date == dt.date(1980, 1, 1)


def test_lower_case_x_is_accepted():
    assert parse_id_number(VALID.lower()).value == VALID


def test_full_width_digits_and_spaces_are_normalised():
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in VALID_36)
    assert parse_id_number(full_width).value == VALID_36
    assert parse_id_number(" 360222 19800101 0014 ").value == VALID_36


def test_wrong_length():
    with pytest.raises(IdNumberError, match="应为18位，实为17位"):
        parse_id_number(VALID_36[:-1])


def test_letters_inside():
    with pytest.raises(IdNumberError, match="含非法字符"):
        parse_id_number("3602221980A1010014")


def test_number_stored_as_float_is_refused():
    with pytest.raises(IdNumberError, match="数字格式存储"):
        parse_id_number(3.60222198001010e17)


def test_scientific_notation_is_refused():
    with pytest.raises(IdNumberError, match="科学计数法"):
        parse_id_number("3.60222E+17")


def test_empty():
    with pytest.raises(IdNumberError, match="身份证号为空"):
        parse_id_number("  ")


def test_cross_check_birth_date_and_sex():
    with pytest.raises(IdNumberError, match="出生日期与身份证号不符"):
        parse_id_number(VALID_36, birth_date=dt.date(1980, 1, 2))
    with pytest.raises(IdNumberError, match="性别与身份证号不符：身份证号为男，填写的是女"):
        parse_id_number(VALID_36, sex="女")
    assert parse_id_number(VALID_36, birth_date=dt.date(1980, 1, 1), sex="男").sex == "男"


def test_mask_keeps_area_and_last_four():
    assert mask(VALID_36) == "360222********0014"


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)), st.integers(0, 999)
)
def test_any_generated_number_round_trips(born, seq):
    body = f"360222{born:%Y%m%d}{seq:03d}"
    n = parse_id_number(body + check_char(body))
    assert n.birth_date == born
    assert n.sex == ("男" if seq % 2 else "女")


@given(st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_change_is_caught(pos, delta):
    body = VALID_36[:17]
    changed = body[:pos] + str((int(body[pos]) + delta) % 10) + body[pos + 1 :]
    try:
        n = parse_id_number(changed + VALID_36[17])
    except IdNumberError:
        return
    raise AssertionError(f"{n.value} accepted")
