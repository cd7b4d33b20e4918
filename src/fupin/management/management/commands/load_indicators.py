"""`fupin load_indicators`: load the county's indicator definitions (指标) into the database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.management.indicators import IndicatorError
from fupin.management.loading import load_indicators


class Command(BaseCommand):
    help = "载入指标定义（默认 fupin/management/data/indicators.yaml；按指标代码新增或更新）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="指标定义 YAML 文件")

    def handle(self, *args: object, path: str | None = None, **options: object) -> None:
        try:
            n = load_indicators(Path(path) if path else None)
        except (IndicatorError, OSError) as exc:
            raise CommandError(f"指标未载入：{exc}") from None
        self.stdout.write(f"已载入指标 {n} 项")
