"""工作人员账号 (staff accounts): create them one by one or from a staff list (人员.xlsx).

Used by `fupin user …`. A role (角色) is given by its code or its Chinese name, an area (辖区)
by its division code or its name; every account created is written to the audit log.
Bad input raises `StaffError` with Chinese messages that name the row, the column and the fault;
a staff list is created all or nothing.
"""

import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction

from fupin.areas.lookup import AreaNotFound, area_path, find_area
from fupin.areas.models import Area, Level

from .audit import record
from .models import UNMASK_ROLES, AuditAction, Role, User

# Which level of area each role is bound to; an administrator may have none (sees everything).
ROLE_LEVELS: dict[str, set[int]] = {
    Role.ADMIN: {Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE},
    Role.COUNTY: {Level.PROVINCE, Level.CITY, Level.COUNTY},
    Role.INSURANCE: {Level.PROVINCE, Level.CITY, Level.COUNTY},
    Role.POVERTY_OFFICE: {Level.PROVINCE, Level.CITY, Level.COUNTY},
    Role.AUDITOR: {Level.PROVINCE, Level.CITY, Level.COUNTY},
    Role.TOWNSHIP: {Level.TOWNSHIP},
    Role.VILLAGE: {Level.VILLAGE},
}
# No 0/O, 1/l/I: an initial password is read aloud or copied from paper.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
SHEET_COLUMNS = ["用户名", "姓名", "角色", "辖区", "可查看完整身份证号"]
REQUIRED_COLUMNS = {"用户名", "角色", "辖区"}
COLUMN_SYNONYMS = {
    "用户名": "用户名", "账号": "用户名", "登录名": "用户名",
    "姓名": "姓名",
    "角色": "角色",
    "辖区": "辖区", "所属辖区": "辖区", "区划": "辖区", "区划代码": "辖区", "辖区代码": "辖区",
    "可查看完整身份证号": "可查看完整身份证号", "查看完整身份证号": "可查看完整身份证号",
}  # fmt: skip
YES = {"是", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "n", "no", "false", "0", "×", ""}


class StaffError(Exception):
    """One or more Chinese messages; nothing has been written."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


def role_names() -> list[str]:
    """The Chinese role names, as a staff list writes them."""
    return [_short_label(label) for _, label in Role.choices]


def _short_label(label: str) -> str:
    return re.sub(r"（.*?）", "", str(label))


def resolve_role(text: str) -> Role:
    """A role from its code (`township`) or its Chinese name (`乡镇人社所`, with or without the note)."""
    text = (text or "").strip()
    for value, label in Role.choices:
        if text in (value, str(label), _short_label(label)):
            return Role(value)
    raise StaffError([f"没有“{text}”这个角色，可填：" + "、".join(role_names())])


def resolve_area(text: str) -> Area:
    """An area from its code, its name (`鹅湖镇`) or its name with its parents' (`浮梁县鹅湖镇`)."""
    if not re.sub(r"[\s/›>＞、]+", "", str(text or "")):
        raise StaffError(["请填写辖区（区划代码或名称）"])
    try:
        return find_area(text)
    except AreaNotFound as exc:
        raise StaffError([str(exc)]) from None


def generate_password() -> str:
    """Twelve characters in three groups, e.g. `k7Mq-x3Ra-9TfB`."""
    chars = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in (0, 4, 8))


@dataclass
class StaffRow:
    """One account to create (人员)."""

    username: str
    name: str
    role: Role
    area: Area | None
    unmask: bool


