"""What the `fupin settle` and `fupin policy` commands do (结算与政策包), as plain functions (no Django).

The Django management commands (`fupin settle`, `fupin policy`) take their arguments from
`add_settle_arguments`/`add_policy_arguments` and call `run_settle`/`run_policy`; they only
turn `CliError` into exit status 2. The same commands run without Django, and without its
start-up time, as `python -m fupin.policy settle …` / `python -m fupin.policy policy list`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from fupin.policy.batch import PARTS, cost_controlled, settle_frame
from fupin.policy.claims import ClaimsError, Fault, is_typed, parse_claims, to_claims
from fupin.policy.compiled import CompiledPolicy
from fupin.policy.compiler import load_compiled
from fupin.policy.io import check_output_path, read_claims_file, write_settlements
from fupin.policy.packfiles import PackError
from fupin.policy.streamed import settle_csv
from fupin.policy.units import PART_NAMES, fen_to_yuan, to_basis_points

if TYPE_CHECKING:
    from fupin.policy.compare import Comparison
    from fupin.policy.regions import Policy

# A plain `settle` works from the compiled policy (`compiler.load_compiled`): the packs (YAML and
# their pydantic models), the scalar path (--explain) and the comparison (--vs) are imported
# where they are used, so it does not pay for loading them.


@dataclass(frozen=True)
class SettleReport:
    pack_id: str
    claims: int
    out: Path
    totals: dict[str, int]
    outside_period: int
    explanation: str | None
    cost_controlled: int = 0

    def text(self) -> str:
        lines = [f"已按 {self.pack_id} 结算 {self.claims:,} 笔，结果写入 {self.out}"]
        lines.append(
            "；".join(f"{PART_NAMES[p]} {fen_to_yuan(v)} 元" for p, v in self.totals.items())
        )
        if self.outside_period:
            lines.append(
                f"注意：{self.outside_period:,} 笔入院日期不在该政策的生效期间内（政策测算：仍按所选日期的政策结算；"
                "按入院日期结算请用地区编号，如 --policy jining）"
            )
        if self.cost_controlled:
            lines.append(f"单病种控费病种住院 {self.cost_controlled:,} 笔（已标记，请汇总上报）")
        if self.explanation:
            lines += ["", self.explanation]
        return "\n".join(lines)


def load_claims(policy_spec: str, claims_path: str | Path) -> tuple[Policy, pl.DataFrame]:
    from fupin.policy.regions import load_policy

    policy = load_policy(policy_spec)
    return policy, parse_claims_file(claims_path, policy)


def parse_claims_file(claims_path: str | Path, policy: Policy | CompiledPolicy) -> pl.DataFrame:
    """Typed happy path: a CSV read with its amounts as numbers and validated as such; on any
    fault (or a cell that does not parse) the file is read again as text and judged as always,
    so the faults and their messages are those of the text."""
    typed = read_claims_file(claims_path, typed=True)
    if is_typed(typed):
        try:
            return parse_claims(typed, policy)
        except ClaimsError:
            pass
        del typed
        typed = read_claims_file(claims_path)
    return parse_claims(typed, policy)


def explain_claim(policy: Policy | str, claims: pl.DataFrame, claim_id: str) -> str:
    """The Chinese trail of one claim: its person's claims up to the end of its year settled on
    the scalar path (earlier years too: a transfer chain (转院) runs across the New Year)."""
    from fupin.policy.regions import load_policy
    from fupin.policy.scalar import settle_claims

    policy = load_policy(policy) if isinstance(policy, str) else policy
    target = claims.filter(pl.col("claim_id") == claim_id)
    if target.height == 0:
        raise ClaimsError([Fault(None, "claim_id", f"找不到结算单 {claim_id}（--explain）")])
    person, day = (
        target.row(0, named=True)["person_id"],
        target.row(0, named=True)["admission_date"],
    )
    up_to_year = claims.filter(
        (pl.col("person_id") == person) & (pl.col("admission_date").dt.year() <= day.year)
    )
    for settlement in settle_claims(policy, to_claims(up_to_year)):
        if settlement.claim.claim_id == claim_id:
            return settlement.explain()
    raise AssertionError("unreachable: the claim is among its own person's claims")


def settle_file(
    policy_spec: str,
    claims_path: str | Path,
    out_path: str | Path,
    explain: str | None = None,
    *,
    stream: bool = True,
) -> SettleReport:
    """Read, validate, settle on the column path, write. Raises PackError/ClaimsError.

    A valid CSV is settled in one streamed pass (`streamed.settle_csv`); anything else, a file
    with any fault, or `stream=False`, as a whole table — the same file and report either way."""
    out = check_output_path(out_path)
    policy = load_compiled(policy_spec)
    streamed = settle_csv(policy, claims_path) if stream and not explain else None
    if streamed is not None:
        write_settlements(streamed.result, out)
        return SettleReport(
            pack_id=policy.id,
            claims=streamed.result.height,
            out=out,
            totals={p: int(streamed.result[p].sum()) for p in PARTS},
            outside_period=streamed.outside_period,
            explanation=None,
            cost_controlled=streamed.cost_controlled,
        )
    # Not on the streamed happy path: the whole table, judged and worded as always.
    claims = parse_claims_file(claims_path, policy)
    result = settle_frame(policy, claims)
    explanation = explain_claim(policy_spec, claims, explain) if explain else None
    write_settlements(result, out)
    outside = 0
    if policy.at is not None:
        start, end = policy.starts[0], policy.ends[0]
        before = pl.col("admission_date") < start
        after = pl.col("admission_date") > end if end else pl.lit(False)
        outside = claims.select((before | after).sum()).item()
    return SettleReport(
        pack_id=policy.id,
        claims=claims.height,
        out=out,
        totals={p: int(result[p].sum()) for p in PARTS},
        outside_period=outside,
        explanation=explanation,
        cost_controlled=int(cost_controlled(policy, claims).sum()),
    )


def compare_file(
    pack_a: str,
    pack_b: str,
    claims_path: str | Path,
    xlsx_path: str | Path | None,
    share: int | None = None,
) -> tuple[Comparison, Path | None]:
    from fupin.policy.compare import compare
    from fupin.policy.regions import load_policy

    a, claims = load_claims(pack_a, claims_path)
    b = load_policy(pack_b)
    # The claims must also be valid under B (its chronic classes may differ).
    parse_claims(read_claims_file(claims_path), b)
    result = compare(a, b, claims, share)
    written = None
    if xlsx_path is not None:
        xlsx_path = Path(xlsx_path)
        if xlsx_path.suffix.lower() != ".xlsx":
            raise ClaimsError([Fault(None, None, f"政策测算结果须写成 .xlsx：{xlsx_path.name}")])
        written = result.write_xlsx(xlsx_path)
    return result, written


def policy_list_text() -> str:
    from fupin.policy.packs import list_packs
    from fupin.policy.regions import list_regions

    lines = [f"{'编号':<16}{'生效':<14}{'继承':<14}名称"]
    for pack in list_packs():
        lines.append(
            f"{pack.id:<16}{pack.effective.start.isoformat():<14}{pack.inherits or '—':<14}{pack.name}"
        )
    lines += [
        "",
        "政策地区（按入院日期取当日政策，--policy 地区编号；某日的政策：地区编号@YYYY-MM-DD）：",
    ]
    for region in list_regions():
        lines.append(f"{region.id:<16}{region.name}：{region.periods_text(ids=True)}")
    return "\n".join(lines)


def region_show_text(region_id: str) -> str:
    """A region as one line of dated values: each parameter's values with start date and source."""
    from fupin.policy.regions import load_region

    region = load_region(region_id)
    lines = [
        f"{region.id}：{region.name}",
        f"期间：{region.periods_text(ids=True)}",
        "",
        "参数（按生效日期）：",
    ]
    history: dict[str, list[tuple[object, object]]] = {}
    for span in region.spans:
        for path, param in span.pack.parameters():
            seen = history.setdefault(path, [])
            if not seen or seen[-1][1] != param:
                seen.append((span, param))
    for path, values in history.items():
        lines.append(f"- {path}")
        for span, param in values:
            shown = param.model_dump(mode="json", by_alias=True)["value"]
            mark = "【示意值】" if param.source.is_assumed else ""
            lines.append(
                f"    {param.effective.start.isoformat()} 起 = {_value_text(shown)}{mark}"
                f"（{span.pack.id}）；出处：{span.pack.cite(param.source)}"
            )
    return "\n".join(lines)


