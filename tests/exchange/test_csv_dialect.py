"""`fupin compare` reads CSV as Excel writes it (RFC 4180): quotes inside a quoted name are doubled,
and an apostrophe is just a character. Written by hand here, not by fupin's own writer."""

from fupin.exchange.comparison import DuckDBEngine

ROWS = (
    "id_number,name,village\r\n"
    '360222199001011234,"张""三""",甲村\r\n'
    "360222199001011235,O'Brien 李,乙村\r\n"
    "360222199001011236,'王五',丙村\r\n"
    '360222199001011237,"赵,六",丁村\r\n'
)


def test_quotes_and_apostrophes_in_names_are_read_as_written(tmp_path):
    path = tmp_path / "参保.csv"
    path.write_text(ROWS, encoding="utf-8")
    engine = DuckDBEngine(threads=1)
    try:
        engine.load_file("ext", path)
        rows = engine.rows("SELECT row_no, id_number, name, village FROM ext ORDER BY row_no")
    finally:
        engine.close()
    assert rows == [
        (1, "360222199001011234", '张"三"', "甲村"),
        (2, "360222199001011235", "O'Brien 李", "乙村"),
        (3, "360222199001011236", "'王五'", "丙村"),
        (4, "360222199001011237", "赵,六", "丁村"),
    ]
