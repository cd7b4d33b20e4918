"""创业扶持 pages: loans with their interest-subsidy schedule, one-time start-up subsidies."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone

from fupin import bounds
from fupin.access.models import User
from fupin.access.scope import get_scoped, require_writer
from fupin.policy.employment import EmploymentRules, default_pack_id, rules
from fupin.policy.params import fen_to_yuan
from fupin.registry.idnumber import mask
from fupin.registry.models import Person
from fupin.registry.selectors import find_person
from fupin.web.forms import styled
from fupin.web.list_export import Column, export, wants_xlsx
from fupin.web.paging import page_of
from fupin.web.xlsx import xlsx_response

from . import selectors, services
from .models import Loan, LoanKind, StartupSubsidy
from .schedule import Period, ScheduleError, schedule, totals


class LoanForm(forms.Form):
    person = forms.CharField(label="人员（编号或身份证号）")
    kind = forms.ChoiceField(label="类别", choices=LoanKind.choices)
    guaranteed = forms.BooleanField(label="有担保", required=False, initial=True)
    principal = bounds.MoneyField(label="贷款金额（元）")
    project = Loan._meta.get_field("project").formfield()
    start_on = bounds.DateField(label="放款日期")
    term_months = forms.IntegerField(label="期限（月）", min_value=1, max_value=120, initial=24)
    lender = forms.CharField(label="承贷银行", required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        styled(self)

    def clean_person(self) -> Person:
        p = find_person(self.user, self.cleaned_data["person"])
        if p is None:
            raise forms.ValidationError("本辖区内没有这个人员")
        return p

    def clean_principal(self) -> int:
        fen = self.cleaned_data["principal"]
        if fen <= 0:
            raise forms.ValidationError("贷款金额须大于0")
        return fen


class SubsidyForm(forms.Form):
    person = forms.CharField(label="人员（编号或身份证号）")
    firm_name = StartupSubsidy._meta.get_field("firm_name").formfield()
    credit_code = StartupSubsidy._meta.get_field("credit_code").formfield()
    founded_on = bounds.DateField(label="成立日期")
    first_firm = forms.BooleanField(label="在本县初次创办企业", required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        styled(self)

    clean_person = LoanForm.clean_person


@login_required
def loans(request: HttpRequest) -> HttpResponse:
    r = rules()
    return render(
        request,
        "startup/loans.html",
        {
            "loans": page_of(request, selectors.loans(request.user)),
            "r": r,
            "pack_id": default_pack_id(),
        },
    )


@login_required
def loan_new(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    form = LoanForm(
        request.POST or None, user=request.user, initial={"start_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            loan = services.grant_loan(
                user=request.user,
                person=d["person"],
                kind=d["kind"],
                guaranteed=d["guaranteed"],
                principal_fen=d["principal"],
                project=d["project"],
                start_on=d["start_on"],
                term_months=d["term_months"],
                lender=d["lender"],
                request=request,
            )
            messages.success(request, "已登记贷款")
            return redirect("startup:loan", pk=loan.pk)
        except services.StartupError as exc:
            form.add_error("principal", str(exc))
    return render(request, "web/form.html", {"form": form, "title": "登记创业担保贷款"})


def loan_schedule(loan: Loan) -> tuple[list[Period], dict[str, int | str | None], EmploymentRules]:
    """The plan, its totals and the rules; no periods and the reason when it cannot be computed."""
    r = rules(loan.pack_id)
    try:
        periods = schedule(
            principal_fen=loan.principal_fen,
            annual_rate_bp=loan.annual_rate_bp,
            term_months=loan.term_months,
            start_on=loan.start_on,
            subsidy_ratio_bp=r.loan_interest_subsidy_ratio.value,
            subsidy_years=r.loan_interest_subsidy_years.value,
        )
    except ScheduleError as exc:
        return (
            [],
            {"interest_fen": None, "subsidy_fen": None, "borrower_fen": None, "error": str(exc)},
            r,
        )
    return periods, totals(periods), r


@login_required
def loan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    loan = get_scoped(Loan.objects.select_related("person"), request.user, pk=pk)
    periods, total, r = loan_schedule(loan)
    return render(
        request,
        "startup/loan.html",
        {"loan": loan, "periods": periods, "total": total, "r": r, "error": total.get("error")},
    )


def _yuan_or_reason(total: dict, key: str):
    return total.get("error") or fen_to_yuan(total[key])


@login_required
def loans_export(request: HttpRequest) -> HttpResponseBase:
    rows = []
    for loan in selectors.loans(request.user):
        _, t, _ = loan_schedule(loan)
        rows.append(
            [
                mask(loan.person.id_number),
                loan.person.name,
                loan.village_code,
                loan.get_kind_display(),
                fen_to_yuan(loan.principal_fen),
                loan.start_on,
                loan.term_months,
                _yuan_or_reason(t, "interest_fen"),
                _yuan_or_reason(t, "subsidy_fen"),
                loan.pack_id,
            ]
        )
    return xlsx_response(
        user=request.user,
        request=request,
        filename="创业担保贷款.xlsx",
        unmasked=False,
        summary="导出创业担保贷款",
        sheets=[
            (
                "创业担保贷款",
                [
                    "身份证号",
                    "姓名",
                    "村代码",
                    "类别",
                    "金额(元)",
                    "放款日期",
                    "期限(月)",
                    "利息(元)",
                    "贴息(元)",
                    "政策包",
                ],
                rows,
            )
        ],
    )


@login_required
def subsidies(request: HttpRequest) -> HttpResponseBase:
    rows = selectors.subsidies(request.user)
    if wants_xlsx(request):
        return export(
            request,
            rows,
            title="一次性创业补贴",
            columns=[
                Column("身份证号", lambda s: mask(s.person.id_number)),
                Column("姓名", lambda s: s.person.name),
                Column("村", lambda s: s.village_code, area=True),
                Column("企业", lambda s: s.firm_name),
                Column("统一社会信用代码", lambda s: s.credit_code),
                Column("成立日期", lambda s: s.founded_on),
                Column("发放日期", lambda s: s.granted_on),
                Column("金额(元)", lambda s: fen_to_yuan(s.amount_fen)),
            ],
        )
    return render(
        request,
        "startup/subsidies.html",
        {"rows": page_of(request, rows), "param": rules().startup_subsidy},
    )


@login_required
def subsidy_new(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    form = SubsidyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.grant_startup_subsidy(
                user=request.user,
                person=d["person"],
                firm_name=d["firm_name"],
                credit_code=d["credit_code"],
                founded_on=d["founded_on"],
                first_firm=d["first_firm"],
                day=dt.date.today(),
                request=request,
            )
            messages.success(request, "已发放一次性创业补贴")
            return redirect("startup:subsidies")
        except services.StartupError as exc:
            form.add_error(None, str(exc))
    return render(request, "web/form.html", {"form": form, "title": "发放一次性创业补贴"})
