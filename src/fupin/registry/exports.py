"""Excel exports of the registry (导出). IDs masked unless the user may and asks to unmask."""

from django.db.models import Model, QuerySet

from .idnumber import mask
from .models import Household, Person

HOUSEHOLD_COLUMNS = [
    ("户编号", "number"), ("村代码", "village_code"), ("户主", "head_name"), ("家庭人口", "member_count"),
    ("贫困户属性", "attribute"), ("识别标准", "standard"), ("识别年度", "year_identified"),
    ("主要致贫原因", "main_cause"), ("状态", "status"), ("脱贫年度", "exit_year"),
    ("住址", "address"), ("联系电话", "phone"), ("帮扶责任人", "cadre_name"),
]  # fmt: skip
PERSON_COLUMNS = [
    ("户编号", "household__number"), ("身份证号", "id_number"), ("姓名", "name"), ("性别", "sex"),
    ("出生日期", "birth_date"), ("与户主关系", "relation"), ("健康状况", "health"),
    ("劳动技能", "labour_skill"), ("务工状况", "work_status"), ("就业意愿", "intention"), ("状态", "status"),
]  # fmt: skip


def _labels(model: type[Model], field_name: str) -> dict:
    try:
        field = model._meta.get_field(field_name)
    except Exception:
        return {}
    return dict(field.choices or [])


def household_rows(qs: QuerySet[Household]) -> list[list]:
    fields = [f for _, f in HOUSEHOLD_COLUMNS]
    labels = {f: _labels(Household, f) for f in fields}
    return [
        [labels[f].get(v, v) for f, v in zip(fields, row, strict=True)]
        for row in qs.values_list(*fields).iterator(chunk_size=5000)
    ]


def person_rows(qs: QuerySet[Person], *, unmasked: bool) -> list[list]:
    fields = [f for _, f in PERSON_COLUMNS]
    labels = {f: _labels(Person, f) for f in fields}
    out = []
    for row in qs.values_list(*fields).iterator(chunk_size=5000):
        values = [labels[f].get(v, v) for f, v in zip(fields, row, strict=True)]
        if not unmasked:
            values[1] = mask(values[1])
        out.append(values)
    return out
