"""fupin user add | list | import | template: staff accounts with a role and an area (工作人员账号)."""

import getpass
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.access import staff
from fupin.access.models import Role, User


def _actor() -> str:
    try:
        return f"命令行（{getpass.getuser()}）"
    except Exception:  # no login name in some containers
        return "命令行"


class Command(BaseCommand):
    help = "工作人员账号：add 新增一个，list 列出，import 从人员 xlsx 批量新增，template 生成人员 xlsx 模板。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{add,list,import,template}"
        )
        add = sub.add_parser("add", help="新增一个账号")
        add.add_argument("username", help="登录用的账号")
        add.add_argument(
            "--role",
            required=True,
            help="角色代码或中文名："
            + "、".join(
                f"{v}（{n}）" for v, n in zip(Role.values, staff.role_names(), strict=True)
            ),
        )
        add.add_argument(
            "--area",
            default="",
            help="辖区：区划代码或名称（如 360222101 或 鹅湖镇）；系统管理员可不填",
        )
        add.add_argument("--name", default="", help="姓名")
        add.add_argument(
            "--unmask", action="store_true", help="可查看完整身份证号（每次查看记入审计日志）"
        )
        add.add_argument(
            "--generate-password", action="store_true", help="不询问，自动生成初始密码并显示一次"
        )
        lst = sub.add_parser("list", help="列出账号")
        lst.add_argument("--role", default="", help="只列此角色")
        lst.add_argument("--area", default="", help="只列此辖区内的账号（区划代码或名称）")
        imp = sub.add_parser("import", help="从人员 xlsx 批量新增（全部无误才创建）")
        imp.add_argument("file", help="人员.xlsx：用户名、姓名、角色、辖区、可查看完整身份证号")
        tpl = sub.add_parser("template", help="生成人员 xlsx 模板")
        tpl.add_argument("out", help="写出的 xlsx 文件，如 人员.xlsx")

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"do_{action}")(**options)
        except staff.StaffError as e:
            raise CommandError("\n".join(e.messages), returncode=2) from None

    def do_add(
        self,
        *,
        username: str,
        role: str,
        area: str,
        name: str,
        unmask: bool,
        generate_password: bool,
        **_: object,
    ) -> None:
        password = None
        if not generate_password and sys.stdin.isatty():
            password = getpass.getpass("密码（直接回车则自动生成）：")
            if password and getpass.getpass("再输入一次：") != password:
                raise CommandError("两次输入的密码不一致，未创建账号", returncode=2)
        user, password_used = staff.add_user(
            username=username,
            name=name,
            role=role,
            area=area or None,
            unmask=unmask,
            password=password or None,
            actor=_actor(),
        )
        where = staff.area_path(user.area) if user.area else "全部"
        self.stdout.write(
            f"已创建账号 {user.username}：{staff.role_names()[Role.values.index(user.role)]}，辖区 {where}"
            + ("，可查看完整身份证号" if user.can_unmask_id else "")
        )
        if not password:
            self.stdout.write(f"初始密码：{password_used}")
            self.stdout.write("（只显示这一次，请转交本人）")

    def do_list(self, *, role: str, area: str, **_: object) -> None:
        users = User.objects.select_related("area").order_by("area__code", "username")
        if role:
            users = users.filter(role=staff.resolve_role(role))
        if area:
            users = users.filter(area__code__startswith=staff.resolve_area(area).code)
        names = dict(zip(Role.values, staff.role_names(), strict=True))
        rows = [("用户名", "姓名", "角色", "辖区", "完整身份证号", "状态", "最近登录")]
        for u in users:
            rows.append(
                (
                    u.username,
                    u.first_name,
                    names.get(u.role, u.role),
                    f"{u.area.full_name}（{u.area.code}）" if u.area else "全部",
                    "可查看" if u.can_unmask_id else "脱敏",
                    "启用" if u.is_active else "停用",
                    f"{u.last_login:%Y-%m-%d %H:%M}" if u.last_login else "从未",
                )
            )
        for r in rows:
            self.stdout.write("\t".join(r))
        self.stdout.write(f"共 {len(rows) - 1} 个账号")

    def do_import(self, *, file: str, **_: object) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}", returncode=2)
        created = staff.import_staff(path.read_bytes(), actor=_actor())
        self.stdout.write(f"已创建 {len(created)} 个账号。初始密码只显示这一次，请分别转交本人：")
        for user, password in created:
            self.stdout.write(f"{user.username}\t{user.first_name}\t{password}")

    def do_template(self, *, out: str, **_: object) -> None:
        staff.template_xlsx(Path(out))
        self.stdout.write(f"已写出人员模板 {out}：填好后运行 fupin user import {out}")
