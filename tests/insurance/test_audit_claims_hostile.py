"""Held-out style checks of the hospital settlement import (医疗结算单入库) with files nobody on the
team wrote: hostile cells are refused naming row, column and fault in Chinese; unknown ID numbers
are listed (masked), never matched by name; hostile files fail in Chinese."""

import io
import zipfile

import openpyxl
import pytest

from fupin.insurance.claims import imports
from fupin.insurance.claims.models import ImportState, MedicalClaim
from fupin.registry.idnumber import check_char
from fupin.registry.models import Person
from tests.conftest import TOWN_A

HEADER = [
    "结算单号",
    "身份证号",
    "姓名",
    "医院名称",
    "就诊类型",
    "医院级别",
    "疾病编码",
    "入院日期",
    "总费用",
    "政策范围内费用",
]


def run(user, content: bytes, name: str = "医院结算.csv"):
    return imports.stage(
        imports.create_import(user=user, filename=name, content=content), user=user
    )


def faults(job) -> dict[int, list[list[str]]]:
    return {r.row_no: r.errors for r in job.rows.all() if r.errors}


def csv_bytes(*rows) -> bytes:
    return ("\n".join(",".join(map(str, r)) for r in [HEADER, *rows]) + "\n").encode()


def xlsx_bytes(*rows) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def person(make_household):
    return Person.objects.filter(household=make_household(TOWN_A, members=1)).get()


def row(p, **kw):
    cells = {
        "no": "ZY1",
        "id": p.id_number,
        "name": p.name,
        "kind": "住院",
        "level": "二级",
        "day": "2018-03-02",
        "total": "1000.00",
        "in_policy": "800.00",
    } | kw
    return [
        cells["no"],
        cells["id"],
        cells["name"],
        "县医院",
        cells["kind"],
        cells["level"],
        "",
        cells["day"],
        cells["total"],
        cells["in_policy"],
    ]


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        ({"total": "1" + "0" * 30, "in_policy": "1" + "0" * 30}, "总费用", "不是金额"),
        ({"total": "1000.001"}, "总费用", "不是金额"),
        ({"total": "１０００"}, "总费用", "不是金额"),
        ({"total": "nan", "in_policy": "nan"}, "总费用", "不是金额"),
        ({"total": "inf", "in_policy": "inf"}, "总费用", "不是金额"),
        ({"total": "-5", "in_policy": "-5"}, "总费用", "负数"),
        ({"total": "100", "in_policy": "200"}, "政策范围内费用", "大于总费用"),
        ({"day": "2018-02-29"}, "入院日期", "日期无效"),
        ({"day": "2099-01-01"}, "入院日期", "晚于今天"),
        ({"day": "1900-01-01"}, "入院日期", "不在江西省景德镇市浮梁县任何政策期间内"),
        ({"day": "2017-12-31"}, "入院日期", "现有期间：2018-01-01 起"),
        ({"level": "9"}, "医院级别", "无法识别"),
        ({"no": "Z" * 500}, "结算单号", "过长"),
        ({"name": "王小二"}, "姓名", "不一致"),
        ({"kind": "门诊慢性病"}, "就诊类型", "无有效慢性病医疗证"),
    ],
)
def test_hostile_cells_are_refused_by_row_and_column(person, town_a_user, cells, column, words):
    job = run(town_a_user, csv_bytes(row(person, **cells)))
    assert job.state == ImportState.READY and job.rows_rejected == 1
    found = faults(job)[2]
    assert any(col == column and words in why for col, why in found), found
    with pytest.raises(imports.ImportRefused, match="全部或全不"):
        imports.merge(job, user=town_a_user)
    assert not MedicalClaim.objects.exists()


def test_29_february_of_a_leap_year_is_a_date(person, town_a_user):
    job = run(town_a_user, csv_bytes(row(person, day="2020-02-29")))
    assert job.rows_rejected == 0, faults(job)


def test_unknown_persons_are_listed_masked_never_matched_by_name(person, town_a_user):
    stranger = "11010119900307777"
    stranger += check_char(stranger)
    local = "36022219850101002"
    local += check_char(local)
    job = run(
        town_a_user,
        csv_bytes(
            row(person, no="Z1", id=stranger),  # the registered person's name, another ID
            row(person, no="Z2", id=local.lower()),
            row(person, no="Z3"),
        ),
    )
    assert job.rows_rejected == 2
    listed = {tuple(u[:2]) for u in job.unknown_persons}
    assert listed == {
        (2, stranger[:6] + "********" + stranger[-4:]),
        (3, local[:6] + "********" + local[-4:]),
    }
    assert "不按姓名匹配" in faults(job)[2][0][1]


def test_formula_cells_are_never_taken_as_amounts(person, town_a_user):
    r = row(person)
    r[8], r[9] = "=1000*1000", "=800"
    job = run(town_a_user, xlsx_bytes(r), "结算.xlsx")
    assert job.rows_rejected == 1
    assert {col for col, _ in faults(job)[2]} == {"总费用", "政策范围内费用"}


def test_a_zip_bomb_fails_in_chinese(person, town_a_user):
    plain = zipfile.ZipFile(io.BytesIO(xlsx_bytes(row(person))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in plain.infolist():
            data = plain.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data.replace(
                    b"<sheetData>", b"<sheetData><!--" + b"A" * (600 << 20) + b"-->"
                )
            z.writestr(item, data)
    job = run(town_a_user, out.getvalue(), "炸弹.xlsx")
    assert job.state == ImportState.FAILED and "压缩炸弹" in job.message
