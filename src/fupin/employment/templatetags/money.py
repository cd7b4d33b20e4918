"""Template filters for amounts (金额): integer fen shown as yuan, basis points as a percentage."""

from django import template

from fupin.policy.params import fen_to_yuan, percent

register = template.Library()


@register.filter
def yuan(fen: int | str | None) -> str:
    """Integer fen → yuan with two decimals (edges only)."""
    return "" if fen is None or fen == "" else fen_to_yuan(int(fen))


@register.filter
def pct(bp: int | str | None) -> str:
    """Basis points → "4.35%"."""
    return "" if bp is None or bp == "" else percent(int(bp))
