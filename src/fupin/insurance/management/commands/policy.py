"""fupin policy list | show PACK — the policy packs and every parameter with its source."""

from django.core.management.base import BaseCommand, CommandError

from fupin.policy.packs import PackError


class Command(BaseCommand):
    help = "列出政策包，或显示一个政策包的全部参数及其出处。"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="列出全部政策包")
        show = actions.add_parser("show", help="显示政策包参数与出处")
        show.add_argument("pack", help="政策包编号，如 jining-2020")

    def handle(self, *args, **opts):
        from fupin.policy.cli import policy_list_text, policy_show_text

        try:
            if opts["action"] == "list":
                self.stdout.write(policy_list_text())
            else:
                self.stdout.write(policy_show_text(opts["pack"]))
        except PackError as exc:
            raise CommandError(str(exc), returncode=2) from exc