def _value_text(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_value_text(v) for v in value) + "]"
    if value is None:
        return "不设"
    return str(value)


def policy_show_text(pack_id: str) -> str:
    from fupin.policy.packs import load_pack
    from fupin.policy.regions import list_regions

    if pack_id in {r.id for r in list_regions()}:
        return region_show_text(pack_id)
    pack = load_pack(pack_id)
    lines = [
        f"{pack.id}：{pack.name}",
        f"地区：{pack.region}；生效：{pack.effective.text()}；继承：{pack.inherits or '无'}",
        pack.description,
        "",
        "参数（金额单位元，比例为百分数）：",
    ]
    for path, param in pack.parameters():
        shown = param.model_dump(mode="json", by_alias=True)["value"]
        lines.append(f"- {path} = {_value_text(shown)}")
        if param.description:
            lines.append(f"    说明：{param.description}")
        lines.append(f"    生效：{param.effective.text()}")
        lines.append(f"    出处：{param.source.text()}")
    return "\n".join(lines)


class CliError(Exception):
    """A fault the user must fix (bad pack, bad file, bad option); exit status 2."""


def add_settle_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy",
        required=True,
        help="地区编号（按入院日期取当日政策，如 jining）、地区@日期（如 jining@2018-05-01）"
        "或政策包编号（如 fuliang-2018）",
    )
    parser.add_argument("--claims", required=True, help="结算单文件：CSV、XLSX 或 Parquet")
    parser.add_argument(
        "--out",
        help="结算结果 .csv/.parquet；与 --vs 同用时为测算表 .xlsx（默认 政策测算_A_vs_B.xlsx）",
    )
    parser.add_argument("--explain", metavar="CLAIM_ID", help="打印该结算单的中文计算过程")
    parser.add_argument(
        "--vs", metavar="POLICY", help="对比的另一地区或另一日期的政策（政策测算），写法同 --policy"
    )
    parser.add_argument(
        "--engine",
        choices=["polars", "spark"],
        default="polars",
        help="polars：本机列式结算（默认）；spark：在 Spark 上按人员分区结算，--claims/--out "
        "可为任意 Spark 可读的路径或 URI，结果为 Parquet 目录",
    )
    parser.add_argument(
        "--master", default=None, help="Spark master（默认 spark-submit 给定的，或 local[*]）"
    )
    parser.add_argument(
        "--partitions", type=int, default=None, help="Spark：按人员分成的分区数（默认并行度）"
    )
    parser.add_argument(
        "--catastrophic-share",
        default=None,
        help="灾难性医疗支出线占人均可支配收入的比例（默认取政策包的 catastrophic_share）",
    )


