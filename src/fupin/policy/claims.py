"""Claims (医疗费用结算单) and their validation, shared by the file, API and page inputs.

Raw input is a table of strings (whatever the file format); `parse_claims` checks it in one
set-based pass and returns typed columns: amounts in integer fen, dates as dates. Every fault
names the row, the column and what is wrong, in Chinese. Row numbers are spreadsheet rows:
the header is row 1, the first claim row 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import polars as pl

from fupin.policy.compiled import CompiledPolicy
from fupin.policy.units import CATEGORIES, CATEGORY_NAMES, FIRST_YEAR, LAST_YEAR, VISIT_TYPES

if TYPE_CHECKING:
    from fupin.policy.schema import Pack

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

COLUMNS: tuple[str, ...] = (
    "claim_id",
    "person_id",
    "category",
    "visit_type",
    "hospital_level",
    "chronic_class",
    "disease_code",
    "admission_date",
    "total_cost",
    "in_policy_cost",
)
COLUMN_NAMES: dict[str, str] = {
    "claim_id": "结算单号",
    "person_id": "人员编号",
    "category": "人员类别",
    "visit_type": "就诊类型",
    "hospital_level": "医院级别",
    "chronic_class": "慢性病类别",
    "disease_code": "疾病编码",
    "admission_date": "入院日期",
    "total_cost": "总费用",
    "in_policy_cost": "政策范围内费用",
    "rehab_cost": "康复项目费用",
    "transfer": "转院接续",
}
# Optional columns: absent means 0 / no. rehab_cost: the part of the cost outside the policy
# scope spent on the rehabilitation items a pack brings into scope (吉林 003: 20 个新增医疗康复项目);
# transfer: 1 when this stay continues the person's previous stay by transfer (转院).
OPTIONAL_COLUMNS: tuple[str, ...] = ("rehab_cost", "transfer")
AMOUNT_COLUMNS: tuple[str, ...] = ("total_cost", "in_policy_cost", "rehab_cost")
TRANSFER_VALUES = {
    "1": True, "是": True, "true": True, "True": True,
    "0": False, "否": False, "false": False, "False": False,
}  # fmt: skip
MAX_YUAN_DIGITS = 9  # a single claim below 10 亿元 keeps every product inside int64
MAX_LISTED_FAULTS = 20


@dataclass(frozen=True)
class Claim:
    """One hospital stay or one chronic-outpatient settlement, amounts in fen."""

    claim_id: str
    person_id: str
    category: str
    visit_type: str
    hospital_level: int
    chronic_class: str | None
    disease_code: str | None
    admission_date: date
    total_cost: int
    in_policy_cost: int
    rehab_cost: int = 0
    transfer: bool = False


@dataclass(frozen=True)
class Fault:
    row: int | None  # None: the fault is in the header or the whole file
    column: str | None
    message: str
    claim: str | None = None  # a stored claim's number (结算单号): named instead of a row

    def text(self, codes: bool = True) -> str:
        """Row (or claim), column and fault in Chinese; `codes=False` (pages, where the user never
        saw the file's column codes) names the column by its Chinese name only."""
        if self.claim is not None:
            where = f"结算单 {self.claim}"
        else:
            where = (
                f"第 {self.row} 行" if self.row is not None else "表头" if self.column else "文件"
            )
        if self.column:
            name = COLUMN_NAMES.get(self.column, self.column)
            where += f"，列 {self.column}（{name}）" if codes else f"，“{name}”"
        return f"{where}：{self.message}"


class ClaimsError(ValueError):
    """Input claims that cannot be settled; `faults` lists row, column and fault."""

    def __init__(self, faults: list[Fault], total: int | None = None):
        self.faults = faults
        self.total = total if total is not None else len(faults)
        super().__init__(self.text())

    def text(self, codes: bool = True) -> str:
        """The faults, one a line (the first MAX_LISTED_FAULTS), and how many there are in all."""
        lines = [f.text(codes) for f in self.faults[:MAX_LISTED_FAULTS]]
        if self.total > len(lines):
            lines.append(f"……共 {self.total} 处错误，仅列出前 {len(lines)} 处")
        return "\n".join(lines)

    def by_claim(self, claim_nos: Sequence[str], first_row: int = 0) -> ClaimsError:
        """The same faults naming the claim of each row (`claim_nos[row - first_row]`): for stored
        claims, whose position in a frame means nothing to the user."""
        faults = [
            f if f.row is None else replace(f, row=None, claim=str(claim_nos[f.row - first_row]))
            for f in self.faults
        ]
        return ClaimsError(faults, total=self.total)


def _yuan(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Float64, strict=False)


def _fen_from_yuan(yuan: pl.Expr) -> pl.Expr:
    """Fen from a float amount in yuan, or null unless it is a valid amount.

    Valid: non-negative, at most two decimals and nine whole digits. Exact without a regex:
    such an amount has at most 11 significant digits, far inside a float's 15, so yuan × 100
    lies within 1e-4 of a whole number of fen exactly when the text has no third decimal.
    """
    fen = yuan * 100
    # No test of NaN or ±inf needed: Polars orders NaN above every number, so NaN and +inf fail
    # `< 10**9` and −inf fails `>= 0`.
    ok = (yuan >= 0) & (yuan < 10**MAX_YUAN_DIGITS)
    ok = ok & ((fen - fen.round()).abs() < 1e-4)
    return pl.when(ok).then(fen.round()).cast(pl.Int64)


def _date_from_text(text: pl.Expr) -> pl.Expr:
    """The date of a YYYY-MM-DD text, or null. Each text parsed as it stands (`cache=False`): the
    cache of unique texts, on by default, costs more than it saves on a file of claims (0.036 s
    against 0.023 s on 1,000,000 dates)."""
    return text.str.to_date("%Y-%m-%d", strict=False, cache=False)


def _clean(raw: pl.DataFrame, trim: tuple[str, ...] | None = None) -> pl.DataFrame:
    """All columns as strings, trimmed (only those in `trim`, if given), empty cells as null;
    optional columns added if absent."""
    names = (*COLUMNS, *OPTIONAL_COLUMNS)

    def text(c: str) -> pl.Expr:
        if raw.schema[c] in (pl.Float64, pl.Date):  # typed by the reader: kept as it is
            return pl.col(c)
        col = pl.col(c).cast(pl.String)
        return col.str.strip_chars() if trim is None or c in trim else col

    trimmed = (text(c) if c in raw.columns else pl.lit(None, pl.String).alias(c) for c in names)
    texts = [c for c in names if c not in raw.columns or raw.schema[c] == pl.String]
    return raw.select(trimmed).with_columns(
        pl.when(pl.col(c).str.len_bytes() > 0).then(pl.col(c)).alias(c) for c in texts
    )


def one_of(column: str, values: Iterable[str]) -> pl.Expr:
    """`is_in(values)` for a few values, as equality tests: several times faster on text."""
    col = pl.col(column)
    tests = [col == v for v in values]
    if not tests:
        return col.is_in([])
    either = tests[0]
    for test in tests[1:]:
        either = either | test
    return either


def _duplicated(ids: pl.Series) -> pl.Series | None:
    """Rows whose claim id occurs twice, or None; hashes first, the exact check only on a hit.
    Ids already in ascending order (as a claims system exports them) need no hashing: a repeat
    sits next to its twin."""
    if ids.len() > 1 and ids.null_count() == 0 and ids.is_sorted():
        if not (ids.slice(1) == ids.slice(0, ids.len() - 1)).any():
            return None
    else:
        hashes = ids.hash().sort()
        if not (hashes == hashes.shift(1)).any():
            return None
    return ids.is_duplicated() & ids.is_not_null()


def _chronic_classes(policy: Any) -> list[str]:
    if isinstance(policy, CompiledPolicy):
        return policy.chronic_classes
    packs = getattr(policy, "packs", None) or [policy]
    return sorted(
        {c for p in packs if p.medical and p.medical.chronic for c in p.medical.chronic.classes}
    )


def _chronic_diseases(policy: Any) -> dict[str, str]:
    """Disease code prefix → chronic class, where the documents name diseases of the scheme."""
    if isinstance(policy, CompiledPolicy):
        return policy.chronic_diseases
    packs = getattr(policy, "packs", None) or [policy]
    table: dict[str, str] = {}
    for p in packs:
        chronic = p.medical.chronic if p.medical else None
        if chronic is not None and chronic.diseases is not None:
            table.update({k.upper(): v for k, v in chronic.diseases.value.items()})
    return table


def _class_from_disease(table: dict[str, str]) -> pl.Expr:
    """The class a chronic claim without one takes from its disease code (longest prefix first)."""
    code = pl.col("disease_code")
    expr = pl.lit(None, pl.String)
    for prefix in sorted(table, key=len):
        expr = pl.when(code.str.starts_with(prefix)).then(pl.lit(table[prefix])).otherwise(expr)
    return expr


def parse_claims(
    raw: pl.DataFrame,
    pack: Pack | Any,
    first_row: int = 2,
    *,
    max_faults: int | None = MAX_LISTED_FAULTS,
) -> pl.DataFrame:
    """Validate a table of claims for `pack` (or a `regions.Policy`) and return typed columns,
    or raise ClaimsError carrying the first `max_faults` faults (None: every fault — an import
    marks each faulty row) and their total.

    Whether each admission date has values in force is checked where the claims are settled
    (`settle_frame`, `settle_claims`): the same check on both paths.
    """
    if isinstance(pack, str):
        from fupin.policy.regions import load_policy

        pack = load_policy(pack)
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        names = "、".join(f"{c}（{COLUMN_NAMES[c]}）" for c in missing)
        raise ClaimsError([Fault(None, None, f"缺少列 {names}")])
    if raw.height == 0:
        raise ClaimsError([Fault(None, None, "文件中没有结算单")])
    fast = _parse_fast(raw, pack)
    if fast is not None:
        return fast
    if is_typed(raw):
        # Amounts already parsed (read_claims_file(typed=True)): no retry here, the caller reads
        # the file again as text on any fault (cli.parse_claims_file).
        return _parse(raw, pack, first_row, trim=IDENTITY_COLUMNS, max_faults=max_faults)
    # Fast path: trim only the columns whose text is an identity (a stray space would make two
    # persons of one); any other cell with a space fails a check, and then the whole table is
    # read again trimmed, so what is judged and reported is always the trimmed text.
    try:
        return _parse(raw, pack, first_row, trim=IDENTITY_COLUMNS, max_faults=max_faults)
    except ClaimsError:
        return _parse(raw, pack, first_row, trim=None, max_faults=max_faults)


IDENTITY_COLUMNS = ("claim_id", "person_id", "disease_code")
_FIRST_DAY, _LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)


