"""Template filters of the social insurance pages (社会保险)."""

from django import template

from fupin.policy.params import fen_to_yuan

register = template.Library()


@register.filter
def yuan(fen: int) -> str:
    """Integer fen → "1234.50" (exact)."""
    return fen_to_yuan(int(fen))
