"""fupin settle — 医疗费用一站式结算 and 政策测算 from a claims file.

fupin settle --policy fuliang-2018 --claims claims.csv --out split.csv [--explain C001]
fupin settle --policy jining-2016 --vs jining-2020 --claims claims.csv [--out 测算.xlsx]
"""

from django.core.management.base import BaseCommand, CommandError

from fupin.policy.claims import ClaimsError
from fupin.policy.packs import PackError
from fupin.policy.params import to_basis_points


class Command(BaseCommand):
    help = (
        "按政策包结算医疗费用（基本医保、大病保险、医疗救助、兜底），或对比两个政策包（政策测算）。"
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--policy", required=True, help="政策包编号，如 fuliang-2018")
        parser.add_argument("--claims", required=True, help="结算单文件：CSV、XLSX 或 Parquet")
        parser.add_argument(
            "--out",
            help="结算结果 .csv/.parquet；与 --vs 同用时为测算表 .xlsx（默认 政策测算_A_vs_B.xlsx）",
        )
        parser.add_argument("--explain", metavar="CLAIM_ID", help="打印该结算单的中文计算过程")
        parser.add_argument("--vs", metavar="PACK", help="对比的另一个政策包（政策测算）")
        parser.add_argument(
            "--catastrophic-share",
            default="40%",
            help="灾难性医疗支出线占人均可支配收入的比例（默认 40%%）",
        )

    def handle(self, *args, **opts):
        from fupin.policy.cli import compare_file, settle_file

        try:
            if opts["vs"]:
                try:
                    share = to_basis_points(opts["catastrophic_share"])
                except ValueError as exc:
                    raise CommandError(f"--catastrophic-share：{exc}", returncode=2) from exc
                out = opts["out"] or f"政策测算_{opts['policy']}_vs_{opts['vs']}.xlsx"
                comparison, written = compare_file(
                    opts["policy"], opts["vs"], opts["claims"], out, share
                )
                self.stdout.write(comparison.text())
                self.stdout.write(f"\n测算表已写入 {written}")
                return
            if not opts["out"]:
                raise CommandError("请用 --out 指定结算结果文件（.csv 或 .parquet）", returncode=2)
            report = settle_file(opts["policy"], opts["claims"], opts["out"], opts["explain"])
            self.stdout.write(report.text())
        except (PackError, ClaimsError) as exc:
            raise CommandError(f"无法结算：\n{exc}", returncode=2) from exc