def check_staff(
    *,
    username: str,
    name: str = "",
    role: str,
    area: str | None,
    unmask: bool = False,
    taken: set[str] | None = None,
) -> tuple[StaffRow | None, dict[str, str]]:
    """Validate one account; returns the row or {column: fault} (the columns of the staff list)."""
    faults: dict[str, str] = {}
    username = (username or "").strip()
    if not username:
        faults["用户名"] = "不能为空"
    elif len(username) > 150:
        faults["用户名"] = "不能超过 150 个字符"
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            faults["用户名"] = f"“{username}”含不允许的字符（只能用字母、数字和 @ . + - _）"
        else:
            if User.objects.filter(username__iexact=username).exists():
                faults["用户名"] = f"“{username}”已存在"
            elif taken is not None and username.lower() in taken:
                faults["用户名"] = f"“{username}”在本表中重复"
    if len((name or "").strip()) > 150:
        faults["姓名"] = "不能超过 150 个字符"
    the_role = the_area = None
    if not (role or "").strip():
        faults["角色"] = "不能为空"
    else:
        try:
            the_role = resolve_role(role)
        except StaffError as e:
            faults["角色"] = e.messages[0]
    if not (area or "").strip():
        if the_role != Role.ADMIN:  # only an administrator may be bound to no area
            faults["辖区"] = "不能为空"
    else:
        try:
            the_area = resolve_area(area)
        except StaffError as e:
            faults["辖区"] = e.messages[0]
    if (
        the_role is not None
        and the_area is not None
        and the_area.level not in ROLE_LEVELS[the_role]
    ):
        allowed = "、".join(Level(level).label for level in sorted(ROLE_LEVELS[the_role]))
        faults["辖区"] = (
            f"角色“{_short_label(the_role.label)}”的辖区应为{allowed}级，"
            f"“{area_path(the_area)}”是{Level(the_area.level).label}级"
        )
    if unmask and the_role is not None and the_role not in UNMASK_ROLES:
        faults["可查看完整身份证号"] = f"角色“{_short_label(the_role.label)}”不能查看完整身份证号"
    if faults:
        return None, faults
    return StaffRow(username, (name or "").strip(), the_role, the_area, unmask), {}


def _create(row: StaffRow, password: str, actor: str) -> User:
    user = User(
        username=row.username,
        first_name=row.name,
        role=row.role,
        area=row.area,
        can_unmask_id=row.unmask,
        is_staff=row.role == Role.ADMIN,
        is_superuser=row.role == Role.ADMIN,
    )
    user.set_password(password)
    user.save()
    where = area_path(row.area) if row.area else "全部"
    record(
        AuditAction.CREATE,
        user=None,
        username=actor,
        obj=user,
        object_type="user",
        area_code=row.area.code if row.area else "",
        summary=f"新增用户 {row.username}{'（' + row.name + '）' if row.name else ''}：{_short_label(row.role.label)}，"
        f"辖区 {where}{'，可查看完整身份证号' if row.unmask else ''}",
        changes={
            "角色": [None, row.role.value],
            "辖区": [None, row.area.code if row.area else None],
            "可查看完整身份证号": [None, row.unmask],
        },
    )
    return user


def add_user(
    *,
    username: str,
    name: str = "",
    role: str,
    area: str | None,
    unmask: bool = False,
    password: str | None = None,
    actor: str,
) -> tuple[User, str]:
    """Create one account; returns it and its password (generated when none is given)."""
    row, faults = check_staff(username=username, name=name, role=role, area=area, unmask=unmask)
    if faults:
        raise StaffError([f"{column}：{fault}" for column, fault in faults.items()])
    password = password or generate_password()
    probe = User(username=row.username, first_name=row.name)
    try:
        validate_password(password, probe)
    except ValidationError as e:
        raise StaffError([f"密码：{m}" for m in e.messages]) from None
    with transaction.atomic():
        return _create(row, password, actor), password


