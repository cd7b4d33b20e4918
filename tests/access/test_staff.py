"""`fupin user add | list | import | template`: staff accounts with a role and an area (工作人员账号)."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from fupin.access.models import AuditEntry, Role, User
from fupin.areas.models import Area


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("user", *args, stdout=out)
    return out.getvalue()


def fails(*args: str) -> str:
    with pytest.raises(CommandError) as e:
        run(*args)
    assert e.value.returncode == 2
    return str(e.value)


def password_in(out: str) -> str:
    line = next(x for x in out.splitlines() if x.startswith("初始密码："))
    return line.removeprefix("初始密码：")


@pytest.fixture
def other_ehu(areas):
    """A second 鹅湖镇, in another county of another city (as a province-wide tree would have)."""
    Area.objects.create(code="3611", name="上饶市", level=2, parent=Area.objects.get(code="36"))
    Area.objects.create(code="361123", name="玉山县", level=3, parent=Area.objects.get(code="3611"))
    return Area.objects.create(
        code="361123105", name="鹅湖镇", level=4, parent=Area.objects.get(code="361123")
    )


# --- fupin user add -------------------------------------------------------------------


def test_add_by_area_code_prints_a_working_password_once(areas):
    out = run(
        "add", "zhang", "--role", "township", "--area", "360222101", "--name", "张三", "--unmask"
    )
    user = User.objects.get(username="zhang")
    assert (user.role, user.area.code, user.first_name, user.can_unmask_id) == (
        Role.TOWNSHIP,
        "360222101",
        "张三",
        True,
    )
    assert not user.is_superuser and user.may_unmask
    password = password_in(out)
    assert len(password) >= 12 and user.check_password(password)
    assert out.count(password) == 1
    assert "乡镇人社所" in out and "鹅湖镇（360222101）" in out


def test_each_account_gets_its_own_password(areas):
    a = password_in(run("add", "a1", "--role", "village", "--area", "360222101200"))
    b = password_in(run("add", "a2", "--role", "village", "--area", "360222101200"))
    assert a != b


def test_add_by_area_name_and_chinese_role(areas):
    run("add", "ehu", "--role", "乡镇人社所", "--area", "鹅湖镇")
    assert User.objects.get(username="ehu").area.code == "360222101"
    run("add", "audit1", "--role", "审计人员（只读）", "--area", "浮梁县")
    assert User.objects.get(username="audit1").role == Role.AUDITOR


def test_add_is_audited_without_the_password(areas):
    out = run("add", "li", "--role", "county", "--area", "360222", "--name", "李四")
    entry = AuditEntry.objects.get(action="create", object_type="user")
    user = User.objects.get(username="li")
    assert entry.object_id == str(user.pk) and entry.area_code == "360222"
    assert "li" in entry.summary and "人社局工作人员" in entry.summary and "浮梁县" in entry.summary
    assert entry.username.startswith("命令行")
    assert password_in(out) not in entry.summary + str(entry.changes)


def test_ambiguous_name_lists_matches_by_full_path(other_ehu):
    message = fails("add", "x", "--role", "township", "--area", "鹅湖镇")
    assert "2 个区划名为“鹅湖镇”" in message
    assert "江西省 › 景德镇市 › 浮梁县 › 鹅湖镇（360222101）" in message
    assert "江西省 › 上饶市 › 玉山县 › 鹅湖镇（361123105）" in message
    assert not User.objects.filter(username="x").exists()
    # Naming the county settles it, as does the code.
    run("add", "x", "--role", "township", "--area", "玉山县鹅湖镇")
    assert User.objects.get(username="x").area.code == "361123105"
    run("add", "y", "--role", "township", "--area", "浮梁县 鹅湖镇")
    assert User.objects.get(username="y").area.code == "360222101"


@pytest.mark.parametrize(("args", "expected"), [
    (["--role", "township", "--area", "鹅湖"],
     "找不到名为“鹅湖”的区划；相近的有：江西省 › 景德镇市 › 浮梁县 › 鹅湖镇（360222101）"),
    (["--role", "township", "--area", "999999999"], "区划代码“999999999”不存在"),
    (["--role", "township", "--area", "浮梁县"],
     "角色“乡镇人社所”的辖区应为乡镇级，“江西省 › 景德镇市 › 浮梁县（360222）”是县级"),
    (["--role", "village", "--area", "鹅湖镇"], "角色“村协理员”的辖区应为村级"),
    (["--role", "county", "--area", "鹅湖镇"], "角色“人社局工作人员”的辖区应为省、市、县级"),
    (["--role", "auditor", "--area", "浮梁县", "--unmask"], "角色“审计人员”不能查看完整身份证号"),
    (["--role", "mayor", "--area", "浮梁县"], "没有“mayor”这个角色，可填：系统管理员、人社局工作人员"),
    (["--role", "township"], "辖区：不能为空"),
])  # fmt: skip
def test_add_refuses_with_a_chinese_message(areas, args, expected):
    assert expected in fails("add", "bad", *args)
    assert not User.objects.filter(username="bad").exists()
    assert not AuditEntry.objects.filter(action="create").exists()


def test_add_refuses_taken_and_malformed_usernames(areas):
    run("add", "Zhang", "--role", "county", "--area", "360222")
    assert "“zhang”已存在" in fails("add", "zhang", "--role", "county", "--area", "360222")
    assert "含不允许的字符" in fails("add", "张 三", "--role", "county", "--area", "360222")
    assert User.objects.count() == 1


def test_admin_may_have_no_area_and_becomes_superuser(areas):
    run("add", "root2", "--role", "admin")
    user = User.objects.get(username="root2")
    assert user.area is None and user.is_superuser and user.is_staff


def test_password_prompted_on_a_terminal(areas, monkeypatch):
    answers = iter(["a-long-secret-1", "a-long-secret-1"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    out = run("add", "wang", "--role", "county", "--area", "360222")
    assert User.objects.get(username="wang").check_password("a-long-secret-1")
    assert "初始密码" not in out and "a-long-secret-1" not in out


def test_prompted_passwords_must_match_and_be_long_enough(areas, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["a-long-secret-1", "a-long-secret-2"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert "两次输入的密码不一致" in fails("add", "wang", "--role", "county", "--area", "360222")
    answers = iter(["short", "short"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert "密码：" in fails("add", "wang", "--role", "county", "--area", "360222")
    assert not User.objects.filter(username="wang").exists()


def test_blank_prompt_generates(areas, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "")
    out = run("add", "wang", "--role", "county", "--area", "360222")
    assert User.objects.get(username="wang").check_password(password_in(out))


# --- fupin user list ------------------------------------------------------------------


def test_list_shows_chinese_roles_and_areas(areas):
    run("add", "ehu", "--role", "township", "--area", "360222101", "--name", "张三", "--unmask")
    run("add", "fuliang", "--role", "township", "--area", "360222100")
    run("add", "aud", "--role", "auditor", "--area", "360222")
    lines = run("list").splitlines()
    ehu = next(x for x in lines if x.startswith("ehu\t")).split("\t")
    assert ehu[:5] == ["ehu", "张三", "乡镇人社所", "浮梁县鹅湖镇（360222101）", "可查看"]
    assert lines[-1] == "共 3 个账号"
    only = run("list", "--area", "鹅湖镇").splitlines()
    assert [x.split("\t")[0] for x in only[1:-1]] == ["ehu"]
    assert [x.split("\t")[0] for x in run("list", "--role", "审计人员").splitlines()[1:-1]] == [
        "aud"
    ]


# --- fupin user template / import -------------------------------------------------------


def staff_xlsx(
    path: Path,
    rows: list[list],
    header=("用户名", "姓名", "角色", "辖区", "可查看完整身份证号"),
    title=None,
) -> Path:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(list(header))
    for r in rows:
        sheet.append(r)
    book.save(path)
    return path


def test_template_round_trip(areas, tmp_path):
    out = tmp_path / "人员.xlsx"
    assert "已写出人员模板" in run("template", str(out))
    book = load_workbook(out)
    sheet = book["人员"]
    assert [c.value for c in sheet[1]] == [
        "用户名*",
        "姓名",
        "角色*",
        "辖区*",
        "可查看完整身份证号",
    ]
    assert sheet.max_row == 1  # no example rows that an import would create
    lists = {
        next(iter(v.sqref.ranges)).min_col: v.formula1
        for v in sheet.data_validations.dataValidation
    }
    assert "乡镇人社所" in lists[3] and lists[5] == '"是,否"'
    assert "填写说明" in book.sheetnames
    sheet.append(["ehu", "张三", "乡镇人社所", "鹅湖镇", "是"])
    sheet.append(["cun", "李四", "村协理员", "360222101200", "否"])
    book.save(out)
    printed = run("import", str(out))
    assert "已创建 2 个账号" in printed
    for username in ("ehu", "cun"):
        password = next(x for x in printed.splitlines() if x.startswith(username + "\t")).split(
            "\t"
        )[2]
        assert User.objects.get(username=username).check_password(password)
    assert User.objects.get(username="ehu").can_unmask_id
    assert AuditEntry.objects.filter(action="create", object_type="user").count() == 2


def test_import_reads_codes_typed_as_numbers_and_title_rows(areas, tmp_path):
    path = staff_xlsx(
        tmp_path / "s.xlsx",
        [["a", "甲", "township", 360222101, None], ["b", "", "county", 360222, "1"]],
        title="浮梁县人社系统人员名单",
    )
    run("import", str(path))
    assert User.objects.get(username="a").area.code == "360222101"
    assert User.objects.get(username="b").can_unmask_id


def test_import_is_all_or_nothing_and_names_every_fault(other_ehu, tmp_path):
    run("add", "taken", "--role", "county", "--area", "360222")
    path = staff_xlsx(tmp_path / "bad.xlsx", [
        ["ok1", "好人", "乡镇人社所", "360222100", "否"],                 # row 2: fine
        ["taken", "", "人社局工作人员", "浮梁县", ""],                    # row 3: exists
        ["ehu", "", "乡镇人社所", "鹅湖镇", "是"],                        # row 4: two 鹅湖镇
        ["cun", "", "村长", "鹅湖", "也许"],                             # row 5: three faults
        ["", "", "", "", ""],                                           # row 6: blank, skipped
        ["OK1", "", "审计人员", "浮梁县", "是"],                          # row 7: repeat + unmask
        ["x y", "", "乡镇人社所", "", "否"],                              # row 8: bad name, no area
    ])  # fmt: skip
    message = fails("import", str(path))
    lines = message.splitlines()
    assert "第3行“用户名”列：“taken”已存在" in lines
    assert any(
        x.startswith("第4行“辖区”列：有 2 个区划名为“鹅湖镇”") and "玉山县" in x for x in lines
    )
    assert (
        "第5行“角色”列：没有“村长”这个角色，可填：系统管理员、人社局工作人员、社保经办机构、"
        "乡镇人社所、村协理员、扶贫办联络员、审计人员" in lines
    )
    assert any(x.startswith("第5行“辖区”列：找不到名为“鹅湖”的区划") for x in lines)
    assert "第5行“可查看完整身份证号”列：应填“是”或“否”，而不是“也许”" in lines
    assert "第7行“用户名”列：“OK1”在本表中重复" in lines
    assert "第7行“可查看完整身份证号”列：角色“审计人员”不能查看完整身份证号" in lines
    assert any(x.startswith("第8行“用户名”列：“x y”含不允许的字符") for x in lines)
    assert "第8行“辖区”列：不能为空" in lines
    assert not any(x.startswith(("第2行", "第6行")) for x in lines)
    assert list(User.objects.values_list("username", flat=True)) == ["taken"]
    assert AuditEntry.objects.filter(action="create").count() == 1


@pytest.mark.parametrize(("content", "expected"), [
    (b"username,role\nzhang,county\n", "不是有效的 xlsx 文件"),
    ("header_only", "文件中没有人员"),
    ("no_role_column", "第1行（表头）：缺少“角色”列"),
    ("no_header", "找不到表头"),
])  # fmt: skip
def test_import_refuses_unusable_files(areas, tmp_path, content, expected):
    path = tmp_path / "f.xlsx"
    if content == "header_only":
        staff_xlsx(path, [])
    elif content == "no_role_column":
        staff_xlsx(path, [["a", "甲", "鹅湖镇"]], header=("用户名", "姓名", "辖区"))
    elif content == "no_header":
        staff_xlsx(
            path, [["a", "甲", "乡镇人社所", "鹅湖镇"]], header=("账户", "名字", "身份", "地方")
        )
    else:
        path.write_bytes(content)
    assert expected in fails("import", str(path))
    assert not User.objects.exists()


def test_import_of_a_missing_file(areas, tmp_path):
    assert "文件不存在" in fails("import", str(tmp_path / "nope.xlsx"))
