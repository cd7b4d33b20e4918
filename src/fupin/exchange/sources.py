"""What each source file holds: its columns, their header synonyms, and how values are read.

A column is found by its header text; staff and other departments name the same thing in
many ways (身份证号 / 公民身份号码 / 证件号码 …), so each field lists its usual synonyms.
"""

from __future__ import annotations

from django.db.models import Choices

from fupin.registry.choices import (
    DisabilityType,
    Education,
    Health,
    HouseholdAttribute,
    IdentificationStandard,
    LabourSkill,
    PovertyCause,
    Relation,
    Status,
    WorkStatus,
)
from fupin.sheets.reader import Field, norm


def _choices(cls: type[Choices], extra: dict[str, str] | None = None) -> dict[str, str]:
    out = {}
    for value, label in cls.choices:
        out[norm(label)] = value
        out[norm(value)] = value
    for k, v in (extra or {}).items():
        out[norm(k)] = v
    return out


BOOL = {"是": True, "1": True, "有": True, "y": True, "yes": True, "true": True, "√": True,
        "否": False, "0": False, "无": False, "n": False, "no": False, "false": False, "": False}  # fmt: skip

ID = Field(
    "id_number",
    "身份证号",
    (
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "公民身份证号",
        "证件号码",
        "证件号",
        "身份证",
        "身份证件号码",
        "社会保障号码",
        "社会保障号",
    ),
    True,
    kind="id",
    example="{county}198001010014",
)
NAME = Field(
    "name",
    "姓名",
    ("姓名", "成员姓名", "人员姓名", "参保人姓名", "户籍姓名", "名字"),
    True,
    example="张三",
)

ROSTER = [
    Field(
        "household_number",
        "户编号",
        ("户编号", "户码", "户号", "家庭编号", "贫困户编号", "户编码"),
        True,
        example="{county}1002010001",
    ),
    Field(
        "village_code",
        "村代码",
        ("村代码", "行政区划代码", "区划代码", "所在村代码", "村级代码", "村编码"),
        kind="code12",
        example="{county}100201",
    ),
    Field("address", "住址", ("住址", "家庭住址", "家庭地址", "地址")),
    Field("phone", "联系电话", ("联系电话", "户联系电话", "电话", "手机号码", "手机号")),
    Field(
        "attribute",
        "贫困户属性",
        ("贫困户属性", "贫困属性", "户属性"),
        choices=_choices(
            HouseholdAttribute,
            {"一般户": "general", "低保户": "dibao", "特困户": "tekun", "五保户": "tekun"},
        ),
        example="一般贫困户",
    ),
    Field(
        "standard",
        "识别标准",
        ("识别标准",),
        choices=_choices(
            IdentificationStandard, {"国家": "national", "省定": "provincial", "市定": "city"}
        ),
        example="国家标准",
    ),
    Field(
        "year_identified",
        "识别年度",
        ("识别年度", "识别年份", "建档年度", "纳入年度"),
        kind="year",
        example="2016",
    ),
    Field(
        "main_cause",
        "主要致贫原因",
        ("主要致贫原因", "致贫原因"),
        choices=_choices(PovertyCause),
        example="因病",
    ),
    Field(
        "household_status",
        "户状态",
        ("户状态", "贫困户状态", "脱贫状态", "户脱贫状态"),
        choices=_choices(
            Status, {"已脱贫": "exited_policy", "脱贫": "exited_policy", "贫困": "poor"}
        ),
        example="未脱贫",
    ),
    Field("exit_year", "脱贫年度", ("脱贫年度", "脱贫年份", "计划脱贫年度"), kind="year"),
    ID,
    NAME,
    Field(
        "relation",
        "与户主关系",
        ("与户主关系", "家庭关系", "关系"),
        True,
        choices=_choices(
            Relation,
            {
                "本人": "head",
                "之子": "child",
                "之女": "child",
                "儿子": "child",
                "女儿": "child",
                "妻": "spouse",
                "夫": "spouse",
                "孙子": "grandchild",
                "孙女": "grandchild",
                "父亲": "parent",
                "母亲": "parent",
                "儿媳": "child_in_law",
                "女婿": "child_in_law",
            },
        ),
        example="户主",
    ),
    Field("ethnicity", "民族", ("民族",), example="汉族"),
    Field("education", "文化程度", ("文化程度", "学历"), choices=_choices(Education)),
    Field("health", "健康状况", ("健康状况", "健康状态"), choices=_choices(Health)),
    Field(
        "labour_skill",
        "劳动技能",
        ("劳动技能", "劳动力状况", "劳动能力"),
        choices=_choices(LabourSkill),
    ),
    Field(
        "work_status",
        "务工状况",
        ("务工状况", "务工情况", "就业状况"),
        choices=_choices(WorkStatus),
    ),
    Field(
        "status",
        "人员状态",
        ("人员状态", "成员状态", "个人状态"),
        choices=_choices(
            Status, {"已脱贫": "exited_policy", "脱贫": "exited_policy", "贫困": "poor"}
        ),
    ),
]

