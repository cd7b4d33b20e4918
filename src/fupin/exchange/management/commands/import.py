"""fupin import KIND FILE [--yes]: the same import (数据导入): staging → validate → preview → merge as the page."""

import sys
import time
from pathlib import Path
from typing import TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.exchange import imports
from fupin.exchange.models import Action, ImportJob, JobState, Kind
from fupin.sheets.reader import FileFault


class Bar:
    """A one-line progress bar on stderr (读取 / 校验 / 合并)."""

    LABELS = {"read": "读取", "validate": "校验", "merge": "合并"}

    def __init__(self, stream: TextIO) -> None:
        self.stream, self.last = stream, 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < 0.2:
            return
        self.last = now
        pct = 100 * done // total if total else 100
        bar = "#" * (pct // 4) + "-" * (25 - pct // 4)
        self.stream.write(f"\r{self.LABELS.get(stage, stage)} [{bar}] {pct:3d}% {done}/{total} 行")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "导入数据文件：KIND 为 roster（花名册）、dibao、tekun、disability、pension、medical；"
        "先校验预览，--yes 时直接确认合并。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=Kind.values)
        parser.add_argument("file")
        parser.add_argument(
            "--yes", action="store_true", help="校验后不再询问，直接合并（拒绝的行不导入）"
        )
        parser.add_argument("--rejected-xlsx", help="把拒绝的行写入此 xlsx 文件")

    def handle(
        self,
        *args: str,
        kind: str,
        file: str,
        yes: bool,
        rejected_xlsx: str | None = None,
        **options: object,
    ) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        bar = Bar(sys.stderr)
        started = time.monotonic()
        try:
            imports.check_upload_size(path.stat().st_size)
            job = imports.create_job(
                user=None, kind=kind, filename=path.name, content=path.read_bytes()
            )
        except FileFault as exc:
            raise CommandError(str(exc)) from None
        counts = imports.stage(job, progress=bar)
        if job.state == JobState.FAILED:
            raise CommandError(job.message)
        self.stdout.write(
            f"预览：新增 {counts['new']}，变更 {counts['changed']}，"
            f"无变化 {counts['unchanged']}，拒绝 {counts['rejected']}"
            + (f"（新户 {counts['households_new']}）" if kind == Kind.ROSTER else "")
        )
        shown = 0
        for r in job.rows.filter(action=Action.REJECTED).order_by("row_no").iterator():
            for column, reason in r.errors:
                if shown < 20:
                    self.stdout.write(f"  第{r.row_no}行“{column}”列：{reason}")
                shown += 1
        if shown > 20:
            self.stdout.write(
                f"  ……另有 {shown - 20} 处问题"
                + ("，见 --rejected-xlsx" if not rejected_xlsx else "")
            )
        if rejected_xlsx and counts["rejected"]:
            self._write_rejected(job, rejected_xlsx)
        if not counts["new"] and not counts["changed"]:
            self.stdout.write("没有需要写入的数据。")
            return
        if not yes:
            if not sys.stdin.isatty() or input("确认导入？[y/N] ").strip().lower() not in (
                "y",
                "yes",
                "是",
            ):
                self.stdout.write(f"未导入（任务 {job.pk} 保留在暂存区，可在页面上确认）。")
                return
        try:
            result = imports.merge(job, progress=bar)
        except imports.ImportRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入：新增 {result['new']}，变更 {result['changed']}，"
                f"用时 {time.monotonic() - started:.1f} 秒（任务 {job.pk}）"
            )
        )

    def _write_rejected(self, job: ImportJob, out: str) -> None:
        import xlsxwriter

        from fupin.sheets.write import WORKBOOK_OPTIONS, CellWriter

        book = xlsxwriter.Workbook(out, {"constant_memory": True, **WORKBOOK_OPTIONS})
        cells = CellWriter(book)
        sheet = book.add_worksheet("问题行")
        cells.write_row(sheet, 0, ["行号", "列", "问题"])
        i = 1
        for r in job.rows.filter(action=Action.REJECTED).order_by("row_no").iterator():
            for column, reason in r.errors:  # the column is the file's own header text
                cells.write_row(sheet, i, [r.row_no, column, reason])
                i += 1
        book.close()
        self.stdout.write(f"问题行已写入 {out}")
