"""{% load listing %}: `{% export_url %}` — this page's address with its filter and format=xlsx (导出)."""

from django import template
from django.template import Context

register = template.Library()


@register.simple_tag(takes_context=True)
def export_url(context: Context) -> str:
    request = context["request"]
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "xlsx"
    return f"{request.path}?{query.urlencode()}"
