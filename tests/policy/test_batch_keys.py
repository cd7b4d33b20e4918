"""The column path's row keys (批量结算): a new year where the days cross 1 January, a category's
or chronic class's position in its list — checked against Python's dates and `list.index`."""

from datetime import date, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.policy.batch import _index_in, _new_years
from fupin.policy.units import CATEGORIES

EPOCH = date(1970, 1, 1)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.dates(date(1995, 6, 1), date(2031, 6, 30)), min_size=1, max_size=8),
        min_size=1,
        max_size=8,
    )
)
def test_new_year_is_a_change_of_calendar_year_within_a_person(persons: list[list[date]]) -> None:
    days = [sorted(d) for d in persons]
    flat = [d for person in days for d in person]
    expected = []
    for person in days:
        expected += [False] + [b.year != a.year for a, b in zip(person, person[1:], strict=False)]
    numbers = pl.Series([(d - EPOCH).days for d in flat], dtype=pl.Int32)
    got = _new_years(numbers)
    # The first row of each person is marked by the caller; here only the rows after it count.
    starts = {sum(len(p) for p in days[:i]) for i in range(len(days))}
    assert [v for i, v in enumerate(got.to_list()) if i not in starts] == [
        v for i, v in enumerate(expected) if i not in starts
    ]


def test_new_year_on_1_january_and_over_several_years() -> None:
    days = [date(2017, 12, 31), date(2018, 1, 1), date(2018, 1, 2), date(2021, 3, 1)]
    numbers = pl.Series([(d - EPOCH).days for d in days], dtype=pl.Int32)
    assert _new_years(numbers).to_list() == [False, True, False, True]
    one_year = pl.Series([(date(2018, 1, 1) + timedelta(days=i) - EPOCH).days for i in range(365)])
    assert not _new_years(one_year.cast(pl.Int32)).any()


@given(st.lists(st.sampled_from([*CATEGORIES, None]), min_size=1, max_size=30))
def test_category_index_is_its_position(values: list[str | None]) -> None:
    got = pl.DataFrame({"category": values}, schema={"category": pl.String}).select(
        _index_in("category", CATEGORIES, None)
    )
    assert got.to_series().to_list() == [None if v is None else CATEGORIES.index(v) for v in values]


@given(
    st.lists(st.text("ABCI", min_size=1, max_size=3), min_size=1, max_size=12, unique=True),
    st.data(),
)
def test_class_index_short_and_long_lists(classes: list[str], data: st.DataObject) -> None:
    """Equality tests for a few classes, the Enum for more than eight: the same positions; a
    null is `absent`, a class not listed is null."""
    values = data.draw(st.lists(st.one_of(st.none(), st.sampled_from([*classes, "Z9"]))))
    frame = pl.DataFrame({"chronic_class": values}, schema={"chronic_class": pl.String})
    got = frame.select(_index_in("chronic_class", classes, 0)).to_series().to_list()
    assert got == [0 if v is None else (classes.index(v) if v in classes else None) for v in values]