def _parse_fast(raw: pl.DataFrame, pack: Any) -> pl.DataFrame | None:
    """The typed claims of a table every cell of which is valid as it stands, in fewer passes than
    `_parse`; None at the first doubt, and then `_parse` judges the table and words its faults.

    Where it accepts, it returns what `_parse` (identity columns trimmed) returns — the same
    values, the same types (tests/policy/test_fast_parse.py); see `fast_typed`.
    """
    out = fast_typed(raw, pack)
    if out is None:
        return None
    if not out["_valid"].all() or _duplicated(out["claim_id"]) is not None:
        return None
    return out.drop("_valid")


def clean_disease_code(code: pl.Expr) -> pl.Expr:
    """A disease code as written → as checked and settled: trimmed, in upper case, null if empty
    (`fast_typed`; `streamed` applies it to each distinct code of a file)."""
    code = code.str.strip_chars()
    return pl.when(code.str.len_bytes() > 0).then(code.str.to_uppercase())


def fast_typed(raw: Frame, pack: Any, keep: tuple[str, ...] = ()) -> Frame | None:
    """The typed claims of `raw` (a DataFrame, or a LazyFrame: then streamed) and a `_valid`
    column: true in a row every cell of which is valid as it stands. None where the table's
    columns or the pack's classes are not for the happy path. A table is accepted on it when
    every row is valid and no claim number repeats (`_parse_fast`); `streamed` checks the same.
    Columns in `keep` pass through as they are.

    The same expressions as `_parse`, but
    - a column where an empty cell is a fault anyway is not turned to nulls first: an empty
      category, visit type, level, date or amount fails its check or its parse all the same;
    - the chronic class is matched as written against the pack's classes, not upper-cased
      first (a class written otherwise, e.g. "i", goes to `_parse`), and a chronic claim
      without a class (to be found from its disease code) goes to `_parse`;
    - absent optional columns (rehab cost, transfer) are constants, not columns of nulls;
    - every row check is one boolean column.
    """
    classes = _chronic_classes(pack)
    if any(not c or c != c.upper() for c in classes):
        return None
    schema = raw.collect_schema() if isinstance(raw, pl.LazyFrame) else raw.schema
    for c in (*COLUMNS, *OPTIONAL_COLUMNS):
        if c not in schema or schema[c] == pl.String:
            continue
        if not (
            (c in AMOUNT_COLUMNS and schema[c] == pl.Float64)
            or (c == "admission_date" and schema[c] == pl.Date)
        ):
            return None

    # Made once, read several times below (an eager select computes a repeated expression anew).
    present = [c for c in AMOUNT_COLUMNS if c in schema]
    frame = raw.with_columns(
        pl.col("claim_id").str.strip_chars(),
        pl.col("person_id").str.strip_chars(),
        (pl.col("visit_type") == "chronic_outpatient").alias("_chronic"),
        *(pl.col(c).cast(pl.Float64, strict=False).alias(f"_{c}_yuan") for c in present),
    )

    def nonempty(c: str) -> pl.Expr:
        col = pl.col(c)
        return pl.when(col.str.len_bytes() > 0).then(col) if schema[c] == pl.String else col

    def fen(c: str) -> pl.Expr:
        return _fen_from_yuan(pl.col(f"_{c}_yuan"))

    is_chronic = pl.col("_chronic")
    cls = nonempty("chronic_class")
    day = pl.col("admission_date")
    row_checks = [
        one_of("category", CATEGORIES),
        is_chronic | one_of("visit_type", [v for v in VISIT_TYPES if v != "chronic_outpatient"]),
        one_of("hospital_level", ("1", "2", "3")),
        one_of("chronic_class", classes) | (~is_chronic & cls.is_null()),
    ]
    if "rehab_cost" in schema:
        rehab = pl.col("rehab_cost")
        empty = rehab.is_null()
        if schema["rehab_cost"] == pl.String:
            empty = empty | (rehab.str.len_bytes() == 0)
        rehab_fen = pl.when(empty).then(pl.lit(0, pl.Int64)).otherwise(fen("rehab_cost"))
    else:
        rehab_fen = pl.lit(0, pl.Int64)
    if "transfer" in schema:
        if schema["transfer"] != pl.String:
            return None
        transfer = nonempty("transfer")
        transfer_value = transfer.replace_strict(TRANSFER_VALUES, default=False)
        row_checks.append(transfer.is_null() | one_of("transfer", tuple(TRANSFER_VALUES)))
        row_checks.append(~(transfer_value & is_chronic))
    else:
        transfer_value = pl.lit(False)
    typed = frame.select(
        pl.col("claim_id"),
        pl.col("person_id"),
        pl.col("category"),
        pl.col("visit_type"),
        pl.col("hospital_level").cast(pl.Int8, strict=False),
        pl.when(is_chronic).then(cls).alias("chronic_class"),
        clean_disease_code(pl.col("disease_code")).alias("disease_code"),
        day if schema["admission_date"] == pl.Date else _date_from_text(day),
        fen("total_cost").alias("total_cost"),
        fen("in_policy_cost").alias("in_policy_cost"),
        rehab_fen.alias("rehab_cost"),
        transfer_value.alias("transfer"),
        pl.all_horizontal(c.fill_null(False) for c in row_checks).alias("_ok"),
        *keep,
    )
    total, in_policy, rehab_cost = (
        pl.col("total_cost"),
        pl.col("in_policy_cost"),
        pl.col("rehab_cost"),
    )
    admitted = pl.col("admission_date")
    valid = [
        pl.col("_ok"),
        # A null where `_parse` would find a fault (chronic class and disease code may be empty).
        *(pl.col(c).is_not_null() for c in _FAST_REQUIRED),
        pl.col("claim_id").str.len_bytes() > 0,
        pl.col("person_id").str.len_bytes() > 0,
        in_policy <= total,
        rehab_cost <= total - in_policy,
        admitted >= _FIRST_DAY,
        admitted <= _LAST_DAY,
    ]
    return typed.select(
        pl.exclude("_ok"), pl.all_horizontal(c.fill_null(False) for c in valid).alias("_valid")
    )