# ---------------------------------------------------------------------------------------
# The staff list (人员.xlsx)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # a code typed as a number
        return str(int(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value).strip()


def read_staff_sheet(content: bytes) -> list[tuple[int, dict[str, str]]]:
    """(Excel row number, {column: text}) for each filled row of the first sheet.

    Read like every uploaded spreadsheet (`fupin.sheets.read`): checked first, parsed in a
    memory-limited child, so a hostile file is refused with its reason."""
    from fupin.sheets.read import FileFault, Limits, read_cells

    if not content.startswith(b"PK"):
        raise StaffError(["无法读取文件：不是有效的 xlsx 文件"])
    try:
        rows = [
            [_cell(v) for v in r]
            for r in read_cells(content, "人员.xlsx", Limits(max_bytes=settings.MAX_UPLOAD_BYTES))
        ]
    except FileFault as e:
        raise StaffError([str(e)]) from None
    header_at = next(
        (
            i
            for i, r in enumerate(rows[:10])
            if any(COLUMN_SYNONYMS.get(c.strip(" *＊")) == "用户名" for c in r)
        ),
        None,
    )
    if header_at is None:
        raise StaffError(
            ["找不到表头：前 10 行中没有“用户名”列（可用 fupin user template 生成模板）"]
        )
    columns: dict[int, str] = {}
    for j, c in enumerate(rows[header_at]):
        known = COLUMN_SYNONYMS.get(c.strip(" *＊"))
        if known is None:
            continue
        if known in columns.values():
            raise StaffError([f"第{header_at + 1}行：“{known}”列出现了两次"])
        columns[j] = known
    missing = [c for c in SHEET_COLUMNS if c in REQUIRED_COLUMNS and c not in columns.values()]
    if missing:
        raise StaffError([f"第{header_at + 1}行（表头）：缺少“{c}”列" for c in missing])
    out = []
    for i, r in enumerate(rows[header_at + 1 :], start=header_at + 2):
        values = {name: (r[j] if j < len(r) else "") for j, name in columns.items()}
        if any(values.values()):
            out.append((i, values))
    return out


def import_staff(content: bytes, *, actor: str) -> list[tuple[User, str]]:
    """Create every account of a staff list, or none: (user, initial password) for each."""
    rows = read_staff_sheet(content)
    if not rows:
        raise StaffError(["文件中没有人员（表头以下没有填写的行）"])
    errors: list[str] = []
    checked: list[StaffRow] = []
    taken: set[str] = set()
    for row_no, v in rows:
        unmask_text = v.get("可查看完整身份证号", "").strip().lower()
        row, faults = check_staff(
            username=v.get("用户名", ""),
            name=v.get("姓名", ""),
            role=v.get("角色", ""),
            area=v.get("辖区", ""),
            unmask=unmask_text in YES,
            taken=taken,
        )
        if unmask_text not in YES | NO:
            faults["可查看完整身份证号"] = f"应填“是”或“否”，而不是“{v['可查看完整身份证号']}”"
            row = None
        errors += [
            f"第{row_no}行“{column}”列：{faults[column]}"
            for column in SHEET_COLUMNS
            if column in faults
        ]
        taken.add(v.get("用户名", "").strip().lower())
        if row is not None:
            checked.append(row)
    if errors:
        raise StaffError(errors)
    with transaction.atomic():
        created = []
        for row in checked:
            password = generate_password()
            created.append((_create(row, password, actor), password))
    return created


def template_xlsx(path: Path | None = None) -> bytes:
    """A blank staff list: the header, text-formatted columns, drop-downs, and a 填写说明 sheet."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    text = book.add_format({"num_format": "@"})
    head = book.add_format({"bold": True, "bg_color": "#F2DEDE", "border": 1})
    sheet = book.add_worksheet("人员")
    for j, column in enumerate(SHEET_COLUMNS):
        sheet.write_string(0, j, column + ("*" if column in REQUIRED_COLUMNS else ""), head)
        sheet.set_column(j, j, 22 if column in ("辖区", "可查看完整身份证号") else 16, text)
    sheet.data_validation(1, 2, 2000, 2, {"validate": "list", "source": role_names()})
    sheet.data_validation(1, 4, 2000, 4, {"validate": "list", "source": ["是", "否"]})
    sheet.freeze_panes(1, 0)
    township = Area.objects.filter(level=Level.TOWNSHIP).order_by("code").first()
    county = township.parent if township is not None else None
    notes = book.add_worksheet("填写说明")
    notes.set_column(0, 0, 20)
    notes.set_column(1, 1, 90)
    lines = [
        ("列", "说明"),
        ("用户名*", "登录用的账号，字母、数字和 @ . + - _，不能与已有账号重复"),
        ("姓名", "本人姓名"),
        ("角色*", "、".join(role_names())),
        (
            "辖区*",
            "区划代码或名称；名称重复时用代码或带上级名称（如“某某县某某镇”）。"
            "乡镇人社所填乡镇，村协理员填村，其余角色填县（市、省）",
        ),
        (
            "可查看完整身份证号",
            "是 / 否（默认否）；仅系统管理员、人社局、社保经办、乡镇人社所可为“是”，每次查看都记入审计日志",
        ),
        ("", ""),
        (
            "导入",
            "fupin user import 人员.xlsx —— 全部无误才创建，任何一行有误都不创建，并列出每一处问题；"
            "每人的初始密码只显示一次",
        ),
    ]
    if township is not None:
        example = [
            ("示例", f"zhangsan | 张三 | 乡镇人社所 | {township.name}（或 {township.code}） | 是")
        ]
        if county is not None:
            example.append(("示例", f"lisi | 李四 | 审计人员 | {county.code} | 否"))
        lines += example
    for i, (a, b) in enumerate(lines):
        notes.write_string(i, 0, a, head if i == 0 else None)
        notes.write_string(i, 1, b, head if i == 0 else None)
    book.close()
    data = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data
