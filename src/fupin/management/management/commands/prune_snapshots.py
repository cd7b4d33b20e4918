"""`fupin prune_snapshots`: delete old statistics snapshots (统计快照) beyond the kept ones."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from fupin.management import snapshots


class Command(BaseCommand):
    help = (
        "清理旧的统计快照：保留每个月最后一天的快照和最近 N 天的快照"
        "（N 默认取配置 FUPIN_SNAPSHOT_KEEP_DAYS），其余删除。每晚在 fupin snapshot 之后运行"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--keep-days", type=int, help="保留最近多少天的快照（默认取配置）")
        parser.add_argument("--dry-run", action="store_true", help="只列出将删除的日期，不删除")

    def handle(
        self, *args: object, keep_days: int | None = None, dry_run: bool = False, **options: object
    ) -> None:
        keep = settings.SNAPSHOT_KEEP_DAYS if keep_days is None else keep_days
        if not 1 <= keep <= 3660:
            raise CommandError("保留天数应在 1 到 3660 之间")
        today = timezone.localdate()
        if dry_run:
            days = snapshots.prunable_days(today, keep)
            self.stdout.write(
                f"将删除 {len(days)} 天的统计快照"
                + (f"：{days[0]} 至 {days[-1]}" if days else "")
                + f"（保留各月最后一天和最近 {keep} 天）"
            )
            return
        removed, rows = snapshots.prune(today=today, keep_days=keep)
        self.stdout.write(
            f"已删除 {removed} 天的统计快照（{rows} 行），保留各月最后一天和最近 {keep} 天"
        )
