"""Admin pages of work scheduling: indicators, targets and tasks (工作调度); the admin site audits every change."""

from typing import Any

from django import forms
from django.contrib import admin

from .indicators import IndicatorError, validate
from .models import Indicator


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            validate(
                Indicator(
                    **{
                        k: v
                        for k, v in data.items()
                        if k in {f.name for f in Indicator._meta.fields}
                    }
                )
            )
        except IndicatorError as exc:
            raise forms.ValidationError(str(exc)) from None
        return data


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    """指标: a county adds or changes an indicator here (as data); the definition is checked before saving."""

    form = IndicatorForm
    list_display = ("order", "code", "name", "kind", "unit", "period_type", "cumulative", "active")
    list_display_links = ("code", "name")
    list_filter = ("kind", "active")
    search_fields = ("code", "name", "source_text")
