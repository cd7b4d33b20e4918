"""建档立卡 vocabulary: the codes of the national poverty registry, as staff know them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HouseholdAttribute(models.TextChoices):
    """贫困户属性."""

    GENERAL = "general", _("一般贫困户")
    DIBAO = "dibao", _("低保贫困户")
    TEKUN = "tekun", _("特困供养贫困户")


class IdentificationStandard(models.TextChoices):
    """识别标准."""

    NATIONAL = "national", _("国家标准")
    PROVINCIAL = "provincial", _("省定标准")
    CITY = "city", _("市定标准")


class PovertyCause(models.TextChoices):
    """致贫原因."""

    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    SCHOOLING = "schooling", _("因学")
    DISASTER = "disaster", _("因灾")
    NO_LAND = "no_land", _("缺土地")
    NO_WATER = "no_water", _("缺水")
    NO_SKILLS = "no_skills", _("缺技术")
    NO_LABOUR = "no_labour", _("缺劳力")
    NO_CAPITAL = "no_capital", _("缺资金")
    TRANSPORT = "transport", _("交通条件落后")
    NO_DRIVE = "no_drive", _("自身发展动力不足")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    """户/人 状态 (the lifecycle of a registered household or person)."""

    NEW = "new", _("新识别")
    POOR = "poor", _("未脱贫")
    EXITED_WITH_POLICY = "exited_policy", _("已脱贫(享受政策)")
    EXITED = "exited", _("已脱贫(不再享受政策)")
    RETURNED = "returned", _("返贫")
    REMOVED = "removed", _("自然减少")


# Which status may follow which (状态流转). 自然减少 is final.
TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.POOR, Status.EXITED_WITH_POLICY, Status.REMOVED},
    Status.POOR: {Status.EXITED_WITH_POLICY, Status.REMOVED},
    Status.EXITED_WITH_POLICY: {Status.EXITED, Status.RETURNED, Status.REMOVED},
    Status.EXITED: {Status.RETURNED, Status.REMOVED},
    Status.RETURNED: {Status.EXITED_WITH_POLICY, Status.REMOVED},
    Status.REMOVED: set(),
}


def transition_refusal(current: str, new: str) -> str:
    """Why `current` → `new` is not a permitted status change (不能从…变更为…)."""
    allowed = (
        "、".join(str(Status(s).label) for s in Status.values if s in TRANSITIONS[current])
        or "无（已是终态）"
    )
    return f"不能从“{Status(current).label}”变更为“{Status(new).label}”：可变更为 {allowed}"


# Statuses in which the person still counts on the poverty list (enjoys policy).
ACTIVE_STATUSES = {Status.NEW, Status.POOR, Status.EXITED_WITH_POLICY, Status.RETURNED}


class RemovalReason(models.TextChoices):
    """自然减少原因."""

    DEATH = "death", _("死亡")
    MOVED = "moved", _("迁出")
    OTHER = "other", _("其他")


class HousingSafety(models.TextChoices):
    SAFE = "safe", _("安全")
    C = "c", _("C级危房")
    D = "d", _("D级危房")


class Sex(models.TextChoices):
    MALE = "男", _("男")
    FEMALE = "女", _("女")


class Relation(models.TextChoices):
    """与户主关系."""

    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    GRANDCHILD = "grandchild", _("孙子女")
    PARENT = "parent", _("父母")
    GRANDPARENT = "grandparent", _("祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Education(models.TextChoices):
    """文化程度."""

    ILLITERATE = "illiterate", _("文盲或半文盲")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中专/技校")
    COLLEGE = "college", _("大专及以上")


class Schooling(models.TextChoices):
    """在校生状况."""

    NONE = "none", _("非在校生")
    PRESCHOOL = "preschool", _("学前教育")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    SECONDARY_VOCATIONAL = "secondary_vocational", _("中职")
    TECHNICAL = "technical", _("技工院校")
    COLLEGE = "college", _("高职/大专")
    UNIVERSITY = "university", _("大学本科及以上")


class Health(models.TextChoices):
    """健康状况."""

    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("长期慢性病")
    SERIOUS = "serious", _("患有大病")
    DISABLED = "disabled", _("残疾")


class DisabilityType(models.TextChoices):
    """残疾类别."""

    VISUAL = "visual", _("视力")
    HEARING = "hearing", _("听力")
    SPEECH = "speech", _("言语")
    PHYSICAL = "physical", _("肢体")
    INTELLECTUAL = "intellectual", _("智力")
    MENTAL = "mental", _("精神")
    MULTIPLE = "multiple", _("多重")


class LabourSkill(models.TextChoices):
    """劳动技能."""

    GENERAL = "general", _("普通劳动力")
    SKILLED = "skilled", _("技能劳动力")
    WEAK = "weak", _("弱劳动力或半劳动力")
    LOST = "lost", _("丧失劳动力")
    NONE = "none", _("无劳动力")


class WorkStatus(models.TextChoices):
    """务工状况."""

    NOT_WORKING = "not_working", _("未务工")
    IN_COUNTY = "in_county", _("县内务工")
    IN_PROVINCE = "in_province", _("县外省内务工")
    OUT_OF_PROVINCE = "out_of_province", _("省外务工")


class Intention(models.TextChoices):
    """就业意愿."""

    MIGRATE = "migrate", _("外出转移")
    LOCAL = "local", _("就地就近")
    STARTUP = "startup", _("自主创业")
    NONE = "none", _("无")


class InsuranceStatus(models.TextChoices):
    """参保状态 of a person (pension_status, medical_status; filled by the comparison and insurance modules).

    Not to be confused with `fupin.training.models.Enrolment` (报名, a place on a course)."""

    UNKNOWN = "unknown", _("未比对")
    ENROLLED = "enrolled", _("已参保")
    NOT_ENROLLED = "not_enrolled", _("未参保")
    SUSPENDED = "suspended", _("暂停/终止")


# 特殊身份: the boolean fields on Person, in display order.
SPECIAL_IDENTITIES = {
    "dibao": "低保",
    "tekun": "特困供养",
    "wubao": "五保",
    "severe_disability": "重度残疾",
    "poor_graduate": "贫困家庭高校毕业生",
    "technical_student": "技工院校在校生",
}


class SpecialIdentity(models.TextChoices):
    """特殊身份 with dates (享受期间): what decides a person's category in medical settlement."""

    DIBAO = "dibao", _("低保对象")
    TEKUN = "tekun", _("特困供养人员")
