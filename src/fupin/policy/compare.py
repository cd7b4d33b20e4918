"""Policy comparison (政策测算): the same claims under two policies, for a finance bureau.

Two regions, or one region at two dates (`jining@2016-01-01` against `jining@2020-01-01`).
Totals per layer, the fund cost difference, the distribution of each person's yearly self-pay,
and how many person-years pass a catastrophic line — a share (the pack's `catastrophic_share`,
unless the user gives one) of the pack's per-capita income figure, both from the pack in force
for that person-year.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from fupin.policy.batch import PARTS, settle_frame
from fupin.policy.params import BP, fen_to_yuan, percent
from fupin.policy.regions import Policy, as_policy
from fupin.policy.schema import Pack
from fupin.policy.units import PART_NAMES

FUND_PARTS = ("basic_pay", "critical_pay", "assistance_pay", "fallback_pay")
QUANTILES = (0.5, 0.75, 0.9, 0.95, 0.99, 1.0)


@dataclass(frozen=True)
class PackOutcome:
    policy: Policy
    totals: dict[str, int]  # layer → fen over all claims
    quantiles: dict[float, int]  # yearly self-pay per person, fen
    mean_self_pay: int
    lines: list[tuple[Pack, int, int]]  # per pack in force: share (bp), line (fen)
    catastrophic_count: int

    @property
    def pack(self) -> Pack:
        """The pack in force last (its id and figures head the tables)."""
        return self.policy.packs[-1]

    @property
    def catastrophic_line(self) -> int:
        return self.lines[-1][2]

    def lines_text(self) -> str:
        return "；".join(
            f"{pack.id} 线 {fen_to_yuan(line)} 元（人均可支配收入的 {percent(share)}）"
            for pack, share, line in self.lines
        )


@dataclass(frozen=True)
class Comparison:
    claims: int
    person_years: int
    share: int | None  # basis points of per-capita income given by the user; None: the packs'
    a: PackOutcome
    b: PackOutcome

    def text(self) -> str:
        a, b = self.a, self.b
        width = max(16, len(a.policy.id) + 2, len(b.policy.id) + 2)
        lines = [
            f"政策测算：{a.policy.id}（{a.policy.name}） 对比 {b.policy.id}（{b.policy.name}）",
            f"结算单 {self.claims:,} 笔，人·年 {self.person_years:,} 个；金额单位：元",
            "",
            f"{'项目':<10}{a.policy.id:>{width}}{b.policy.id:>{width}}{'差额(后−前)':>{width}}",
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
            "灾难性医疗支出：年度个人自付超过人均可支配收入的一定比例（按该人·年适用的政策包）",
            f"  {a.policy.id}：{a.lines_text()}；{a.catastrophic_count:,} 人·年",
            f"  {b.policy.id}：{b.lines_text()}；{b.catastrophic_count:,} 人·年",
        ]
        return "\n".join(lines)

    def write_xlsx(self, path: str | Path) -> Path:
        import xlsxwriter

        path = Path(path)
        from fupin.sheets.write import WORKBOOK_OPTIONS

        with xlsxwriter.Workbook(
            str(path), WORKBOOK_OPTIONS
        ) as book:  # pack ids and labels stay text
            money = book.add_format({"num_format": "#,##0.00"})
            bold = book.add_format({"bold": True})
            sheet = book.add_worksheet("汇总")
            sheet.write_row(
                0, 0, ["项目", self.a.policy.id, self.b.policy.id, "差额（后−前）"], bold
            )
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
                0, 0, ["分位（每人每年个人自付）", self.a.policy.id, self.b.policy.id, "差额"], bold
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
                ["测算方案", "政策包", "人均可支配收入", "比例", "线", "超线人·年（方案合计）"],
                bold,
            )
            row = 1
            notes = []
            for outcome in (self.a, self.b):
                for pack, share, line in outcome.lines:
                    cat.write(row, 0, outcome.policy.id)
                    cat.write(row, 1, pack.id)
                    cat.write(row, 2, pack.income_per_capita.value / 100, money)
                    cat.write(row, 3, percent(share))
                    cat.write(row, 4, line / 100, money)
                    cat.write(row, 5, outcome.catastrophic_count)
                    notes.append(f"{pack.id}：{pack.income_per_capita.source.text()}")
                    notes.append(f"{pack.id} 比例：{pack.catastrophic_share.source.text()}")
                    row += 1
            cat.write(row + 1, 0, "来源：")
            for i, note in enumerate(dict.fromkeys(notes), row + 2):
                cat.write(i, 0, note)
            cat.set_column(0, 0, 20)
            cat.set_column(1, 3, 16)
        return path


def _outcome(policy: Policy, claims: pl.DataFrame, share: int | None) -> PackOutcome:
    result = settle_frame(policy, claims)
    totals = {p: int(result[p].sum()) for p in PARTS}
    totals["fund"] = sum(totals[p] for p in FUND_PARTS)
    # Each person-year meets the line of the pack in force on its last admission date.
    packs = policy.packs
    lines = []
    for pack in packs:
        bp = share if share is not None else pack.catastrophic_share.value
        lines.append((pack, bp, pack.income_per_capita.value * bp // BP))
    yearly = (
        pl.DataFrame(
            {
                "person_id": claims["person_id"],
                "year": claims["admission_date"].dt.year(),
                "day": claims["admission_date"],
                "self_pay": result["self_pay"],
            }
        )
        .group_by("person_id", "year")
        .agg(pl.col("self_pay").sum(), pl.col("day").max())
    )
    if policy.at is None and len(packs) > 1:
        starts = pl.Series(policy.starts(), dtype=pl.Date)
        span = (starts.search_sorted(yearly["day"], side="right").cast(pl.Int64) - 1).clip(0)
    else:
        span = pl.zeros(yearly.height, pl.Int64, eager=True)
    line = pl.Series([x[2] for x in lines], dtype=pl.Int64).gather(span)
    self_pay = yearly["self_pay"]
    return PackOutcome(
        policy=policy,
        totals=totals,
        quantiles={q: int(self_pay.quantile(q, interpolation="lower")) for q in QUANTILES},
        mean_self_pay=int(round(self_pay.mean())),
        lines=lines,
        catastrophic_count=int((self_pay > line).sum()),
    )


def compare(
    a: Policy | Pack | str, b: Policy | Pack | str, claims: pl.DataFrame, share: int | None = None
) -> Comparison:
    """Settle typed `claims` under policies `a` and `b` and summarise the difference.

    `share`: the catastrophic line as basis points of per-capita income; None takes each
    pack's own `catastrophic_share`.
    """
    a, b = as_policy(a), as_policy(b)
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