_FAST_REQUIRED = (
    "claim_id",
    "person_id",
    "category",
    "visit_type",
    "hospital_level",
    "admission_date",
    "total_cost",
    "in_policy_cost",
    "rehab_cost",
    "transfer",
)


def is_typed(raw: pl.DataFrame) -> bool:
    """Amounts or the admission date already typed by the reader (`read_claims_file(typed=True)`)."""
    return any(raw.schema[c] in (pl.Float64, pl.Date) for c in raw.columns)


def _parse(
    raw: pl.DataFrame,
    pack: Any,
    first_row: int,
    trim: tuple[str, ...] | None,
    max_faults: int | None = MAX_LISTED_FAULTS,
) -> pl.DataFrame:
    classes = _chronic_classes(pack)
    diseases = _chronic_diseases(pack)
    is_chronic = pl.col("visit_type") == "chronic_outpatient"
    df = _clean(raw, trim).with_columns(
        pl.col("chronic_class").str.to_uppercase(), pl.col("disease_code").str.to_uppercase()
    )
    unclassed = is_chronic & pl.col("chronic_class").is_null()
    if diseases and df.select(unclassed.any()).item():
        df = df.with_columns(
            pl.when(unclassed)
            .then(_class_from_disease(diseases))
            .otherwise(pl.col("chronic_class"))
            .alias("chronic_class")
        )
    df = df.with_columns(
        _date=pl.col("admission_date")
        if df.schema["admission_date"] == pl.Date
        else _date_from_text(pl.col("admission_date")),
        _total_yuan=_yuan("total_cost"),
        _in_yuan=_yuan("in_policy_cost"),
        _rehab_yuan=pl.when(pl.col("rehab_cost").is_null())
        .then(pl.lit(0.0))
        .otherwise(_yuan("rehab_cost")),
    ).with_columns(
        _total=_fen_from_yuan(pl.col("_total_yuan")),
        _in=_fen_from_yuan(pl.col("_in_yuan")),
        _rehab=_fen_from_yuan(pl.col("_rehab_yuan")),
    )
    amount_ok = {
        "total_cost": pl.col("_total").is_not_null(),
        "in_policy_cost": pl.col("_in").is_not_null(),
        "rehab_cost": pl.col("_rehab").is_not_null(),
    }
    negative = {
        "total_cost": (pl.col("_total_yuan") < 0).fill_null(False),
        "in_policy_cost": (pl.col("_in_yuan") < 0).fill_null(False),
        "rehab_cost": (pl.col("_rehab_yuan") < 0).fill_null(False),
    }
    cat_text = "、".join(f"{c}（{CATEGORY_NAMES[c]}）" for c in CATEGORIES)
    class_text = "、".join(classes) if classes else "（本政策包不含门诊慢性病）"
    checks: list[tuple[str, pl.Expr, str | pl.Expr]] = [
        ("claim_id", pl.col("claim_id").is_null(), "不能为空"),
        ("claim_id", pl.col("_duplicate"), "结算单号重复"),
        ("person_id", pl.col("person_id").is_null(), "不能为空"),
        (
            "category",
            ~one_of("category", CATEGORIES).fill_null(False),
            pl.format("未知人员类别 {}，应为 " + cat_text, pl.col("category").fill_null("（空）")),
        ),
        (
            "visit_type",
            ~one_of("visit_type", VISIT_TYPES).fill_null(False),
            pl.format(
                "未知就诊类型 {}，应为 inpatient（住院）、chronic_outpatient（门诊慢性病）"
                "或 maternity（住院分娩，含新生儿）",
                pl.col("visit_type").fill_null("（空）"),
            ),
        ),
        (
            "hospital_level",
            ~one_of("hospital_level", ("1", "2", "3")).fill_null(False),
            pl.format(
                "医院级别应为 1、2 或 3，而不是 {}", pl.col("hospital_level").fill_null("（空）")
            ),
        ),
        (
            "chronic_class",
            is_chronic & pl.col("chronic_class").is_null(),
            "门诊慢性病须填写慢性病类别：" + class_text,
        ),
        (
            "chronic_class",
            pl.col("chronic_class").is_not_null() & ~one_of("chronic_class", classes),
            pl.format("未知慢性病类别 {}，本政策包为 " + class_text, pl.col("chronic_class")),
        ),
        (
            "admission_date",
            pl.col("_date").is_null(),
            pl.format("日期无效 {}，应为 YYYY-MM-DD", pl.col("admission_date").fill_null("（空）")),
        ),
        (
            "admission_date",
            ~pl.col("_date").dt.year().is_between(FIRST_YEAR, LAST_YEAR).fill_null(True),
            f"日期须在 {FIRST_YEAR} 至 {LAST_YEAR} 年之间",
        ),
    ]
    for column in amount_ok:
        checks.append((column, negative[column], pl.format("金额不能为负数（{}）", pl.col(column))))
        checks.append(
            (
                column,
                ~amount_ok[column] & ~negative[column],
                pl.format(
                    f"不是金额（以元为单位，最多两位小数、{MAX_YUAN_DIGITS} 位整数）：{{}}",
                    pl.col(column).fill_null("（空）"),
                ),
            )
        )
    checks.append(
        (
            "in_policy_cost",
            (pl.col("_in") > pl.col("_total")).fill_null(False),
            pl.format(
                "政策范围内费用 {} 元大于总费用 {} 元",
                pl.col("in_policy_cost"),
                pl.col("total_cost"),
            ),
        )
    )

    checks.append(
        (
            "rehab_cost",
            (pl.col("_rehab") > pl.col("_total") - pl.col("_in")).fill_null(False),
            pl.format(
                "康复项目费用 {} 元大于政策范围外费用（总费用 {} 元 − 政策范围内 {} 元）",
                pl.col("rehab_cost"),
                pl.col("total_cost"),
                pl.col("in_policy_cost"),
            ),
        )
    )
    checks.append(
        (
            "transfer",
            pl.col("transfer").is_not_null()
            & ~one_of("transfer", tuple(TRANSFER_VALUES)).fill_null(False),
            pl.format("转院接续应填 1（是）或 0（否），而不是 {}", pl.col("transfer")),
        )
    )
    checks.append(
        (
            "transfer",
            pl.col("transfer").replace_strict(TRANSFER_VALUES, default=False) & is_chronic,
            "门诊慢性病不能标为转院接续",
        )
    )
    duplicate = _duplicated(df["claim_id"])
    df = df.with_columns(_duplicate=pl.lit(False) if duplicate is None else pl.lit(duplicate))
    flags = df.select(bad.fill_null(False).alias(f"{i}") for i, (_, bad, _) in enumerate(checks))
    any_bad = flags.select(pl.any_horizontal(pl.all())).to_series()
    if any_bad.any() and is_typed(raw):
        # Faults are reported in the cells' own text: the caller reads the file again as text.
        raise ClaimsError([Fault(None, None, "文件有不合格的单元格，须按文本重新读取并逐项校验")])
    if any_bad.any():
        rows = df.with_row_index("_row", offset=first_row).hstack(flags).filter(any_bad)
        found = rows.select(
            pl.col("_row"),
            *(
                pl.when(pl.col(f"{i}"))
                .then(pl.lit(msg) if isinstance(msg, str) else msg)
                .alias(f"m{i}")
                for i, (_, _, msg) in enumerate(checks)
            ),
        )
        listed = (
            found.unpivot(index="_row", variable_name="check", value_name="message")
            .drop_nulls("message")
            .with_columns(pl.col("check").str.slice(1).cast(pl.Int64))
            .sort("_row", "check")
        )
        faults = [
            Fault(row, checks[check][0], message)
            for row, check, message in (
                listed if max_faults is None else listed.head(max_faults)
            ).iter_rows()
        ]
        raise ClaimsError(faults, total=listed.height)

    return df.select(
        pl.col("claim_id"),
        pl.col("person_id"),
        pl.col("category"),
        pl.col("visit_type"),
        pl.col("hospital_level").cast(pl.Int8),
        pl.when(is_chronic).then(pl.col("chronic_class")).alias("chronic_class"),
        pl.col("disease_code"),
        pl.col("_date").alias("admission_date"),
        pl.col("_total").alias("total_cost"),
        pl.col("_in").alias("in_policy_cost"),
        pl.col("_rehab").alias("rehab_cost"),
        pl.col("transfer").replace_strict(TRANSFER_VALUES, default=False).alias("transfer"),
    )


def raw_frame(records: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    """A raw string table from dict records (API, web form, tests)."""
    names = (*COLUMNS, *OPTIONAL_COLUMNS)
    rows = [{c: (None if r.get(c) is None else str(r.get(c))) for c in names} for r in records]
    return pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row")


def to_claims(frame: pl.DataFrame) -> list[Claim]:
    """Typed frame → Claim objects for the scalar path."""
    return [Claim(**row) for row in frame.iter_rows(named=True)]


def to_frame(claims: Iterable[Claim]) -> pl.DataFrame:
    """Claim objects → the typed frame the column path reads."""
    rows = [c.__dict__ for c in claims]
    return pl.DataFrame(rows, schema=TYPED_SCHEMA, orient="row")


TYPED_SCHEMA: dict[str, Any] = {
    "claim_id": pl.String,
    "person_id": pl.String,
    "category": pl.String,
    "visit_type": pl.String,
    "hospital_level": pl.Int8,
    "chronic_class": pl.String,
    "disease_code": pl.String,
    "admission_date": pl.Date,
    "total_cost": pl.Int64,
    "in_policy_cost": pl.Int64,
    "rehab_cost": pl.Int64,
    "transfer": pl.Boolean,
}
