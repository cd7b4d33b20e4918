"""Downloadable xlsx templates (导入模板), one per source: title row, header, an example row,
and a sheet that explains each column and the values it accepts. Example codes and ID numbers are
this county's (settings.COUNTY_CODE), never another's."""

import io

import xlsxwriter
from django.conf import settings

from fupin.idnumber import check_char
from fupin.sheets.reader import Field

from .sources import FIELDS, TITLES


def example_of(field: Field, county: str | None = None) -> str:
    """The example cell of `field` for `county` (6 digits; default this county): `{county}` filled
    in, and an ID number given its own check character again."""
    text = field.example.format(county=county or settings.COUNTY_CODE)
    if field.kind == "id" and len(text) == 18 and text[:17].isdigit():
        text = text[:17] + check_char(text[:17])
    return text


def template_xlsx(kind: str) -> bytes:
    fields = FIELDS[kind]
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    text = book.add_format({"num_format": "@"})
    head = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    required = book.add_format({"bold": True, "bg_color": "#E6B8B7", "border": 1})
    title = book.add_format({"bold": True, "font_size": 14})
    sheet = book.add_worksheet("数据")
    sheet.merge_range(0, 0, 0, max(len(fields) - 1, 1), TITLES[kind], title)
    for j, f in enumerate(fields):
        sheet.write_string(
            1, j, f.label + ("*" if f.required else ""), required if f.required else head
        )
        # Every column is text: ID numbers typed as numbers lose their last digits.
        sheet.set_column(j, j, 20 if f.kind in ("id", "code12", "area") else 14, text)
        sheet.write_string(2, j, example_of(f))
    notes = book.add_worksheet("填写说明")
    notes.write_row(0, 0, ["列名", "必填", "也可写作", "可填的值"], head)
    for i, f in enumerate(fields, start=1):
        values = (
            "、".join(dict.fromkeys(k for k in f.choices if not k.isascii()))
            if f.choices
            else {
                "id": "18位身份证号（请以文本格式填写，勿用数字格式）",
                "year": "四位年份",
                "grade": "1–4级",
                "bool": "是/否",
                "code12": "12位村级区划代码",
                "area": "6、9或12位区划代码",
            }.get(f.kind, "")
        )
        notes.write_row(
            i,
            0,
            [
                f.label,
                "是" if f.required else "",
                "、".join(s for s in f.synonyms if s != f.label),
                values,
            ],
        )
    notes.set_column(0, 3, 30)
    book.close()
    return buf.getvalue()
