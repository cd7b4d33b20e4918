"""工伤认定绿色通道 pages: the case list (late and warning lists), the report form, the case page
with its clocks, evidence, investigation, decision and 先行支付."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin import bounds
from fupin.access.models import User
from fupin.access.scope import get_scoped, require_writer
from fupin.areas.models import Level
from fupin.management.evidence import CONTENT_TYPES, EvidenceError
from fupin.policy.params import fen_to_yuan
from fupin.web.forms import styled
from fupin.web.list_export import Column, export, wants_xlsx
from fupin.web.paging import page_of
from fupin.web.picker import AreaPickerField

from . import selectors, services
from .clocks import decision_clock, investigation_clock
from .models import CaseEvidence, Decision, EvidenceKind, InjuryCase
from .rules import default_pack_id, rules


class ReportForm(forms.Form):
    worker_id_number = forms.CharField(label="职工身份证号", max_length=30)
    worker_name = forms.CharField(
        label="职工姓名", max_length=50, required=False, help_text="建档立卡人员按身份证号自动带出"
    )
    village = forms.CharField(label="受理村（社区）", required=False)
    employer_name = InjuryCase._meta.get_field("employer_name").formfield()
    project_name = InjuryCase._meta.get_field("project_name").formfield()
    contract_signed = forms.BooleanField(label="已签订劳动合同", required=False)
    accident_on = bounds.DateField(label="事故日期")
    accident_place = InjuryCase._meta.get_field("accident_place").formfield()
    injury = InjuryCase._meta.get_field("injury").formfield()

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"] = AreaPickerField(
            user=user,
            levels=(Level.VILLAGE,),
            label="受理村（社区）",
            required=False,
            help_text="非建档立卡人员必填：案件按受理地归属",
        )
        styled(self)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="认定结论",
        choices=[(c, label) for c, label in Decision.choices if c != Decision.PENDING],
    )
    reason = forms.CharField(label="理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class FirstPaymentForm(forms.Form):
    amount = bounds.MoneyField(label="先行支付金额（元）")
    reason = forms.CharField(label="说明（用人单位未支付的情况）", max_length=300)


class RecoveryForm(forms.Form):
    amount = bounds.MoneyField(label="追回金额（元）")
    received_on = bounds.DateField(label="到账日期")
    note = forms.CharField(label="说明", max_length=300, required=False)


class WriteOffForm(forms.Form):
    reason = forms.CharField(label="核销原因", max_length=300)


def _form_error(form: forms.Form) -> services.WorkInjuryError:
    return services.WorkInjuryError(
        "；".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items())
    )


CLOCK_CSS = {
    "running": "text-bg-secondary",
    "warning": "text-bg-warning",
    "late": "text-bg-danger",
    "done": "text-bg-success",
    "done_late": "text-bg-dark",
    "stopped": "text-bg-light",
}


def _clocks(case: InjuryCase, now: dt.datetime):
    r = rules(case.pack_id)
    return [
        (c, CLOCK_CSS[c.state])
        for c in (investigation_clock(case, r, now), decision_clock(case, r, now))
    ]


@login_required
def cases(request: HttpRequest) -> HttpResponseBase:
    now = timezone.now()
    clock = request.GET.get("clock", "")
    clock = clock if clock in selectors.CLOCK_FILTERS else ""
    poor = request.GET.get("poor") == "1"
    qs = selectors.filtered(request.user, clock=clock, poor=poor, now=now)
    if wants_xlsx(request):
        return export(
            request,
            qs,
            title="工伤案件",
            columns=[
                Column("职工姓名", lambda c: c.worker_name),
                Column("身份证号", lambda c: c.masked_id),
                Column("贫困劳动力", lambda c: "是" if c.poor else "否"),
                Column("区划", lambda c: c.village_code, area=True),
                Column("用人单位", lambda c: c.employer_name),
                Column("工程项目", lambda c: c.project_name),
                Column("事故日期", lambda c: c.accident_on.isoformat()),
                Column("事故地点", lambda c: c.accident_place),
                Column("伤情", lambda c: c.injury),
                Column(
                    "接到报告",
                    lambda c: timezone.localtime(c.reported_at).strftime("%Y-%m-%d %H:%M"),
                ),
                Column("调查", lambda c: investigation_clock(c, rules(c.pack_id), now).state_name),
                Column("认定时限", lambda c: decision_clock(c, rules(c.pack_id), now).state_name),
                Column("认定结论", lambda c: c.get_decision_display()),
                Column(
                    "先行支付(元)",
                    lambda c: fen_to_yuan(c.first_payment_fen) if c.first_payment_fen else "",
                ),
            ],
        )
    page = page_of(request, qs)
    rows = [(c, _clocks(c, now)) for c in page.object_list]
    return render(
        request,
        "workinjury/cases.html",
        {
            "page": page,
            "rows": rows,
            "clock": clock,
            "poor": poor,
            "filters": selectors.CLOCK_FILTERS,
            "r": rules(),
            "pack_id": default_pack_id(),
        },
    )


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    form = ReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.report_case(
                user=request.user,
                worker_id_number=d["worker_id_number"],
                worker_name=d["worker_name"],
                village_code=d["village"] or "",
                employer_name=d["employer_name"],
                project_name=d["project_name"],
                contract_signed=d["contract_signed"],
                accident_on=d["accident_on"],
                accident_place=d["accident_place"],
                injury=d["injury"],
                request=request,
            )
            messages.success(request, "已登记工伤事故报告，48小时调查时限开始计算")
            return redirect("workinjury:case", pk=case.pk)
        except services.WorkInjuryError as exc:
            form.add_error(None, str(exc))
    return render(request, "web/form.html", {"form": form, "title": "登记工伤事故报告"})


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_scoped(InjuryCase.objects.select_related("person"), request.user, pk=pk)
    r = rules(case.pack_id)
    decision_form = DecisionForm()
    payment_form = FirstPaymentForm()
    recovery_form = RecoveryForm(initial={"received_on": timezone.localdate()})
    write_off_form = WriteOffForm()
    for form in (decision_form, payment_form, recovery_form, write_off_form):
        styled(form)
    return render(
        request,
        "workinjury/case.html",
        {
            "case": case,
            "clocks": _clocks(case, timezone.now()),
            "evidence": case.evidence.all(),
            "evidence_kinds": EvidenceKind.choices,
            "needed": [EvidenceKind(k).label for k in r.labour_evidence.value],
            "decision_form": decision_form,
            "payment_form": payment_form,
            "r": r,
            "undecided": (Decision.PENDING, Decision.DISPUTED),
            "recovery_form": recovery_form,
            "write_off_form": write_off_form,
            "recovery": services.recovered_totals(case) if case.first_payment_fen else None,
            "recovery_entries": case.recoveries.select_related("recorded_by"),
            "recovery_due_on": selectors.recovery_due_on(case),
            "today": timezone.localdate(),
        },
    )


def _step(
    request: HttpRequest, pk: int, fn: Callable[[InjuryCase], object], done: str
) -> HttpResponse:
    case = get_scoped(InjuryCase.objects, request.user, pk=pk)
    require_writer(request.user)
    try:
        fn(case)
        messages.success(request, done)
    except (services.WorkInjuryError, EvidenceError, bounds.BoundsError) as exc:
        messages.error(request, f"未保存：{exc}")
    return redirect("workinjury:case", pk=pk)


@login_required
@require_POST
def case_upload(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda case: services.add_evidence(
            user=request.user,
            case=case,
            kind=request.POST.get("kind", ""),
            upload=request.FILES.get("file"),
            note=request.POST.get("note", ""),
            request=request,
        ),
        "已上传劳动关系佐证材料",
    )


@login_required
@require_POST
def case_investigate(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda case: services.investigate(
            user=request.user, case=case, note=request.POST.get("note", ""), request=request
        ),
        "已记录调查完成",
    )


@login_required
@require_POST
def case_decide(request: HttpRequest, pk: int) -> HttpResponse:
    form = DecisionForm(request.POST)

    def run(case: InjuryCase) -> None:
        if not form.is_valid():
            raise services.WorkInjuryError(
                "；".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items())
            )
        services.decide(
            user=request.user,
            case=case,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
            request=request,
        )

    return _step(request, pk, run, "已作出认定决定")


@login_required
@require_POST
def case_first_payment(request: HttpRequest, pk: int) -> HttpResponse:
    form = FirstPaymentForm(request.POST)

    def run(case: InjuryCase) -> None:
        if not form.is_valid():
            raise services.WorkInjuryError(
                "；".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items())
            )
        services.grant_first_payment(
            user=request.user,
            case=case,
            amount_fen=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            request=request,
        )

    return _step(request, pk, run, "已核定先行支付，列入当月资金发放批次")


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    ev = get_scoped(CaseEvidence.objects.select_related("case"), request.user, pk=pk)
    try:
        handle = ev.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("文件不存在") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=ev.name,
        content_type=CONTENT_TYPES.get(ev.file_kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def case_recovery(request: HttpRequest, pk: int) -> HttpResponse:
    form = RecoveryForm(request.POST)

    def run(case: InjuryCase) -> None:
        if not form.is_valid():
            raise _form_error(form)
        services.record_recovery(
            user=request.user,
            case=case,
            amount_fen=form.cleaned_data["amount"],
            received_on=form.cleaned_data["received_on"],
            note=form.cleaned_data["note"],
            request=request,
        )

    return _step(request, pk, run, "已登记用人单位偿还的金额")


@login_required
@require_POST
def case_write_off(request: HttpRequest, pk: int) -> HttpResponse:
    form = WriteOffForm(request.POST)

    def run(case: InjuryCase) -> None:
        if not form.is_valid():
            raise _form_error(form)
        services.write_off_recovery(
            user=request.user, case=case, reason=form.cleaned_data["reason"], request=request
        )

    return _step(request, pk, run, "已核销尚未追回的金额")


@login_required
def recoveries(request: HttpRequest) -> HttpResponseBase:
    """先行支付追偿台账: claimed, recovered, written off and outstanding per case, filtered, exported."""
    today = timezone.localdate()
    shown = request.GET.get("shown", "outstanding")
    shown = shown if shown in selectors.RECOVERY_FILTERS else "outstanding"
    qs = selectors.recoveries(request.user, shown=shown, today=today)
    if wants_xlsx(request):
        return export(
            request,
            qs,
            title="工伤先行支付追偿台账",
            columns=[
                Column("职工姓名", lambda c: c.worker_name),
                Column("身份证号", lambda c: c.masked_id),
                Column("区划", lambda c: c.village_code, area=True),
                Column("用人单位", lambda c: c.employer_name),
                Column("工程项目", lambda c: c.project_name),
                Column("先行支付日期", lambda c: c.first_payment_on.isoformat()),
                Column("应偿还期限", lambda c: selectors.recovery_due_on(c).isoformat()),
                Column("应追偿(元)", lambda c: fen_to_yuan(c.first_payment_fen)),
                Column("已追回(元)", lambda c: fen_to_yuan(c.recovered_fen)),
                Column("已核销(元)", lambda c: fen_to_yuan(c.written_off_fen)),
                Column("尚欠(元)", lambda c: fen_to_yuan(c.outstanding_fen)),
            ],
        )
    page = page_of(request, qs)
    rows = [(c, selectors.recovery_due_on(c)) for c in page.object_list]
    totals = qs.aggregate(
        claimed=Sum("first_payment_fen"), outstanding=Sum("outstanding_fen"), n=Count("id")
    )
    return render(
        request,
        "workinjury/recoveries.html",
        {
            "page": page,
            "rows": rows,
            "shown": shown,
            "filters": selectors.RECOVERY_FILTERS,
            "today": today,
            "totals": totals,
            "r": rules(),
        },
    )
