"""Forms of the employment pages (就业帮扶): field-level Chinese messages, money entered in yuan."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from fupin import bounds
from fupin.access.models import User
from fupin.access.scope import scoped
from fupin.areas.lookup import AreaNotFound, find_area
from fupin.areas.models import Level
from fupin.creditcode import CreditCodeError, parse_credit_code
from fupin.web.forms import ScopedAreaMixin, area_choices, styled
from fupin.web.picker import AreaPickerWidget

from .models import Employer, FollowUpVisit, JobFair, Occupation, Posting


class EmployerForm(ScopedAreaMixin, forms.ModelForm):
    class Meta:
        model = Employer
        formfield_callback = bounds.formfield
        fields = [
            "name",
            "credit_code",
            "kind",
            "area_code",
            "address",
            "contact_name",
            "contact_phone",
        ]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["area_code"] = forms.ChoiceField(label="登记区划", choices=area_choices(user))
        styled(self)

    def clean_credit_code(self) -> str:
        try:
            code = parse_credit_code(self.cleaned_data["credit_code"])
        except CreditCodeError as exc:
            raise forms.ValidationError(str(exc)) from None
        others = Employer.objects.filter(credit_code=code).exclude(pk=self.instance.pk)
        if others.exists():
            own = scoped(others, self.user).first()
            # Another area's employer is not named (messages never reveal what lies outside the area).
            raise forms.ValidationError(
                f"该统一社会信用代码已登记：{own.name}（编号{own.pk}）"
                if own
                else "该统一社会信用代码已在其他辖区登记"
            )
        return code


class PostingForm(forms.ModelForm):
    occupation_code = forms.CharField(
        label="职业编码（大典2022）", max_length=12, help_text="如 6-02-06-10 茶叶加工工"
    )
    wage_min = bounds.MoneyField(label="月薪下限（元）")
    wage_max = bounds.MoneyField(label="月薪上限（元）")

    class Meta:
        model = Posting
        formfield_callback = bounds.formfield
        fields = [
            "employer",
            "title",
            "positions",
            "work_area_code",
            "work_place",
            "age_min",
            "age_max",
            "physical",
            "trade",
            "requires_skill",
            "certificate",
            "accepts_disabled",
            "schedule",
            "lodging",
            "transport",
            "opens_on",
            "closes_on",
        ]

    def __init__(self, *args, user: User, employers: QuerySet[Employer], **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["employer"].queryset = employers
        # 工作地: chosen by name from the county's areas; a place outside the county by its code.
        self.fields["work_area_code"].widget = AreaPickerWidget(user=user)
        self.fields["work_area_code"].max_length = 100
        self.fields["work_area_code"].widget.attrs.pop("maxlength", None)
        self.fields[
            "work_area_code"
        ].help_text = "输入名称后从列表中选择；县外的工作地填区划代码（写到市或省）"
        if self.instance.pk:
            self.fields["occupation_code"].initial = self.instance.occupation_id
            self.fields["wage_min"].initial = self.instance.wage_min_fen / 100
            self.fields["wage_max"].initial = self.instance.wage_max_fen / 100
        styled(self)

    def clean_occupation_code(self) -> Occupation:
        code = self.cleaned_data["occupation_code"].strip()
        occ = Occupation.objects.filter(code=code).first()
        if occ is None:
            raise forms.ValidationError(f"职业编码“{code}”不在《职业分类大典》（2022）中")
        if occ.level != 4:
            raise forms.ValidationError(f"“{occ.name}”是类别，请选到具体职业（细类）")
        return occ

    def clean_work_area_code(self) -> str:
        text = self.cleaned_data["work_area_code"].strip()
        try:
            return find_area(text).code.ljust(12, "0")
        except AreaNotFound as exc:
            if text.isdigit() and len(text) in (6, 9, 12):  # outside the county: its code as typed
                return text.ljust(12, "0")
            raise forms.ValidationError(str(exc)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("wage_min") is not None
            and data.get("wage_max") is not None
            and data["wage_min"] > data["wage_max"]
        ):
            self.add_error("wage_max", "月薪上限不能低于下限")
        if (
            data.get("age_min") is not None
            and data.get("age_max") is not None
            and data["age_min"] > data["age_max"]
        ):
            self.add_error("age_max", "最高年龄不能低于最低年龄")
        if data.get("opens_on") and data.get("closes_on") and data["opens_on"] > data["closes_on"]:
            self.add_error("closes_on", "截止日期不能早于开始日期")
        return data

    def save(self, commit: bool = True) -> Posting:
        p = super().save(commit=False)
        p.occupation = self.cleaned_data["occupation_code"]
        p.wage_min_fen, p.wage_max_fen = (
            self.cleaned_data["wage_min"],
            self.cleaned_data["wage_max"],
        )
        if commit:
            p.save()
        return p


class FairForm(ScopedAreaMixin, forms.ModelForm):
    class Meta:
        model = JobFair
        formfield_callback = bounds.formfield
        fields = ["area_code", "title", "held_on", "time_text", "place", "organiser", "employers"]

    def __init__(self, *args, user: User, employers: QuerySet[Employer], **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["area_code"] = forms.ChoiceField(
            label="乡镇", choices=area_choices(user, levels=(Level.TOWNSHIP,))
        )
        self.fields["employers"].queryset = employers
        styled(self)

    def save(self, commit: bool = True) -> JobFair:
        fair = super().save(commit=commit)
        if commit:
            fair.postings.set(
                Posting.objects.filter(
                    employer__in=fair.employers.all(), closes_on__gte=fair.held_on
                )
            )
        return fair


class VisitForm(forms.ModelForm):
    class Meta:
        model = FollowUpVisit
        formfield_callback = bounds.formfield
        fields = ["visited_on", "kind", "employed", "needs", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)
