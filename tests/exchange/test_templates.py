"""导入模板: each source's template is named in Chinese, and its example row carries this county's
codes and a valid ID number of this county — never the demo county's when fupin runs elsewhere."""

import io
from urllib.parse import unquote

import pytest
from python_calamine import CalamineWorkbook

from fupin.exchange.sources import FIELDS, TITLES
from fupin.idnumber import parse_id_number

from ..conftest import login

KINDS = sorted(FIELDS)


def example_row(response) -> dict[str, str]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_name("数据").to_python()
    header = [str(c).rstrip("*") for c in rows[1]]
    return dict(zip(header, (str(c) for c in rows[2]), strict=True))


@pytest.mark.django_db
@pytest.mark.parametrize("county", ["360222", "110101"])
@pytest.mark.parametrize("kind", KINDS)
def test_example_row_is_this_countys(county_user, settings, kind, county):
    settings.COUNTY_CODE = county
    response = login(county_user).get("/exchange/imports/template.xlsx", {"kind": kind})
    assert response.status_code == 200
    row = example_row(response)
    other = "110101" if county == "360222" else "360222"
    assert not any(other in v for v in row.values()), row
    ids = [v for k, v in row.items() if "身份证" in k or "证件" in k]
    assert ids, row
    for value in ids:
        assert value.startswith(county)
        parse_id_number(value)  # a valid check character, or this raises
    for label in ("村代码", "参保地区划代码", "户编号"):
        if label in row:
            assert row[label].startswith(county), (label, row[label])


@pytest.mark.django_db
def test_template_named_in_chinese(county_user):
    response = login(county_user).get("/exchange/imports/template.xlsx", {"kind": "medical"})
    name = unquote(response["Content-Disposition"].split("''", 1)[1])
    assert name == f"{TITLES['medical']}导入模板.xlsx"
    assert "medical" not in name
