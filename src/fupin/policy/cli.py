"""What the `fupin settle` and `fupin policy` commands do, as plain functions (no Django).

The management commands only parse arguments and turn `PackError`/`ClaimsError` into exit
status 2; everything else happens here so it can be called and tested without a server.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from fupin.policy.batch import PARTS, settle_frame
from fupin.policy.claims import ClaimsError, Fault, parse_claims, to_claims
from fupin.policy.compare import PART_NAMES, Comparison, compare
from fupin.policy.io import check_output_path, read_claims_file, write_settlements
from fupin.policy.packs import list_packs, load_pack
from fupin.policy.params import fen_to_yuan
from fupin.policy.scalar import settle_claims


@dataclass(frozen=True)
class SettleReport:
    pack_id: str
    claims: int
    out: Path
    totals: dict[str, int]
    outside_period: int
    explanation: str | None

    def text(self) -> str:
        lines = [f"已按政策包 {self.pack_id} 结算 {self.claims:,} 笔，结果写入 {self.out}"]
        lines.append(
            "；".join(f"{PART_NAMES[p]} {fen_to_yuan(v)} 元" for p, v in self.totals.items())
        )
        if self.outside_period:
            lines.append(
                f"注意：{self.outside_period:,} 笔入院日期不在政策包生效期间内（按测算处理，仍按本政策包结算）"
            )
        if self.explanation:
            lines += ["", self.explanation]
        return "\n".join(lines)


def load_claims(pack_id: str, claims_path: str | Path) -> tuple[object, pl.DataFrame]:
    pack = load_pack(pack_id)
    return pack, parse_claims(read_claims_file(claims_path), pack)


def explain_claim(pack_id: str, claims: pl.DataFrame, claim_id: str) -> str:
    """The Chinese trail of one claim: its person's year settled on the scalar path."""
    pack = load_pack(pack_id)
    target = claims.filter(pl.col("claim_id") == claim_id)
    if target.height == 0:
        raise ClaimsError([Fault(None, "claim_id", f"找不到结算单 {claim_id}（--explain）")])
    person, day = (
        target.row(0, named=True)["person_id"],
        target.row(0, named=True)["admission_date"],
    )
    year_claims = claims.filter(
        (pl.col("person_id") == person) & (pl.col("admission_date").dt.year() == day.year)
    )
    for settlement in settle_claims(pack, to_claims(year_claims)):
        if settlement.claim.claim_id == claim_id:
            return settlement.explain()
    raise AssertionError("unreachable: the claim is in its own person-year")


def settle_file(
    pack_id: str, claims_path: str | Path, out_path: str | Path, explain: str | None = None
) -> SettleReport:
    """Read, validate, settle on the column path, write. Raises PackError/ClaimsError."""
    out = check_output_path(out_path)
    pack, claims = load_claims(pack_id, claims_path)
    explanation = explain_claim(pack_id, claims, explain) if explain else None
    result = settle_frame(pack, claims)
    write_settlements(result, out)
    period = pack.effective
    before = pl.col("admission_date") < period.start
    after = pl.col("admission_date") > period.end if period.end else pl.lit(False)
    outside = claims.select((before | after).sum()).item()
    return SettleReport(
        pack_id=pack_id,
        claims=claims.height,
        out=out,
        totals={p: int(result[p].sum()) for p in PARTS},
        outside_period=outside,
        explanation=explanation,
    )


def compare_file(
    pack_a: str, pack_b: str, claims_path: str | Path, xlsx_path: str | Path | None, share: int
) -> tuple[Comparison, Path | None]:
    a, claims = load_claims(pack_a, claims_path)
    b = load_pack(pack_b)
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
    lines = [f"{'编号':<16}{'生效':<14}{'继承':<14}名称"]
    for pack in list_packs():
        lines.append(
            f"{pack.id:<16}{pack.effective.start.isoformat():<14}{pack.inherits or '—':<14}{pack.name}"
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
