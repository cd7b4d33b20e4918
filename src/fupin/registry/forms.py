"""Forms for the registry: the one validation path for pages and the API (表单校验).

The API feeds its JSON into these same forms, so a fault reads the same everywhere.
"""

import datetime as dt
from typing import Any

from django import forms
from django.urls import reverse

from fupin import bounds
from fupin.access.models import User
from fupin.access.scope import area_code_in_scope
from fupin.areas.models import Area, Level
from fupin.web.forms import StyledForm

from . import duplicates
from .choices import TRANSITIONS, RemovalReason, Status, transition_refusal
from .idnumber import IdNumberError, mask, parse_id_number
from .idnumber import clean as clean_id
from .models import Household, Person

PHONE_HELP = "11位手机号或带区号的固定电话"
STALE = "stale"  # the error code of a write based on an older version (HTTP 409 in the API)


def stale_message(what: str, *, sent: int, current: int) -> str:
    return (
        f"该{what}在您读取之后已被他人修改（您依据的是第 {sent} 版，现为第 {current} 版）："
        "请重新打开后核对再修改，本次修改未保存"
    )


class VersionedForm(forms.Form):
    """版本: the version of the row the client read, sent back with the write.

    A write based on an older version is refused (error code STALE) instead of silently
    overwriting what someone else saved meanwhile. The API may leave it out; the page always
    sends it.
    """

    version = forms.IntegerField(
        label="版本", required=False, min_value=1, widget=forms.HiddenInput
    )
    WHAT = "记录"

    def _init_version(self) -> None:
        if self.instance.pk:
            self.initial["version"] = self.instance.version

    def _check_version(self) -> None:
        sent = self.cleaned_data.get("version")
        if self.instance.pk and sent is not None and sent != self.instance.version:
            self.add_error(
                None,
                forms.ValidationError(
                    stale_message(self.WHAT, sent=sent, current=self.instance.version), code=STALE
                ),
            )

    def is_stale(self) -> bool:
        return any(e.code == STALE for e in self.non_field_errors().as_data())


def _check_phone(value: str) -> str:
    digits = value.replace("-", "").replace(" ", "")
    if value and (not digits.isdigit() or not 7 <= len(digits) <= 12):
        raise forms.ValidationError(f"电话号码“{value}”格式不正确：应为{PHONE_HELP}")
    return value


def village_choices(user: User | None) -> list:
    """Villages inside the user's area, grouped by township (for the select box)."""
    from fupin.access.scope import scoped

    areas = (
        scoped(Area.objects.filter(level__in=[Level.TOWNSHIP, Level.VILLAGE]), user).order_by(
            "code"
        )
        if user
        else Area.objects.none()
    )
    towns = {a.code: a.name for a in areas if a.level == Level.TOWNSHIP}
    groups: dict[str, list] = {}
    for a in areas:
        if a.level == Level.VILLAGE:
            groups.setdefault(towns.get(a.code[:9], a.code[:9]), []).append((a.code, a.name))
    return [("", "请选择村"), *groups.items()]


