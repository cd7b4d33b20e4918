"""Forms of the complaint pages (诉求与投诉) (staff and resident)."""

from __future__ import annotations

from typing import Any

from django import forms

from fupin.access.models import User
from fupin.areas.models import Level as AreaLevel
from fupin.registry.models import Person
from fupin.registry.selectors import find_person
from fupin.web.forms import styled
from fupin.web.picker import AreaPickerField

from .models import Channel, Kind, Satisfaction
from .rules import rules
from .services import STAFF_CHANNELS


class StaffComplaintForm(forms.Form):
    person = forms.CharField(
        label="反映人（编号或身份证号，可不填）", required=False, max_length=30
    )
    contact_name = forms.CharField(label="联系人姓名", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    channel = forms.ChoiceField(
        label="渠道", choices=[(c.value, c.label) for c in Channel if c in STAFF_CHANNELS]
    )
    kind = forms.ChoiceField(label="类型", choices=Kind.choices)
    category = forms.ChoiceField(label="类别")
    subject = forms.CharField(label="标题", max_length=100)
    content = forms.CharField(
        label="内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["category"].choices = rules().choices()
        self.fields["village"] = AreaPickerField(
            label="所在村（不填反映人时必填）",
            user=user,
            levels=(AreaLevel.VILLAGE,),
            required=False,
        )
        styled(self)

    def clean_person(self) -> Person | None:
        value = self.cleaned_data["person"]
        if not value.strip():
            return None
        p = find_person(self.user, value)
        if p is None:
            raise forms.ValidationError("本辖区内没有这个人员")
        return p

    def clean(self) -> dict[str, Any]:
        d = super().clean()
        if not d.get("person") and not d.get("village") and "village" not in self.errors:
            self.add_error("village", "请填写反映人，或选择所在的村")
        if not d.get("person") and not (d.get("contact_name") or "").strip():
            self.add_error("contact_name", "未填反映人时请填写联系人姓名")
        return d


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="答复", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(label="满意度", choices=Satisfaction.choices)
    note = forms.CharField(label="意见", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)


class ResidentComplaintForm(forms.Form):
    kind = forms.ChoiceField(
        label="您要",
        choices=[("request", "提出诉求（需要办的事）"), ("complaint", "投诉（对服务不满意）")],
    )
    category = forms.ChoiceField(label="是哪方面的事")
    subject = forms.CharField(label="一句话说明", max_length=100)
    content = forms.CharField(
        label="详细情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    phone = forms.CharField(label="联系电话（可不填）", max_length=20, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = rules().choices()
