"""fupin monitor run --user USERNAME [--area CODE] [--date YYYY-MM-DD]: the nightly monitoring run (监测运行).

All signals for the area (default: the user's own), as that user (read through his scope),
in this process, holding the run's liveness lock. Idempotent: a second run raises nothing new.
Prints new alerts per township. Schedule it nightly (cron / systemd timer).
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin import bounds
from fupin.access.models import User
from fupin.access.scope import area_code_in_scope, home_area_code
from fupin.areas.models import Area
from fupin.monitoring import services
from fupin.monitoring.models import MonitoringRun, Signal
from fupin.monitoring.nightly import STEPS


class Command(BaseCommand):
    help = "防止返贫监测：计算全部预警信号（集合运算），写入新预警，按乡镇汇总。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run"], help="run：运行一次监测")
        parser.add_argument("--user", required=True, help="操作人用户名：按其辖区和权限读取数据")
        parser.add_argument("--area", help="区划代码（默认该用户的辖区）")
        parser.add_argument("--date", help="监测日期 YYYY-MM-DD（默认今天）")

    def handle(
        self,
        *args: object,
        action: str,
        user: str,
        area: str | None,
        date: str | None,
        **options: object,
    ) -> None:
        operator = User.objects.select_related("area").filter(username=user, is_active=True).first()
        if operator is None:
            raise CommandError(f"用户“{user}”不存在或已停用")
        if operator.read_only:
            raise CommandError(f"用户“{user}”是只读角色，不能运行监测")
        area = (area or home_area_code(operator)).strip()
        if not area.isdigit() or not Area.objects.filter(code=area).exists():
            raise CommandError(f"区划代码“{area}”不存在")
        if not area_code_in_scope(operator, area):
            raise CommandError(f"用户“{user}”的辖区不包含 {area}")
        try:
            day = bounds.parse_date(date, "--date") if date else dt.date.today()
        except bounds.BoundsError as exc:
            raise CommandError(str(exc)) from None
        if day > dt.date.today():
            raise CommandError("--date 不能晚于今天")
        run = MonitoringRun.objects.create(
            area_code=area, day=day, steps=STEPS, created_by=operator
        )
        services.run_monitoring(run, user=operator)
        run.refresh_from_db()
        if run.state != MonitoringRun.State.DONE:
            raise CommandError(run.message or "监测运行未完成")
        names = dict(
            Area.objects.filter(code__in=list(run.by_township)).values_list("code", "name")
        )
        for code, counts in sorted(run.by_township.items()):
            parts = "；".join(
                f"{Signal(s).label} {n} 条" for s, n in sorted(counts.items()) if s in Signal.values
            )
            self.stdout.write(f"{names.get(code, code)}：{parts}")
        self.stdout.write(
            self.style.SUCCESS(f"监测完成：新增预警 {run.new_alerts} 条，用时 {run.seconds} 秒")
        )
