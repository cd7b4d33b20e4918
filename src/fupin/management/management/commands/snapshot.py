"""`fupin snapshot`: take the statistics snapshot (统计快照) of the indicators now."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from fupin import bounds
from fupin.management import periods, snapshots


class Command(BaseCommand):
    help = (
        "生成统计快照（分析表）：各村、各乡镇、各指标当日数值，通报和仪表盘只读快照。"
        "每天运行一次（如 cron 每晚 23:30），--months 补建过去各月月末的快照"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", help="快照日期 YYYY-MM-DD（默认今天）")
        parser.add_argument(
            "--months", type=int, default=0, help="另补建此前 N 个月各月最后一天的快照"
        )

    def handle(
        self, *args: object, day: str | None = None, months: int = 0, **options: object
    ) -> None:
        try:
            when = bounds.parse_date(day, "快照日期") if day else timezone.localdate()
        except bounds.BoundsError as exc:
            raise CommandError(str(exc)) from None
        if not 0 <= months <= 60:
            raise CommandError("--months 应在 0 到 60 之间")
        days = [p.end for p in periods.months_back(when, months + 1)[:-1]] + [when]
        for d in days:
            run = snapshots.build(day=min(d, when))
            self.stdout.write(
                f"{run.day.isoformat()} 统计快照：{run.rows} 行，{len(run.windows)} 个统计期，"
                f"用时 {run.seconds:.1f} 秒"
            )
