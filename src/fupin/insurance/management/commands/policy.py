"""fupin policy list | show PACK — the policy packs (政策包) and every parameter with its source."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.policy.cli import CliError, add_policy_arguments, run_policy


class Command(BaseCommand):
    help = "列出政策包，或显示一个政策包的全部参数及其出处。"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_policy_arguments(parser)

    def handle(self, *args: str, **opts: object) -> None:
        try:
            run_policy(opts, self.stdout.write)
        except CliError as exc:
            raise CommandError(str(exc), returncode=2) from exc
