"""fupin subsidy run --year 2018 --insurance medical|pension [--policy PACK]: the yearly 代缴 list."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.insurance import services
from fupin.insurance.models import Reason, Scheme
from fupin.insurance.rules import GROUP_NAMES, INSURANCE_NAMES
from fupin.policy.params import fen_to_yuan


class Command(BaseCommand):
    help = "社保扶贫代缴：run 计算某年度、某险种的代缴名单（全县），含补缴、提前领取名单及与上年度的增减。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=["run", "sync"],
            help="run：计算代缴名单；sync：按已导入的参保数据更新参保记录",
        )
        parser.add_argument("--year", required=True, help="年度，如 2018")
        parser.add_argument(
            "--insurance", default="", help="medical（医疗保险）或 pension（养老保险）；run 必填"
        )
        parser.add_argument("--policy", default=None, help="政策包编号（默认本县政策包）")

    def handle(
        self,
        *args: str,
        action: str,
        year: str,
        insurance: str,
        policy: str | None,
        **options: object,
    ) -> None:
        if action == "sync":
            try:
                counts = services.sync_from_extract(user=None, year=services.parse_year(year))
            except services.InsuranceError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(
                f"已按参保数据更新：养老保险 {counts['pension']} 人，医疗保险（{year} 年度）{counts['medical']} 人"
            )
            return
        try:
            y = services.parse_year(year)
            ins = services.parse_insurance(insurance)
            run = services.create_run(user=None, year=y, insurance=ins, pack_id=policy)
            counts = services.execute_run(run)
        except services.InsuranceError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{y} 年度{INSURANCE_NAMES[ins]}代缴名单（政策包 {run.pack_id}，计算 {run.pk}，用时 "
            f"{counts['seconds']} 秒）"
        )
        rules = run.rules
        for scheme, s in counts["by_scheme"].items():
            self.stdout.write(
                f"{Scheme(scheme).label}：应列入 {s['entitled']} 人，合计 "
                f"{fen_to_yuan(s['amount_fen'])} 元；不列入 {s['excluded']} 人"
            )
            for key, n in sorted(s["rules"].items()):
                name = rules.get(key, {}).get("name") or GROUP_NAMES.get(key, key)
                self.stdout.write(f"  {name}：{n} 人")
            for key, n in sorted(s["reasons"].items(), key=lambda kv: -kv[1]):
                self.stdout.write(f"  不列入——{Reason(key).label}：{n} 人")
        if counts.get("previous"):
            self.stdout.write(
                f"与 {y - 1} 年度相比：新增 {counts['added']} 人，减少 {counts['removed']} 人"
            )
        else:
            self.stdout.write(f"{y - 1} 年度尚未计算代缴名单，无法比较增减")
