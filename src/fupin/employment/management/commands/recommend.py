"""fupin recommend --area CODE --out FILE.csv: rank postings (岗位推荐) for every eligible person in an area.

Runs as `--user USERNAME`, an active account whose area covers CODE: persons are read
through that user's scope and offered the postings that user may read (the county's).
Writes `id_number, rank, posting_id, score, reasons`. ID numbers are masked unless
`--unmasked` and the user may see full numbers (`may_unmask`); the export is audited.
"""

import csv
import datetime as dt
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin import bounds
from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import area_code_in_scope, scoped
from fupin.areas.models import Area
from fupin.employment.recommend import area_persons, eligible, open_postings, rank, store
from fupin.policy.employment import rules
from fupin.registry.idnumber import mask
from fupin.sheets.write import csv_row


class Command(BaseCommand):
    help = "为区划内全部符合条件的人员推荐岗位，写出 CSV（身份证号默认脱敏）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", required=True, help="区划代码（县6位、乡镇9位、村12位）")
        parser.add_argument("--out", required=True, help="输出 CSV 文件")
        parser.add_argument(
            "--unmasked",
            action="store_true",
            help="输出完整身份证号（该用户须有权限，记入审计日志）",
        )
        parser.add_argument(
            "--user",
            required=True,
            help="操作人用户名：其辖区须覆盖 --area，按其权限读取人员和岗位",
        )
        parser.add_argument("--date", help="推荐日期 YYYY-MM-DD（默认今天）")
        parser.add_argument(
            "--no-store", action="store_true", help="只写 CSV，不更新系统中的当前推荐"
        )

    def handle(
        self,
        *args: str,
        area: str,
        out: str,
        unmasked: bool,
        user: str,
        date: str | None,
        no_store: bool,
        **options: object,
    ) -> None:
        area = area.strip()
        if not area.isdigit() or not Area.objects.filter(code=area).exists():
            raise CommandError(f"区划代码“{area}”不存在")
        operator = User.objects.filter(username=user, is_active=True).first()
        if operator is None:
            raise CommandError(f"用户“{user}”不存在或已停用")
        if not area_code_in_scope(operator, area):
            raise CommandError(f"用户“{user}”的辖区不包含 {area}")
        if unmasked and not operator.may_unmask:
            raise CommandError(f"--unmasked：用户“{user}”没有“查看完整身份证号”权限")
        try:
            day = bounds.parse_date(date, "--date") if date else dt.date.today()
        except bounds.BoundsError as exc:
            raise CommandError(str(exc)) from None
        started = time.perf_counter()
        people = list(
            eligible(scoped(area_persons(area), operator), day).order_by("village_code", "id")
        )
        ranked = rank(people, day, list(open_postings(day, operator)))
        if not no_store:
            store(ranked, day)
        rows = 0
        with open(out, "w", newline="", encoding="utf-8-sig") as f:
            w = csv.writer(f)
            w.writerow(["id_number", "rank", "posting_id", "score", "reasons"])
            for person, offers in ranked:
                shown = person.id_number if unmasked else mask(person.id_number)
                for r, posting, score, reasons in offers:
                    w.writerow(csv_row([shown, r, posting.pk, f"{score:.4f}", reasons]))
                    rows += 1
        record(
            AuditAction.EXPORT,
            user=operator,
            object_type="export",
            object_id=Path(out).name[:64],
            username=user,
            summary=f"fupin recommend --area {area} --out {out}：{len(people)} 人 {rows} 条"
            f"（{'完整身份证号' if unmasked else '身份证号已脱敏'}）",
        )
        if unmasked:
            record(
                AuditAction.UNMASK,
                user=operator,
                object_type="export",
                object_id=Path(out).name[:64],
                username=user,
                summary=f"命令行导出完整身份证号：区划 {area}，{len(people)} 人",
            )
        k = rules().recommendations_per_person.value
        short = sum(1 for _, offers in ranked if len(offers) < k)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(people)} 人、{rows} 条推荐写入 {out}"
                f"（不足{k}条 {short} 人，用时 {time.perf_counter() - started:.1f} 秒）"
            )
        )