class HouseholdForm(StyledForm, VersionedForm, forms.ModelForm):
    """贫困户 create/edit."""

    WHAT = "贫困户"

    village = forms.CharField(label="所在村", max_length=12, widget=forms.Select)
    income_wage = bounds.MoneyField(label="工资性收入(元/人)", required=False)
    income_business = bounds.MoneyField(label="经营性收入(元/人)", required=False)
    income_transfer = bounds.MoneyField(label="转移性收入(元/人)", required=False)
    income_property = bounds.MoneyField(
        label="财产性收入(元/人)", required=False, allow_negative=True
    )

    class Meta:
        model = Household
        formfield_callback = bounds.formfield
        field_classes = {
            "year_identified": bounds.YearField,
            "exit_year": bounds.YearField,
            "income_year": bounds.YearField,
        }
        fields = [
            "number", "village", "address", "phone", "attribute", "standard", "year_identified",
            "main_cause", "cause_2", "cause_3", "exit_year", "income_year", "housing", "water_safe",
            "cadre_name", "cadre_unit", "cadre_phone",
        ]  # fmt: skip

    # What an edit writes: the row's other fields (status, member count …) are left as stored.
    WRITES = (
        "number", "village_id", "village_code", "address", "phone", "attribute", "standard", "year_identified",
        "main_cause", "cause_2", "cause_3", "exit_year", "income_year", "housing", "water_safe",
        "cadre_name", "cadre_unit", "cadre_phone",
        "income_wage_fen", "income_business_fen", "income_transfer_fen", "income_property_fen",
    )  # fmt: skip

    def __init__(self, *args: object, user: User | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["village"].widget.choices = village_choices(user)
        self._init_version()
        if self.instance.pk:
            self.initial["village"] = self.instance.village_code
            for part in ("wage", "business", "transfer", "property"):
                self.initial[f"income_{part}"] = getattr(self.instance, f"income_{part}_fen") / 100

    def clean_village(self) -> Area:
        code = self.cleaned_data["village"].strip()
        area = Area.objects.filter(code=code, level=Level.VILLAGE).first()
        if area is None:
            raise forms.ValidationError(f"村代码“{code}”不存在：应为12位村级区划代码")
        if self.user is not None and not area_code_in_scope(self.user, code):
            raise forms.ValidationError(f"村代码“{code}”不在本辖区")
        return area

    def clean_year_identified(self) -> int:
        year = self.cleaned_data["year_identified"]
        if not 2013 <= year <= dt.date.today().year:
            raise forms.ValidationError(
                f"识别年度 {year} 无效：建档立卡自2013年开始，且不能晚于今年"
            )
        return year

    def clean_phone(self) -> str:
        return _check_phone(self.cleaned_data["phone"])

    def clean_cadre_phone(self) -> str:
        return _check_phone(self.cleaned_data["cadre_phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self._check_version()
        if data.get("village") is not None:
            self.instance.village_code = data["village"].code
        causes = [data.get(k) for k in ("main_cause", "cause_2", "cause_3") if data.get(k)]
        if len(causes) != len(set(causes)):
            self.add_error("cause_2", "其他致贫原因不能与主要致贫原因重复")
        exit_year, identified = data.get("exit_year"), data.get("year_identified")
        if exit_year and identified and exit_year < identified:
            self.add_error("exit_year", f"脱贫年度 {exit_year} 早于识别年度 {identified}")
        for part in ("wage", "business", "transfer", "property"):
            value = data.get(f"income_{part}")
            setattr(self.instance, f"income_{part}_fen", value or 0)
        return data

    def validate_unique(self) -> None:
        try:
            self.instance.validate_unique(exclude=self._get_validation_exclusions())
        except forms.ValidationError:
            existing = Household.objects.filter(number=self.cleaned_data.get("number")).first()
            if existing is not None:
                visible = self.user is not None and area_code_in_scope(
                    self.user, existing.village_code
                )
                self.add_error(
                    "number",
                    duplicates.household_number_taken(
                        visible=visible, number=existing.number, head_name=existing.head_name
                    ),
                )


class PersonForm(StyledForm, VersionedForm, forms.ModelForm):
    """家庭成员 create/edit; sex and birth date come from the ID number.

    Editing shows the ID number masked (read-only) unless the user may unmask and asked for
    it (`reveal_id`, audited by the caller). The mask sent back means "unchanged", so it never
    overwrites the number; changing the number takes the unmask permission.
    """

    WHAT = "家庭成员"

    household = bounds.IdField(label="所属户ID", widget=forms.HiddenInput)
    birth_date_check = bounds.DateField(label="出生日期（核对用，可不填）", required=False)
    sex_check = forms.ChoiceField(
        label="性别（核对用，可不填）",
        required=False,
        choices=[("", "—"), ("男", "男"), ("女", "女")],
    )

    class Meta:
        model = Person
        formfield_callback = bounds.formfield
        fields = [
            "household", "id_number", "name", "ethnicity", "relation", "education", "schooling",
            "health", "disability_type", "disability_grade", "disability_cert", "labour_skill",
            "work_status", "months_worked", "intention", "training_need", "wished_trade",
            "dibao", "tekun", "wubao", "severe_disability", "poor_graduate", "technical_student",
            "phone",
        ]  # fmt: skip

    WRITES = (
        "id_number", "sex", "birth_date", "name", "ethnicity", "relation", "education", "schooling",
        "health", "disability_type", "disability_grade", "disability_cert", "labour_skill",
        "work_status", "months_worked", "intention", "training_need", "wished_trade",
        "dibao", "tekun", "wubao", "severe_disability", "poor_graduate", "technical_student",
        "phone",
    )  # fmt: skip

    def __init__(
        self, *args: object, user: User | None = None, reveal_id: bool = False, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self._init_version()
        # Internal callers (user None) and users with the unmask permission may correct a number.
        self.may_correct_id = user is None or user.may_unmask
        self.reveals_id = False
        if self.instance.pk:
            self.initial["household"] = self.instance.household_id
            self.fields["household"].required = False
            self.reveals_id = reveal_id and self.may_correct_id
            if not self.reveals_id:
                field = self.fields["id_number"]
                self.initial["id_number"] = mask(self.instance.id_number)
                field.widget.attrs["readonly"] = True
                field.help_text = (
                    "已脱敏；如需更正，请点“显示并更正身份证号”（将记录日志）"
                    if self.may_correct_id
                    else "已脱敏；无权查看或更正完整身份证号"
                )

    def clean_household(self) -> Household:
        if self.instance.pk:
            return self.instance.household
        pk = self.cleaned_data.get("household")
        hh = Household.objects.filter(pk=pk).first()
        if hh is None or (
            self.user is not None and not area_code_in_scope(self.user, hh.village_code)
        ):
            raise forms.ValidationError(f"所属户 {pk} 不存在或不在本辖区")
        return hh

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if len(name) < 2:
            raise forms.ValidationError("姓名至少2个字")
        return name

    def clean_months_worked(self) -> int:
        months = self.cleaned_data["months_worked"]
        if months > 12:
            raise forms.ValidationError(f"务工时间 {months} 个月超过12个月")
        return months

    def clean_phone(self) -> str:
        return _check_phone(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self._check_version()
        raw = self.data.get(self.add_prefix("id_number"))
        if raw is not None and "id_number" not in self.errors:
            self._clean_id_number(raw, data)
        if data.get("health") == "disabled" and not data.get("disability_type"):
            self.add_error("disability_type", "健康状况为残疾时须填写残疾类别")
        if data.get("disability_type") and not data.get("disability_grade"):
            self.add_error("disability_grade", "填写了残疾类别时须填写残疾等级(1–4级)")
        return data

    def _clean_id_number(self, raw: str, data: dict) -> None:
        stored = self.instance.id_number if self.instance.pk else None
        if stored and clean_id(raw) in (stored, mask(stored)):
            data["id_number"] = stored  # unchanged: the mask sent back never overwrites the number
            return
        if stored and not self.may_correct_id:
            self.add_error(
                "id_number",
                "无权更正身份证号：号码已脱敏显示，如需更正请联系有“查看完整身份证号”权限的工作人员",
            )
            return
        try:
            parsed = parse_id_number(
                raw, birth_date=data.get("birth_date_check"), sex=data.get("sex_check") or None
            )
        except IdNumberError as e:
            self.add_error("id_number", str(e))
            return
        self._check_duplicate(parsed.value)
        data["id_number"] = parsed.value
        self.instance.sex = parsed.sex
        self.instance.birth_date = parsed.birth_date

    def _check_duplicate(self, value: str) -> None:
        existing = (
            Person.objects.filter(id_number=value)
            .exclude(pk=self.instance.pk)
            .select_related("household")
            .first()
        )
        if existing is None:
            return
        visible = self.user is not None and area_code_in_scope(self.user, existing.village_code)
        self.add_error(
            "id_number",
            duplicates.id_number_taken(
                visible=visible,
                name=existing.name,
                household_number=existing.household.number,
                url=reverse("registry:person", args=[existing.pk]) if visible else "",
            ),
        )

    def validate_unique(self) -> None:
        """Duplicates are reported by _check_duplicate with a pointer to the record."""


class StatusChangeForm(StyledForm, forms.Form):
    """状态变更."""

    new_status = forms.ChoiceField(label="新状态", choices=Status.choices)
    effective_date = bounds.DateField(label="生效日期")
    reason = forms.CharField(label="变更原因", max_length=300)
    removal_reason = forms.ChoiceField(
        label="减少原因", choices=[("", "—"), *RemovalReason.choices], required=False
    )

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        if not self.is_bound:  # offer only what may follow; a posted value is checked in clean()
            allowed = TRANSITIONS[current]
            self.fields["new_status"].choices = [
                (v, label) for v, label in Status.choices if v in allowed
            ]

    def clean_effective_date(self) -> dt.date:
        day = self.cleaned_data["effective_date"]
        if day > dt.date.today() + dt.timedelta(days=366):
            raise forms.ValidationError("生效日期不能晚于一年以后")
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        new = data.get("new_status")
        if new and new not in TRANSITIONS[self.current]:
            self.add_error("new_status", transition_refusal(self.current, new))
        if new == Status.REMOVED and not data.get("removal_reason"):
            self.add_error("removal_reason", "自然减少须注明原因（死亡、迁出或其他）")
        return data


def errors_of(form: forms.BaseForm) -> dict[str, list[str]]:
    """{field: [Chinese messages]} — what the API returns with HTTP 422."""
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}
