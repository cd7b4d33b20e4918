"""The comparison reads ID numbers in SQL exactly as `parse_id_number` reads them in Python.

Imports repair 15-digit legacy numbers, full-width digits, spaces and a lower-case x through
parse_id_number; the comparison reads raw files and must repair them the same way, or a repaired
person looks like a stranger. Hypothesis writes messy numbers; for every one the SQL reading (the
`reg` table of the pipeline: `id`, `fault`) must equal the Python function: the same number when
valid, the same Chinese message when not.
"""

import datetime as dt

import polars as pl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fupin.exchange.comparison import DuckDBEngine, Settings, run
from fupin.registry.idnumber import PROVINCES, IdNumberError, parse_id_number

AS_OF = dt.date(2020, 6, 30)
HEADER = ["id_number", "name", "area_code", "status", "poor", "dibao", "tekun", "severe_disability"]
# Characters that spreadsheets, keyboards and copy-paste put into ID numbers, and some that only
# look like digits: full-width, circled (㉑ is "21"), superscript, Arabic-Indic, mathematical.
ODD = list("０１２３４５６７８９ＸｘxX-－'\"．.①⑩㉑²³٣۵𝟏𝟘Ａß é\u0301ｅ+E")
SPACES = [
    " ",
    "\t",
    "\n",
    "\u3000",
    "\u00a0",
    "\u2002",
    "\u202f",
    "\x1c",
    "\x85",
    "\u2028",
    "\u1680",
    "\u200b",
]
FULL = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _check(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


@st.composite
def id18(draw) -> str:
    """A well-formed number, or one wrong in its province, date or check character."""
    province = draw(st.sampled_from([*sorted(PROVINCES), "00", "99", "19"]))
    area = province + draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    year = draw(
        st.sampled_from([1889, 1890, 1935, 1960, 1987, 1999, 2000, 2020, 2021, 2099, 9999, 0])
    )
    month = draw(st.integers(0, 13))
    day = draw(st.integers(0, 32))
    first17 = f"{area}{year:04d}{month:02d}{day:02d}{draw(st.integers(0, 999)):03d}"
    right = _check(first17)
    last = right if draw(st.booleans()) else draw(st.sampled_from("0123456789X"))
    return first17 + last


@st.composite
def messy(draw) -> str:
    """A number as it arrives: shortened to 15 digits, full-width, spaced, cased, with odd characters."""
    text = draw(
        st.one_of(
            id18(),
            id18(),
            id18(),
            st.text(alphabet=st.sampled_from(list("0123456789X") + ODD), max_size=20),
            st.text(
                alphabet=st.characters(exclude_characters="\x00", exclude_categories=("Cs",)),
                max_size=20,
            ),
        )
    )
    for op in draw(
        st.lists(
            st.sampled_from(["legacy", "full", "space", "lower", "odd", "drop", "sci"]), max_size=4
        )
    ):
        at = draw(st.integers(0, len(text)))
        if op == "legacy" and len(text) == 18:
            text = text[:6] + text[8:17]
        elif op == "full":
            text = text.translate(FULL)
        elif op == "space":
            text = text[:at] + draw(st.sampled_from(SPACES)) + text[at:]
        elif op == "lower":
            text = text.lower()
        elif op == "odd":
            text = text[:at] + draw(st.sampled_from(ODD)) + text[at + 1 :]
        elif op == "drop" and text:
            text = text[:at] + text[at + 1 :]
        elif op == "sci":
            text = f"{int('0' + ''.join(c for c in text if c.isascii() and c.isdigit())[:17]):.5E}"
    return text


def python_reading(raw: str | None) -> tuple[str | None, str | None]:
    try:
        return parse_id_number(raw, today=AS_OF).value, None
    except IdNumberError as exc:
        return None, str(exc)


def sql_reading(raws: list[str | None]) -> list[tuple[str | None, str | None]]:
    engine = DuckDBEngine(threads=1)
    try:
        rows = [
            [raw, f"人{i}", "360222100001", "poor", "1", "0", "0", "0"]
            for i, raw in enumerate(raws)
        ]
        engine.load_arrow("registry", pl.DataFrame(rows, schema=HEADER, orient="row").to_arrow())
        engine.load_arrow(
            "enrolment",
            pl.DataFrame(
                [["360222198001011236", "甲", "360222100001", "medical", "active", "1", "1", "0"]],
                schema=[
                    "id_number",
                    "name",
                    "area_code",
                    "insurance",
                    "enrolment_status",
                    "poverty_tag",
                    "premium_subsidy",
                    "deceased",
                ],
                orient="row",
            ).to_arrow(),
        )
        run(engine, Settings(pension_min_age=16, as_of=AS_OF))
        got = dict(
            (
                (row_no, (idn, fault))
                for row_no, idn, fault in engine.rows("SELECT row_no, id, fault FROM reg")
            )
        )
    finally:
        engine.close()
    return [
        (got[i + 1][0] if got[i + 1][1] is None else None, got[i + 1][1]) for i in range(len(raws))
    ]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(messy(), min_size=1, max_size=60))
@example(
    [
        "36022219800101123X",
        "360222800101123",
        "３６０２２２１９８００１０１１２３Ｘ",
        "36022219800101123x",
        " 360222 19800101 123X ",
        "360222\u00a019800101123X",
        "360222-19800101-123X",
        "",
        "   ",
        "\u3000",
        "36022219800230123X",
        "3.60222E+17",
        "36022219800101123",
        "3602221980010112٣X",
        "㉑0222198001011230",
        "360222800101１２٣",
        "990222198001011233",
        "360222209912311235",
    ]
)
def test_sql_reads_every_id_as_parse_id_number_does(raws):
    assert sql_reading(raws) == [python_reading(r) for r in raws]


def test_a_float_column_is_read_as_parse_id_number_reads_a_float(tmp_path):
    """A Parquet column of numbers (an ID typed as a number in Excel): its last digits are gone."""
    engine = DuckDBEngine(threads=1)
    reg = pl.DataFrame(
        {
            "id_number": [3.60222198001011e17, None],
            "name": ["甲", "乙"],
            "area_code": ["360222100001"] * 2,
            "status": ["poor"] * 2,
            "poor": ["1"] * 2,
            "dibao": ["0"] * 2,
            "tekun": ["0"] * 2,
            "severe_disability": ["0"] * 2,
        }
    )
    engine.load_arrow("registry", reg.to_arrow())
    engine.load_arrow(
        "enrolment",
        pl.DataFrame(
            [["360222198001011236", "甲", "360222100001", "medical", "active", "1", "1", "0"]],
            schema=[
                "id_number",
                "name",
                "area_code",
                "insurance",
                "enrolment_status",
                "poverty_tag",
                "premium_subsidy",
                "deceased",
            ],
            orient="row",
        ).to_arrow(),
    )
    run(engine, Settings(pension_min_age=16, as_of=AS_OF))
    faults = [f for (f,) in engine.rows("SELECT fault FROM reg ORDER BY row_no")]
    assert faults == [python_reading(3.60222198001011e17)[1], python_reading(None)[1]]
