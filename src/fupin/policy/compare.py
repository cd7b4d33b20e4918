"""Policy comparison (政策测算): the same claims under two packs, for a finance bureau.

Totals per layer, the fund cost difference, the distribution of each person's yearly self-pay,
and how many person-years pass a catastrophic line — a share (40% by default) of the pack's
per-capita income figure, the usual definition of catastrophic health expenditure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from fupin.policy.batch import PARTS, settle_frame
from fupin.policy.params import BP, fen_to_yuan, percent
from fupin.policy.schema import Pack

FUND_PARTS = ("basic_pay", "critical_pay", "assistance_pay", "fallback_pay")
PART_NAMES = {
    "basic_pay": "基本医保",
    "critical_pay": "大病保险",
    "assistance_pay": "医疗救助",
    "fallback_pay": "兜底保障",
    "self_pay": "个人自付",
    "fund": "各项基金合计",
}
QUANTILES = (0.5, 0.75, 0.9, 0.95, 0.99, 1.0)


@dataclass(frozen=True)
class PackOutcome:
    pack: Pack
    totals: dict[str, int]  # layer → fen over all claims
    quantiles: dict[float, int]  # yearly self-pay per person, fen
    mean_self_pay: int
    catastrophic_line: int
    catastrophic_count: int


@dataclass(frozen=True)
class Comparison:
    claims: int
    person_years: int
    share: int  # basis points of per-capita income
    a: PackOutcome
    b: PackOutcome

    def text(self) -> str:
        a, b = self.a, self.b
        width = 16
        lines = [
            f"政策测算：{a.pack.id}（{a.pack.name}） 对比 {b.pack.id}（{b.pack.name}）",
            f"结算单 {self.claims:,} 笔，人·年 {self.person_years:,} 个；金额单位：元",
            "",
            f"{'项目':<10}{a.pack.id:>{width}}{b.pack.id:>{width}}{'差额(后−前)':>{width}}",
        ]
        for key in (*PARTS, "fund"):
            x, y = a.totals[key], b.totals[key]
            lines.append(
                f"{PART_NAMES[key]:<10}{fen_to_yuan(x):>{width}}{fen_to_yuan(y):>{width}}"
                f"{fen_to_yuan(y - x):>{width}}"
            )
        lines += ["", "每人每年个人自付分布："]
        for q in QUANTILES:
            label = "最大值" if q == 1.0 else f"P{round(q * 100)}"
            lines.append(
                f"{label:<10}{fen_to_yuan(a.quantiles[q]):>{width}}{fen_to_yuan(b.quantiles[q]):>{width}}"
                f"{fen_to_yuan(b.quantiles[q] - a.quantiles[q]):>{width}}"
            )
        lines.append(
            f"{'平均':<10}{fen_to_yuan(a.mean_self_pay):>{width}}{fen_to_yuan(b.mean_self_pay):>{width}}"
            f"{fen_to_yuan(b.mean_self_pay - a.mean_self_pay):>{width}}"
        )
        lines += [
            "",
            f"灾难性医疗支出：年度个人自付超过人均可支配收入的 {percent(self.share)}",
            f"  {a.pack.id}：线 {fen_to_yuan(a.catastrophic_line)} 元，{a.catastrophic_count:,} 人·年",
            f"  {b.pack.id}：线 {fen_to_yuan(b.catastrophic_line)} 元，{b.catastrophic_count:,} 人·年",
        ]
        return "\n".join(lines)

    def write_xlsx(self, path: str | Path) -> Path:
        import xlsxwriter

        path = Path(path)
        from fupin.sheets.write import WORKBOOK_OPTIONS

        with xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS) as book:  # pack ids and labels stay text
            money = book.add_format({"num_format": "#,##0.00"})
            bold = book.add_format({"bold": True})
            sheet = book.add_worksheet("汇总")
            sheet.write_row(0, 0, ["项目", self.a.pack.id, self.b.pack.id, "差额（后−前）"], bold)
            for row, key in enumerate((*PARTS, "fund"), 1):
                x, y = self.a.totals[key], self.b.totals[key]
                sheet.write(row, 0, PART_NAMES[key])
                sheet.write_row(row, 1, [x / 100, y / 100, (y - x) / 100], money)
            sheet.write(
                9, 0, f"结算单 {self.claims} 笔，人·年 {self.person_years} 个；金额单位：元"
            )
            sheet.set_column(0, 0, 16)
            sheet.set_column(1, 3, 18)

            dist = book.add_worksheet("自付分布")
            dist.write_row(
                0, 0, ["分位（每人每年个人自付）", self.a.pack.id, self.b.pack.id, "差额"], bold
            )
            for row, q in enumerate(QUANTILES, 1):
                x, y = self.a.quantiles[q], self.b.quantiles[q]
                dist.write(row, 0, "最大值" if q == 1.0 else f"P{round(q * 100)}")
                dist.write_row(row, 1, [x / 100, y / 100, (y - x) / 100], money)
            row = len(QUANTILES) + 1
            dist.write(row, 0, "平均")
            dist.write_row(
                row,
                1,
                [
                    self.a.mean_self_pay / 100,
                    self.b.mean_self_pay / 100,
                    (self.b.mean_self_pay - self.a.mean_self_pay) / 100,
                ],
                money,
            )
            dist.set_column(0, 0, 26)
            dist.set_column(1, 3, 18)

            cat = book.add_worksheet("灾难性支出")
            cat.write_row(
                0,
                0,
                ["政策包", "人均可支配收入", f"线（{percent(self.share)}）", "超线人·年"],
                bold,
            )
            for row, outcome in enumerate((self.a, self.b), 1):
                cat.write(row, 0, outcome.pack.id)
                cat.write(row, 1, outcome.pack.income_per_capita.value / 100, money)
                cat.write(row, 2, outcome.catastrophic_line / 100, money)
                cat.write(row, 3, outcome.catastrophic_count)
            cat.write(4, 0, "人均可支配收入来源：")
            for row, outcome in enumerate((self.a, self.b), 5):
                cat.write(
                    row, 0, f"{outcome.pack.id}：{outcome.pack.income_per_capita.source.text()}"
                )
            cat.set_column(0, 0, 20)
            cat.set_column(1, 3, 16)
        return path


def _outcome(pack: Pack, claims: pl.DataFrame, share: int) -> PackOutcome:
    result = settle_frame(pack, claims)
    totals = {p: int(result[p].sum()) for p in PARTS}
    totals["fund"] = sum(totals[p] for p in FUND_PARTS)
    yearly = (
        pl.DataFrame(
            {
                "person_id": claims["person_id"],
                "year": claims["admission_date"].dt.year(),
                "self_pay": result["self_pay"],
            }
        )
        .group_by("person_id", "year")
        .agg(pl.col("self_pay").sum())["self_pay"]
    )
    line = pack.income_per_capita.value * share // BP
    return PackOutcome(
        pack=pack,
        totals=totals,
        quantiles={q: int(yearly.quantile(q, interpolation="lower")) for q in QUANTILES},
        mean_self_pay=int(round(yearly.mean())),
        catastrophic_line=line,
        catastrophic_count=int((yearly > line).sum()),
    )


def compare(a: Pack, b: Pack, claims: pl.DataFrame, share: int = 4000) -> Comparison:
    """Settle typed `claims` under packs `a` and `b` and summarise the difference."""
    persons = claims.select(
        pl.struct("person_id", pl.col("admission_date").dt.year()).n_unique()
    ).item()
    return Comparison(
        claims=claims.height,
        person_years=persons,
        share=share,
        a=_outcome(a, claims, share),
        b=_outcome(b, claims, share),
    )
