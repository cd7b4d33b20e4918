"""Forms for editing a person's insurance records (参保记录修改): bounded fields, Chinese errors."""

from django import forms

from fupin.bounds import DateField, MoneyField, YearField

from .models import PaidBy, PensionStatus


class PensionForm(forms.Form):
    status = forms.ChoiceField(label="参保状态", choices=PensionStatus.choices)
    tier = MoneyField(label="缴费档次（元）", required=False)
    paid_year = YearField(label="已缴费年度", required=False)
    paid_by = forms.ChoiceField(label="缴费方式", choices=PaidBy.choices, required=False)
    years_paid = forms.IntegerField(label="累计缴费年限", min_value=0, max_value=80, initial=0)
    drawing_since = DateField(label="领取待遇起始", required=False)
    monthly = MoneyField(label="月领取金额（元）", required=False)
    reason = forms.CharField(label="变更原因", max_length=300)


class MedicalForm(forms.Form):
    year = YearField(label="参保年度")
    enrolled_on = DateField(label="参保缴费日期", required=False)
    paid_by = forms.ChoiceField(label="缴费方式", choices=PaidBy.choices, required=False)
    reason = forms.CharField(label="变更原因", max_length=300)
