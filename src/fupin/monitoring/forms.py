"""Forms of the monitoring pages (防止返贫监测): one per workflow step. Dates, money and ids through fupin.bounds."""

from django import forms
from django.utils import timezone

from fupin import bounds
from fupin.web.forms import styled

from .models import MANUAL_SIGNALS, Category, MeasureKind, Signal


class Styled(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)


def _today():
    return timezone.localdate()


class CheckForm(Styled):
    checked_on = bounds.DateField(label="核查日期", initial=_today)
    findings = forms.CharField(
        label="核查情况", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    income_per_capita_fen = bounds.MoneyField(
        label="核实的人均纯收入（元，可不填）", required=False
    )


class DecisionForm(Styled):
    include = forms.TypedChoiceField(
        label="认定结论",
        choices=[("1", "纳入监测"), ("0", "不纳入监测")],
        coerce=lambda v: v == "1",
    )
    category = forms.ChoiceField(label="监测类别", choices=Category.choices)
    risk_types = forms.MultipleChoiceField(
        label="风险类型",
        choices=Signal.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label="认定理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    day = bounds.DateField(label="认定日期", initial=_today)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_types"].widget.attrs["class"] = "form-check-input"


class MeasureForm(Styled):
    kind = forms.ChoiceField(label="措施", choices=MeasureKind.choices)
    description = forms.CharField(label="内容", max_length=300)
    day = bounds.DateField(label="日期", initial=_today)


class ReviewForm(Styled):
    reviewed_on = bounds.DateField(label="回访日期", initial=_today)
    income_per_capita_fen = bounds.MoneyField(label="人均纯收入（元）")
    stable = forms.TypedChoiceField(
        label="风险是否已稳定消除",
        choices=[("0", "未消除"), ("1", "已稳定消除")],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(
        label="回访情况", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class RemoveForm(Styled):
    day = bounds.DateField(label="日期", initial=_today)
    reason = forms.CharField(label="理由", max_length=500)


class EventForm(Styled):
    signal = forms.ChoiceField(label="类别", choices=[(s.value, s.label) for s in MANUAL_SIGNALS])
    day = bounds.DateField(label="发生日期", initial=_today)
    description = forms.CharField(
        label="情况说明", max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class EnterForm(Styled):
    village_code = forms.CharField(label="所在村", max_length=12)
    head_name = forms.CharField(label="户主姓名", max_length=50)
    head_id_number = forms.CharField(label="户主身份证号", max_length=18)
    member_count = forms.IntegerField(label="家庭人口", min_value=1, max_value=99, initial=1)
    income_per_capita_fen = bounds.MoneyField(label="人均纯收入（元，可不填）", required=False)
    category = forms.ChoiceField(
        label="类别",
        choices=[
            (Category.EDGE.value, Category.EDGE.label),
            (Category.SUDDEN.value, Category.SUDDEN.label),
        ],
    )
    address = forms.CharField(label="住址", max_length=200, required=False)
    description = forms.CharField(
        label="情况说明", max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    day = bounds.DateField(label="发现日期", initial=_today)
