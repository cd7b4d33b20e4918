"""fupin settle — 医疗费用一站式结算 and 政策测算 from a claims file.

fupin settle --policy fuliang-2018 --claims claims.csv --out split.csv [--explain C001]
fupin settle --policy jining-2016 --vs jining-2020 --claims claims.csv [--out 测算.xlsx]
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.policy.cli import CliError, add_settle_arguments, run_settle


class Command(BaseCommand):
    help = (
        "按政策包结算医疗费用（基本医保、大病保险、医疗救助、兜底），或对比两个政策包（政策测算）。"
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_settle_arguments(parser)

    def handle(self, *args: str, **opts: object) -> None:
        try:
            run_settle(opts, self.stdout.write)
        except CliError as exc:
            raise CommandError(str(exc), returncode=2) from exc
