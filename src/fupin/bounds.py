"""输入范围 (input bounds): the one place that says which dates, years, months, amounts,
record ids and integers fupin accepts, for form fields, API schemas, query parameters and
commands alike.

Every type has one check here; form fields (`DateField`, `YearField`, `MonthField`,
`MoneyField`, `IdField`), the ninja types (`Date`, `Year`, `Fen`, `Id`, `text`, `column_int`)
and the query helpers (`query_id`, `query_year`, `query_month`) all call it, so a date of
9999 or an id of 10²³ gets the same Chinese answer wherever it is typed and never reaches
arithmetic or the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from django import forms
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from pydantic import Field, PlainValidator, StrictStr, WithJsonSchema
from pydantic_core import PydanticCustomError

from fupin.idnumber import OLDEST_BIRTH

# Dates. Nobody fupin records was born before the oldest birth date an ID number may carry,
# so nothing about them happened earlier either.
EARLIEST_DATE = OLDEST_BIRTH
# Staff plan ahead at most this far: a plan's due date, a posting's closing date, a course,
# a loan's start. Loans run ≤ 120 months, so every schedule ends well inside the calendar.
FUTURE_YEARS = 10
FIRST_YEAR = EARLIEST_DATE.year

# Money in integer fen. The largest sum the documents name is a small firm's guaranteed loan
# of 400万元; 2000万元 leaves room and fits every amount column, the 32-bit ones included.
MAX_FEN = 2_000_000_000
MAX_YUAN_DECIMALS = 2

# Record ids are PostgreSQL bigints (BigAutoField).
MAX_ID = 2**63 - 1

# Integer columns: the portable ranges (PostgreSQL's), so SQLite answers the same.
COLUMN_RANGES = BaseDatabaseOperations.integer_field_ranges


class BoundsError(ValueError):
    """An input outside its range or unreadable, with a Chinese message for the user."""


def today() -> dt.date:
    return dt.date.today()


def latest_date(day: dt.date | None = None) -> dt.date:
    day = day or today()
    try:
        return day.replace(year=day.year + FUTURE_YEARS)
    except ValueError:  # 29 February
        return day.replace(year=day.year + FUTURE_YEARS, day=28)


def last_year() -> int:
    return latest_date().year


def _ymd(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# -- checks, one per type ------------------------------------------------------------------------
def check_date(day: dt.date, label: str = "日期") -> dt.date:
    if isinstance(day, dt.datetime):
        day = day.date()
    if not EARLIEST_DATE <= day <= latest_date():
        raise BoundsError(
            f"{label} {day.isoformat()} 超出范围：应在{_ymd(EARLIEST_DATE)}至{_ymd(latest_date())}之间"
        )
    return day


_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def parse_date(text: Any, label: str = "日期") -> dt.date:
    """'2020-06-30' → date, within the range; a Chinese BoundsError otherwise."""
    if isinstance(text, dt.date):
        return check_date(text, label)
    m = _DATE.match(text) if isinstance(text, str) else None
    if m is None:
        raise BoundsError(f"{label}格式应为 YYYY-MM-DD，填写的是“{str(text)[:20]}”")
    try:
        day = dt.date(*map(int, m.groups()))
    except ValueError:
        raise BoundsError(f"{label}“{text.strip()}”不存在") from None
    return check_date(day, label)


def check_year(year: int, label: str = "年度") -> int:
    if isinstance(year, bool) or not FIRST_YEAR <= year <= last_year():
        raise BoundsError(f"{label} {year} 超出范围：应在 {FIRST_YEAR} 至 {last_year()} 年之间")
    return year


def parse_year(text: Any, label: str = "年度") -> int:
    if isinstance(text, int) and not isinstance(text, bool):
        return check_year(text, label)
    value = str(text).strip()
    if not re.fullmatch(r"-?\d{1,30}", value):
        raise BoundsError(f"{label}应为四位数字年份，填写的是“{value[:20]}”")
    return check_year(int(value), label)


def parse_month(text: Any, label: str = "月份") -> dt.date:
    """'2020-06' → 2020-06-01, within the date range."""
    m = _MONTH.match(text) if isinstance(text, str) else None
    if m is None:
        raise BoundsError(f"{label}格式应为 YYYY-MM，填写的是“{str(text)[:20]}”")
    year, month = map(int, m.groups())
    if not 1 <= month <= 12:
        raise BoundsError(f"{label}“{text.strip()}”不存在：月份应为 1–12")
    return check_date(dt.date(year, month, 1), label)


def check_fen(fen: int, label: str = "金额", *, allow_negative: bool = False) -> int:
    low = -MAX_FEN if allow_negative else 0
    if not low <= fen <= MAX_FEN:
        limit = f"{MAX_FEN // 100:,} 元"
        raise BoundsError(
            f"{label}超出范围：应在 {'-' + limit if allow_negative else '0 元'} 至 {limit} 之间"
        )
    return fen


def yuan_to_fen(value: Any, label: str = "金额", *, allow_negative: bool = False) -> int:
    """'12.5' (元) → 1250 (分): at most two decimals, inside the money range."""
    if isinstance(value, bool) or value is None:
        raise BoundsError(f"{label}应为金额（元）")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise BoundsError(f"{label}应为金额（元），填写的是“{str(value)[:20]}”") from None
    if not amount.is_finite() or abs(amount) > MAX_FEN:
        return check_fen(MAX_FEN + 1, label, allow_negative=allow_negative)
    if amount != amount.quantize(Decimal(1).scaleb(-MAX_YUAN_DECIMALS)):
        raise BoundsError(f"{label}最多两位小数")
    return check_fen(int(amount * 100), label, allow_negative=allow_negative)


def check_id(pk: int, label: str = "编号") -> int:
    if isinstance(pk, bool) or not 1 <= pk <= MAX_ID:
        raise BoundsError(f"{label} {pk} 无效：应为正整数")
    return pk


def parse_id(text: Any, label: str = "编号") -> int:
    value = str(text).strip()
    if not re.fullmatch(r"\d{1,30}", value):
        raise BoundsError(f"{label}应为正整数，填写的是“{value[:20]}”")
    return check_id(int(value), label)


def column_range(field: models.Field) -> tuple[int, int]:
    """The portable range of an integer column (smallint 0–32767 for a PositiveSmallIntegerField …)."""
    return COLUMN_RANGES[field.get_internal_type()]


def check_int(value: int, low: int, high: int, label: str = "数值") -> int:
    if isinstance(value, bool) or not low <= value <= high:
        raise BoundsError(f"{label} {value} 超出范围：应在 {low} 至 {high} 之间")
    return value


def check_text(model: type[models.Model], name: str, value: str) -> str:
    """Free text typed into a page outside a form: no longer than its model field."""
    field = model._meta.get_field(name)
    if field.max_length and len(value) > field.max_length:
        raise BoundsError(
            f"{field.verbose_name}最多 {field.max_length} 个字，填写了 {len(value)} 个字"
        )
    return value


# -- query parameters of pages: a bad value is the default, never an exception ------------------
def query_id(value: Any, default: int | None = None) -> int | None:
    try:
        return parse_id(value)
    except BoundsError:
        return default


def query_int(value: Any, default: int | None, low: int, high: int) -> int | None:
    try:
        return check_int(int(str(value).strip()), low, high)
    except (ValueError, TypeError):
        return default


def query_year(value: Any, default: int) -> int:
    try:
        return parse_year(value)
    except BoundsError:
        return default


def query_month(value: Any, default: dt.date) -> dt.date:
    try:
        return parse_month(value)
    except BoundsError:
        return default


# -- Django form fields --------------------------------------------------------------------------
class DateField(forms.DateField):
    """日期 within EARLIEST_DATE … today + FUTURE_YEARS."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def to_python(self, value: object) -> dt.date | None:
        if value in self.empty_values:
            return None
        try:
            return parse_date(value)
        except BoundsError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class YearField(forms.IntegerField):
    """年度, four digits inside the date range."""

    def to_python(self, value: object) -> int | None:
        if value in self.empty_values:
            return None
        try:
            return parse_year(value)
        except BoundsError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class MonthField(forms.CharField):
    """月份 'YYYY-MM' → the month's first day."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value: object) -> dt.date | None:
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_month(value)
        except BoundsError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class MoneyField(forms.CharField):
    """金额 typed in 元 (two decimals at most) → integer 分 inside the money range."""

    def __init__(self, *args, allow_negative: bool = False, **kwargs):
        self.allow_negative = allow_negative
        super().__init__(*args, **kwargs)

    def to_python(self, value: object) -> int | None:
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return yuan_to_fen(value, allow_negative=self.allow_negative)
        except BoundsError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class IdField(forms.IntegerField):
    """A record id (bigint)."""

    def to_python(self, value: object) -> int | None:
        if value in self.empty_values:
            return None
        try:
            return parse_id(value)
        except BoundsError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


def formfield(model_field: models.Field, **kwargs) -> forms.Field | None:
    """ModelForm `formfield_callback`: dates through DateField, integers inside their column."""
    if isinstance(model_field, models.DateField) and not isinstance(
        model_field, models.DateTimeField
    ):
        return model_field.formfield(form_class=DateField, **kwargs)
    if (
        isinstance(model_field, models.IntegerField)
        and not model_field.choices
        and not model_field.remote_field
    ):
        low, high = column_range(model_field)
        kwargs.setdefault("min_value", low)
        kwargs.setdefault("max_value", high)
    return model_field.formfield(**kwargs)


# -- API (ninja / pydantic) types ----------------------------------------------------------------
T = TypeVar("T")


def _pydantic(check: Callable[..., T], *args: object) -> Callable[[object], T]:
    def run(value: object) -> T:
        try:
            return check(value, *args)
        except BoundsError as exc:
            raise PydanticCustomError("out_of_range", str(exc)) from None

    return run


Date = Annotated[
    dt.date,
    PlainValidator(_pydantic(parse_date)),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "description": f"YYYY-MM-DD，{EARLIEST_DATE.isoformat()} 至今后 {FUTURE_YEARS} 年",
        }
    ),
]
Year = Annotated[
    int,
    PlainValidator(_pydantic(parse_year)),
    WithJsonSchema(
        {
            "type": "integer",
            "minimum": FIRST_YEAR,
            "description": f"年份，{FIRST_YEAR} 至今后 {FUTURE_YEARS} 年",
        }
    ),
]
Fen = Annotated[int, Field(ge=0, le=MAX_FEN, description="金额（分）")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def text(model: type[models.Model], name: str) -> Any:
    """A strict string no longer than the model field allows: the one way API text gets its limit."""
    field = model._meta.get_field(name)
    return (
        Annotated[StrictStr, Field(max_length=field.max_length)] if field.max_length else StrictStr
    )


def column_int(
    model: type[models.Model], name: str, low: int | None = None, high: int | None = None
) -> Any:
    """An integer inside its column's range (narrowed by low/high where the rule is tighter)."""
    col_low, col_high = column_range(model._meta.get_field(name))
    return Annotated[
        int,
        Field(
            ge=max(col_low, low if low is not None else col_low),
            le=min(col_high, high if high is not None else col_high),
        ),
    ]
