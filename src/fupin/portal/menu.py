"""The portal home's menu (居民门户首页菜单): every module adds its own entries here.

A module registers its entries once, in its AppConfig.ready()::

    from fupin.portal import menu
    menu.register("我的诉求", "portal:complaints:home", order=50, note="反映问题、查看答复")

`url_name` is reversed when the home page is drawn; an entry whose name does not resolve (its module's
URLs not mounted) is left out rather than breaking the page. Registering the same url_name again replaces
the entry (ready() may run twice in tests). Orders below 100 are the portal's own entries' neighbourhood:
the portal uses 10, 20, 30 … 90; a module picks a free number.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Entry:
    title: str  # Chinese, short (a phone's button): "我的诉求"
    url_name: str  # "portal:…"; reversed without arguments
    order: int = 100
    note: str = ""  # one line under the title, plain words


_entries: dict[str, Entry] = {}


def register(title: str, url_name: str, order: int = 100, note: str = "") -> Entry:
    if not title or not url_name:
        raise ValueError("portal menu entry needs a title and a url_name")
    entry = Entry(title=title, url_name=url_name, order=order, note=note)
    _entries[url_name] = entry
    return entry


def unregister(url_name: str) -> None:
    _entries.pop(url_name, None)


def entries() -> list[Entry]:
    return sorted(_entries.values(), key=lambda e: (e.order, e.title))


def links() -> list[dict]:
    """The entries whose URL resolves, as {"title", "url", "note"} for the template."""
    out = []
    for e in entries():
        try:
            url = reverse(e.url_name)
        except NoReverseMatch:
            continue
        out.append({"title": e.title, "url": url, "note": e.note})
    return out
