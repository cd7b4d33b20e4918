"""表单辅助 (shared form helpers): the one Bootstrap styler, area choices and the area-scope check.

Every app styles its forms here (`StyledForm` as a mixin, or `styled(form)` at the end of
`__init__`), so templates stay small and all forms look alike.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms

from fupin.access.models import User
from fupin.access.scope import area_code_in_scope, home_area_code
from fupin.areas.models import Area, Level


def styled(form: forms.BaseForm, *, small: bool = False) -> None:
    """Bootstrap classes on every field: form-check-input for checkboxes, form-select for selects,
    form-control otherwise (`small`: the -sm sizes); plain date inputs become HTML5 date pickers.
    A class the widget already has is kept."""
    for field in form.fields.values():
        widget = field.widget
        if getattr(widget, "input_type", "") == "checkbox":
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select form-select-sm" if small else "form-select"
        else:
            css = "form-control form-control-sm" if small else "form-control"
        if isinstance(field, forms.DateField) and type(widget) is forms.DateInput:
            field.widget = widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        have = widget.attrs.get("class", "")
        if css.split()[0] not in have.split():
            widget.attrs["class"] = f"{have} {css}".strip()


class StyledForm:
    """Mixin: `styled(self, small=True)` after the form is built."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self, small=True)


def area_choices(
    user: User, levels: Iterable[int] = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)
) -> list[tuple[str, str]]:
    """(12-digit code, "code name") of the user's own area and below, at the given levels."""
    own = home_area_code(user)
    qs = Area.objects.filter(code__startswith=own, level__in=levels).order_by("code")
    return [(a.code.ljust(12, "0"), f"{a.code} {a.name}") for a in qs]


class ScopedAreaMixin:
    """A form whose `area_code` field must lie inside the user's area (else "不在本辖区")."""

    area_field = "area_code"

    def clean_area_code(self) -> str:
        code = self.cleaned_data[self.area_field]
        if not area_code_in_scope(self.user, code):
            raise forms.ValidationError("不在本辖区")
        return code
