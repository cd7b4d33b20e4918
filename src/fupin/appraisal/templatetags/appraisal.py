"""Template filters of the chronic-disease appraisal pages (慢性病鉴定): class names from the
county pack."""

from django import template

from fupin.appraisal.rules import rules

register = template.Library()


@register.filter
def class_name(code: str) -> str:
    """A chronic class code ("I", "B") by its name in the county pack (Ⅰ类门诊特殊慢性病, 乙类病种)."""
    return rules().class_name(code) if code else ""


@register.filter
def cell(row: dict, key: str) -> object:
    return row.get(key, "")
