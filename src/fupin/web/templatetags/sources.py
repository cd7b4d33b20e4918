"""{% load sources %}: `{{ text|titled }}` — a policy source stored with seed file names
(`《004_aa2e4d087a25c1cc.txt》`) shown with the documents' titles and numbers (出处写文件标题与文号)."""

from django import template

from fupin.policy.packs import list_packs
from fupin.policy.params import DOCUMENT_TITLES, with_titles

register = template.Library()


@register.filter
def titled(source: str) -> str:
    """A stored source with seed file names replaced by the documents' titles and numbers."""
    if not DOCUMENT_TITLES:
        list_packs()  # the titles come from the packs' `documents:`
    return with_titles(source or "")
