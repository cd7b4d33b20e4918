"""区划选择: one area picker for every form — type a name, choose from the list of the user's areas.

The input carries a `<datalist>` of the areas in the user's scope by full name (浮梁县 › 鹅湖镇 › 桃墅村),
so the browser suggests as one types; the server reads whatever was typed through `find_area`
(a full path, a unique name, or a code) and keeps the user in scope. No JavaScript (CSP-safe).
"""

from __future__ import annotations

from collections.abc import Collection

from django import forms
from django.forms.renderers import BaseRenderer
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from fupin.access.models import User
from fupin.access.scope import area_code_in_scope, home_area_code
from fupin.areas.lookup import AreaNotFound, find_area
from fupin.areas.models import Area, Level
from fupin.areas.names import own_code

ALL_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)


def label(area: Area, root_level: int = Level.COUNTY) -> str:
    """The area's names from the county down: 浮梁县 › 鹅湖镇 › 桃墅村."""
    return " › ".join(a.name for a in [*area.ancestors(), area] if a.level >= root_level)


def options(user: User, levels: Collection[int] = ALL_LEVELS) -> list[str]:
    own = own_code(home_area_code(user))
    areas = Area.objects.filter(code__startswith=own, level__in=levels).order_by("code")
    by_code = {a.code: a for a in Area.objects.filter(code__startswith=own[:6])}
    out = []
    for a in areas:
        names, code = [], a.code
        for prefix in (code[:6], code[:9], code[:12]):
            if prefix in by_code and len(prefix) <= len(code):
                names.append(by_code[prefix].name)
        out.append(" › ".join(dict.fromkeys(names)))
    return out


class AreaPickerWidget(forms.TextInput):
    def __init__(
        self,
        *,
        user: User | None = None,
        levels: Collection[int] = ALL_LEVELS,
        attrs: dict[str, str] | None = None,
    ) -> None:
        super().__init__(
            attrs={"autocomplete": "off", "placeholder": "输入名称后从列表中选择", **(attrs or {})}
        )
        self.user, self.levels = user, levels

    def format_value(self, value: object) -> str | None:
        if value and str(value).isdigit():
            area = Area.objects.filter(code=own_code(str(value))).first()
            return label(area) if area else value
        return super().format_value(value)

    def render(
        self,
        name: str,
        value: object,
        attrs: dict[str, object] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        attrs = {**(attrs or {}), "list": f"areas-{name}"}
        html = super().render(name, value, attrs, renderer)
        listed = format_html_join(
            "", '<option value="{}">', ((o,) for o in options(self.user, self.levels))
        )
        return format_html('{}<datalist id="areas-{}">{}</datalist>', html, name, listed)


class OutOfArea(AreaNotFound):
    """The area exists but is not the user's."""


def parse_area(user: User, text: str, *, levels: Collection[int] = ALL_LEVELS) -> str:
    """The 12-digit code of the area typed, within the user's scope; AreaNotFound with the reason."""
    area = find_area(text)
    if area.level not in levels:
        allowed = "、".join(Level(lv).label for lv in levels)
        raise AreaNotFound(f"“{label(area)}”是{Level(area.level).label}，这里应选{allowed}")
    if not area_code_in_scope(user, area.code):
        raise OutOfArea(f"“{label(area)}”不在本辖区")
    return area.code.ljust(12, "0")


class AreaPickerField(forms.CharField):
    """A form field choosing one area of the user's scope by name; cleans to the 12-digit code."""

    def __init__(
        self, *, user: User, levels: Collection[int] = ALL_LEVELS, **kwargs: object
    ) -> None:
        self.user, self.levels = user, levels
        kwargs.setdefault("max_length", 100)
        super().__init__(widget=AreaPickerWidget(user=user, levels=levels), **kwargs)

    def clean(self, value: str | None) -> str:
        value = super().clean(value)
        if not value:
            return value
        try:
            return parse_area(self.user, value, levels=self.levels)
        except AreaNotFound as exc:
            raise forms.ValidationError(str(exc)) from None


# A list page's area filter (certification, complaints): the typed area and its picker.
def area_filter(request: HttpRequest) -> tuple[str, str]:
    """The area typed in the list filter (a name or a code), as a code inside the user's scope;
    a Chinese message when it is not one of his areas (the list then shows his whole area)."""
    text = (request.GET.get("area") or "").strip()[:100]
    if not text:
        return "", ""
    try:
        return own_code(parse_area(request.user, text)), ""
    except AreaNotFound as exc:
        return "", str(exc)


def area_picker(request: HttpRequest, code: str) -> str:
    return AreaPickerWidget(
        user=request.user, attrs={"class": "form-control form-control-sm", "aria-label": "区划"}
    ).render("area", code)
