"""fupin compare --registry FILE --enrolment FILE --out DIR: the batch comparison (信息比对).

Writes DIR/summary.json ({category: count}) and one CSV per category. Bad input: exit 2.
"""

import datetime as dt
import json
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from fupin import bounds
from fupin.exchange.comparison import BadInput, Settings, compare_files
from fupin.policy.packs import PackError


class Command(BaseCommand):
    help = (
        "建档立卡与参保数据比对（CSV 或 Parquet），结果写入 --out 目录：summary.json 与各类别 CSV。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--registry",
            required=True,
            help="建档立卡文件：id_number,name,area_code,status,poor,dibao,tekun,severe_disability",
        )
        parser.add_argument(
            "--enrolment",
            required=True,
            help="参保文件：id_number,name,area_code,insurance,enrolment_status,poverty_tag,premium_subsidy,deceased",
        )
        parser.add_argument("--out", required=True)
        parser.add_argument("--as-of", help="比对基准日 YYYY-MM-DD（默认今天）")
        parser.add_argument(
            "--policy", default=None, help="政策包编号（默认本县政策包 FUPIN_POLICY_PACK）"
        )
        parser.add_argument(
            "--engine",
            choices=["duckdb", "spark"],
            default="duckdb",
            help="duckdb：本机（默认）；spark：在 Spark 上比对，输入输出可为任意 Spark 可读的路径或 URI",
        )
        parser.add_argument(
            "--format",
            choices=["parquet", "csv"],
            default="parquet",
            help="--engine spark 时各类别结果的格式（每类一个目录）",
        )
        parser.add_argument(
            "--master", default=None, help="Spark master（默认 spark-submit 给定的）"
        )

    def handle(
        self,
        *args: str,
        registry: str,
        enrolment: str,
        out: str,
        as_of: str | None = None,
        policy: str | None = None,
        engine: str = "duckdb",
        format: str = "parquet",  # noqa: A002 - the option's name
        master: str | None = None,
        **options: object,
    ) -> None:
        try:
            day = bounds.parse_date(as_of, "--as-of 比对基准日") if as_of else dt.date.today()
        except bounds.BoundsError as exc:
            self.stderr.write(str(exc))
            sys.exit(2)
        started = time.monotonic()

        def progress(step: int, total: int, label: str) -> None:
            sys.stderr.write(f"[{step}/{total}] {label}\n")

        try:
            rules = Settings.from_pack(policy or settings.COUNTY_POLICY_PACK, as_of=day)
            if engine == "spark":
                from fupin.exchange.comparison.spark import compare_spark, session

                session(master)  # the session compare_spark's engine then uses
                summary = compare_spark(registry, enrolment, out, rules, progress, fmt=format)
            else:
                summary = compare_files(registry, enrolment, out, rules, progress)
        except PackError as exc:
            self.stderr.write(f"政策包错误：{exc}")
            sys.exit(2)
        except BadInput as exc:
            self.stderr.write(str(exc))
            sys.exit(2)
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
        self.stderr.write(f"用时 {time.monotonic() - started:.1f} 秒，结果在 {out}")
