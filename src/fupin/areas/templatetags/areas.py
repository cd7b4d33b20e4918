"""{% load areas %}: `{{ code|area_name }}` — an area code as its name (鹅湖镇 桃墅村)."""

from django import template

from fupin.areas.names import name_of

register = template.Library()


@register.filter
def area_name(code: object) -> str:
    return name_of(str(code)) if code else ""
