"""Forms of the training pages (技能培训): the course (培训班) with its subsidy entered in yuan."""

from typing import Any

from django import forms

from fupin import bounds
from fupin.access.models import User
from fupin.areas.models import Level
from fupin.web.forms import ScopedAreaMixin, area_choices, styled

from .models import Course


class CourseForm(ScopedAreaMixin, forms.ModelForm):
    subsidy = bounds.MoneyField(label="培训补贴标准（元/人）", initial="0")

    class Meta:
        model = Course
        formfield_callback = bounds.formfield
        fields = [
            "title",
            "kind",
            "trade",
            "provider",
            "area_code",
            "place",
            "starts_on",
            "ends_on",
            "sessions",
            "capacity",
            "certificate_kind",
        ]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["area_code"] = forms.ChoiceField(
            label="举办地",
            choices=area_choices(user, levels=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)),
        )
        styled(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["starts_on"] > data["ends_on"]:
            self.add_error("ends_on", "结业日期不能早于开班日期")
        return data

    def save(self, commit: bool = True) -> Course:
        c = super().save(commit=False)
        c.subsidy_fen = self.cleaned_data["subsidy"]
        if commit:
            c.save()
        return c