LIST = [ID, NAME]
DISABILITY = [
    ID,
    NAME,
    Field(
        "disability_type",
        "残疾类别",
        ("残疾类别", "残疾类型"),
        True,
        choices=_choices(
            DisabilityType,
            {
                "视力残疾": "visual",
                "听力残疾": "hearing",
                "言语残疾": "speech",
                "肢体残疾": "physical",
                "智力残疾": "intellectual",
                "精神残疾": "mental",
                "多重残疾": "multiple",
            },
        ),
        example="肢体",
    ),
    Field(
        "disability_grade",
        "残疾等级",
        ("残疾等级", "残疾级别", "等级"),
        True,
        kind="grade",
        example="二级",
    ),
    Field("disability_cert", "残疾证号", ("残疾证号", "残疾人证号", "残疾证号码")),
]
ENROLMENT_STATUS = {"active": "active", "正常": "active", "参保缴费": "active", "正常参保": "active",
                    "参保": "active", "正常缴费": "active",
                    "suspended": "suspended", "暂停": "suspended", "暂停缴费": "suspended", "中断": "suspended",
                    "中止": "suspended",
                    "terminated": "terminated", "终止": "terminated", "终止参保": "terminated",
                    "注销": "terminated"}  # fmt: skip
ENROLMENT = [
    ID,
    NAME,
    Field(
        "area_code",
        "参保地区划代码",
        ("参保地区划代码", "参保地", "行政区划代码", "区划代码", "参保地代码", "所属区划"),
        True,
        kind="area",
        example="{county}100201",
    ),
    Field(
        "enrolment_status",
        "参保状态",
        ("参保状态", "参保缴费状态", "缴费状态", "人员参保状态"),
        True,
        choices={norm(k): v for k, v in ENROLMENT_STATUS.items()},
        example="正常参保",
    ),
    Field(
        "poverty_tag",
        "贫困人员标识",
        ("贫困人员标识", "贫困标识", "扶贫标识", "建档立卡标识", "贫困人口标识"),
        kind="bool",
        example="是",
    ),
    Field(
        "premium_subsidy",
        "政府代缴",
        ("政府代缴", "代缴标识", "资助参保", "政府资助", "代缴"),
        kind="bool",
        example="是",
    ),
    Field("deceased", "死亡标识", ("死亡标识", "是否死亡", "死亡"), kind="bool", example="否"),
]

FIELDS: dict[str, list[Field]] = {
    "roster": ROSTER,
    "dibao": LIST,
    "tekun": LIST,
    "disability": DISABILITY,
    "pension": ENROLMENT,
    "medical": ENROLMENT,
}
TITLES = {
    "roster": "建档立卡贫困户花名册",
    "dibao": "低保对象名单",
    "tekun": "特困供养人员名单",
    "disability": "残疾人名单",
    "pension": "城乡居民基本养老保险参保数据",
    "medical": "基本医疗保险参保数据",
}
