"""Disease lists by rule slot on the column path (`batch._disease_in`): a row is listed when its
disease code starts with a prefix its slot lists — checked against a plain Python reading."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin.policy.batch import INDEX, _disease_in

PREFIXES = ["C15", "C16", "C1", "I63", "I6", "E10.", "Q54"]
codes = st.one_of(
    st.none(),
    st.sampled_from(
        ["", "C15.2", "C16", "C1X", "I63.9", "I60", "E10.1", "E101", "Q54", "q54", "K35.8"]
    ),
)


@st.composite
def cases(draw):
    slots = draw(st.integers(1, 6))
    shared = draw(st.booleans())  # one list in the slots that have one, as for 单病种控费
    chosen = draw(st.lists(st.sampled_from(PREFIXES), unique=True, max_size=5))
    if shared:
        having = draw(st.lists(st.booleans(), min_size=slots, max_size=slots))
        listing = {p: [int(h) for h in having] for p in chosen}
    else:
        listing = {
            p: draw(st.lists(st.integers(0, 1), min_size=slots, max_size=slots)) for p in chosen
        }
    rows = draw(st.lists(st.tuples(codes, st.integers(0, slots - 1)), min_size=1, max_size=30))
    return listing, rows


@settings(max_examples=300, deadline=None)
@given(case=cases())
def test_listed_as_a_plain_reading_says(case):
    listing, rows = case
    frame = pl.DataFrame(
        {"disease_code": [c for c, _ in rows], "slot": [s for _, s in rows]},
        schema={"disease_code": pl.String, "slot": INDEX},
    )
    got = frame.select(_disease_in(listing, pl.col("slot")).alias("hit")).to_series().to_list()
    if len(got) == 1 and len(rows) > 1:  # a constant: the same for every row
        got = got * len(rows)
    expected = [
        code is not None and any(code.startswith(p) and v[slot] for p, v in listing.items())
        for code, slot in rows
    ]
    assert got == expected