def run_settle(opts: dict, write: Callable[[str], object]) -> None:
    """`fupin settle`: settle a file, or compare two packs with --vs. Raises CliError."""
    try:
        if opts.get("vs"):
            share = None
            if opts.get("catastrophic_share"):
                try:
                    share = to_basis_points(opts["catastrophic_share"])
                except ValueError as exc:
                    raise CliError(f"--catastrophic-share：{exc}") from exc
            out = opts.get("out") or f"政策测算_{opts['policy']}_vs_{opts['vs']}.xlsx"
            comparison, written = compare_file(
                opts["policy"], opts["vs"], opts["claims"], out, share
            )
            write(comparison.text())
            write(f"\n测算表已写入 {written}")
            return
        if not opts.get("out"):
            raise CliError("请用 --out 指定结算结果文件（.csv 或 .parquet）")
        if opts.get("engine") == "spark":
            write(_settle_on_spark(opts).text())
            return
        report = settle_file(opts["policy"], opts["claims"], opts["out"], opts.get("explain"))
        write(report.text())
    except (PackError, ClaimsError) as exc:
        raise CliError(f"无法结算：\n{exc}") from exc


def _settle_on_spark(opts: dict):
    if opts.get("explain"):
        raise CliError("--explain 只用于本机结算（不加 --engine spark）")
    if opts.get("partitions") is not None and not 1 <= opts["partitions"] <= 100_000:
        raise CliError("--partitions 应在 1 到 100000 之间")
    from fupin.policy.spark import settle_spark
    from fupin.sparkio import session

    spark = session(opts.get("master"))
    return settle_spark(
        spark, opts["policy"], opts["claims"], opts["out"], partitions=opts.get("partitions")
    )


def add_policy_arguments(parser: argparse.ArgumentParser, **subparser_options) -> None:
    actions = parser.add_subparsers(dest="action", required=True, **subparser_options)
    actions.add_parser("list", help="列出全部政策包")
    show = actions.add_parser("show", help="显示政策包（或地区按日期的全部取值）参数与出处")
    show.add_argument("pack", help="政策包编号，如 jining-2020；或地区编号，如 jining")


def run_policy(opts: dict, write: Callable[[str], object]) -> None:
    """`fupin policy list | show PACK`. Raises CliError."""
    try:
        write(policy_list_text() if opts["action"] == "list" else policy_show_text(opts["pack"]))
    except PackError as exc:
        raise CliError(str(exc)) from exc


def main(argv: list[str] | None = None, prog: str = "python -m fupin.policy") -> int:
    """Django-free entry point: `python -m fupin.policy settle …` or `… policy list`."""
    parser = argparse.ArgumentParser(prog=prog, description="政策包与医疗费用结算")
    commands = parser.add_subparsers(dest="command", required=True)
    add_settle_arguments(commands.add_parser("settle", help="结算或政策测算"))
    add_policy_arguments(commands.add_parser("policy", help="政策包"))
    opts = vars(parser.parse_args(argv))
    run = run_settle if opts["command"] == "settle" else run_policy
    try:
        run(opts, print)
    except CliError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0
