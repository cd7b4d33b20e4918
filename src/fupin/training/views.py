"""技能培训 pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin import bounds
from fupin.access.scope import get_scoped, require_writer
from fupin.policy.employment import rules
from fupin.policy.params import fen_to_yuan
from fupin.registry.idnumber import mask
from fupin.registry.models import Person
from fupin.registry.selectors import find_person
from fupin.web.list_export import Column, export, wants_xlsx
from fupin.web.paging import page_of
from fupin.web.xlsx import xlsx_response

from . import selectors, services
from .forms import CourseForm
from .models import Course, Enrolment, TechnicalStudentAid


@login_required
def courses(request: HttpRequest) -> HttpResponseBase:
    qs = selectors.courses(request.user)
    if wants_xlsx(request):
        return export(
            request,
            qs,
            title="培训班",
            columns=[
                Column("名称", lambda c: c.title),
                Column("类别", lambda c: c.get_kind_display()),
                Column("工种", lambda c: c.trade),
                Column("培训机构", lambda c: c.provider),
                Column("举办地", lambda c: c.area_code, area=True),
                Column("地点", lambda c: c.place),
                Column("开班日期", lambda c: c.starts_on),
                Column("结业日期", lambda c: c.ends_on),
                Column("报名", lambda c: c.enrolled),
                Column("名额", lambda c: c.capacity),
                Column("补贴(元/人)", lambda c: fen_to_yuan(c.subsidy_fen)),
                Column("证书", lambda c: c.certificate_kind or "培训合格证"),
            ],
        )
    return render(request, "training/courses.html", {"courses": page_of(request, qs), "r": rules()})


@login_required
def course_edit(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    form = CourseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        c = services.save_course(user=request.user, form=form, request=request)
        messages.success(request, f"已开设 {c.title}")
        return redirect("training:course", pk=c.pk)
    return render(request, "web/form.html", {"form": form, "title": "开设培训班"})


@login_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    c = get_scoped(Course.objects, request.user, pk=pk)
    enrolments = selectors.enrolments(request.user).filter(course=c)
    if wants_xlsx(request):
        return export(
            request,
            enrolments.select_related("person"),
            title=f"{c.title}报名名单",
            columns=[
                Column("身份证号", lambda e: mask(e.person.id_number)),
                Column("姓名", lambda e: e.person.name),
                Column("村", lambda e: e.village_code, area=True),
                Column("报名日期", lambda e: e.enrolled_on),
                Column("状态", lambda e: e.get_status_display()),
                Column("出勤课次", lambda e: e.attended),
                Column("证书编号", lambda e: e.certificate_no),
            ],
        )
    return render(
        request,
        "training/course.html",
        {"c": c, "enrolments": enrolments, "taken": c.enrolments.exclude(status="dropped").count()},
    )


@login_required
@require_POST
def course_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    c = get_scoped(Course.objects, request.user, pk=pk)
    person = find_person(request.user, request.POST.get("person", ""))
    if person is None:
        messages.error(request, "人员：请输入本辖区人员的编号或18位身份证号")
    else:
        try:
            services.enrol(user=request.user, course=c, person=person, request=request)
            messages.success(request, f"{person.name} 已报名")
        except services.TrainingError as exc:
            messages.error(request, str(exc))
    return redirect("training:course", pk=pk)


@login_required
@require_POST
def enrolment_attend(request: HttpRequest, pk: int) -> HttpResponse:
    e = get_scoped(Enrolment.objects, request.user, pk=pk)
    try:
        day = bounds.parse_date(request.POST.get("day", ""), "出勤日期")
    except bounds.BoundsError as exc:
        messages.error(request, str(exc))
        return redirect("training:course", pk=e.course_id)
    services.mark_attendance(
        user=request.user,
        enrolment=e,
        day=day,
        present=request.POST.get("present", "1") == "1",
        request=request,
    )
    return redirect("training:course", pk=e.course_id)


@login_required
@require_POST
def enrolment_complete(request: HttpRequest, pk: int) -> HttpResponse:
    e = get_scoped(Enrolment.objects.select_related("course", "person"), request.user, pk=pk)
    try:
        certificate_no = bounds.check_text(
            Enrolment, "certificate_no", request.POST.get("certificate_no", "").strip()
        )
        services.complete(
            user=request.user, enrolment=e, certificate_no=certificate_no, request=request
        )
        messages.success(request, f"{e.person.name} 已结业")
    except (services.TrainingError, bounds.BoundsError) as exc:
        messages.error(request, str(exc))
    return redirect("training:course", pk=e.course_id)


@login_required
def coverage(request: HttpRequest) -> HttpResponseBase:
    r = rules()
    rows = selectors.coverage(request.user, r.trainings_per_willing_person.value)
    if wants_xlsx(request):
        return export(
            request,
            rows,
            title="培训覆盖",
            columns=[
                Column("乡镇", lambda row: row["name"]),
                Column("有培训意愿", lambda row: row["willing"]),
                Column("已参训", lambda row: row["trained"]),
                Column("覆盖率(%)", lambda row: row["share"]),
            ],
        )
    rows = list(rows)
    chart = {
        "towns": [row["name"] for row in rows],
        "willing": [row["willing"] for row in rows],
        "trained": [row["trained"] for row in rows],
        "share": [row["share"] for row in rows],
    }
    return render(
        request,
        "training/coverage.html",
        {"rows": rows, "param": r.trainings_per_willing_person, "chart": chart},
    )


@login_required
def subsidies(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "training/subsidies.html",
        {
            "rows": page_of(request, selectors.subsidies(request.user)),
            "param": rules().job_seeking_subsidy_on_certificate,
        },
    )


@login_required
def subsidies_export(request: HttpRequest) -> HttpResponseBase:
    rows = [
        [
            mask(s.person.id_number),
            s.person.name,
            s.village_code,
            s.enrolment.course.title,
            s.enrolment.certificate_no,
            s.granted_on,
            fen_to_yuan(s.amount_fen),
            s.pack_id,
        ]
        for s in selectors.subsidies(request.user)
    ]
    return xlsx_response(
        user=request.user,
        request=request,
        filename="取证求职补贴.xlsx",
        unmasked=False,
        summary="导出取证求职补贴",
        sheets=[
            (
                "求职补贴",
                [
                    "身份证号",
                    "姓名",
                    "村代码",
                    "培训班",
                    "证书编号",
                    "发放日期",
                    "金额(元)",
                    "政策包",
                ],
                rows,
            )
        ],
    )


@login_required
def technical(request: HttpRequest) -> HttpResponseBase:
    students = selectors.technical_students(request.user)
    if wants_xlsx(request):
        return export(
            request,
            students,
            title="技工院校学生",
            columns=[
                Column("身份证号", lambda p: mask(p.id_number)),
                Column("姓名", lambda p: p.name),
                Column("村", lambda p: p.village_code, area=True),
                Column(
                    "资助记录",
                    lambda p: (
                        "；".join(
                            f"{a.school_year}学年 {a.school}（免学杂费，补助 {fen_to_yuan(a.living_allowance_fen)} 元）"
                            for a in p.technical_aid.all()
                        )
                        or "未登记"
                    ),
                ),
            ],
        )
    return render(
        request,
        "training/technical.html",
        {
            "students": page_of(request, students),
            "param": rules().technical_student_living_allowance_yearly,
            "year": timezone.localdate().year,
        },
    )


@login_required
@require_POST
def technical_grant(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_scoped(Person.objects, request.user, pk=pk)
    try:
        year = bounds.parse_year(request.POST.get("year") or timezone.localdate().year, "学年")
        school = bounds.check_text(
            TechnicalStudentAid, "school", request.POST.get("school", "").strip() or "技工院校"
        )
        services.grant_technical_aid(
            user=request.user, person=person, school=school, school_year=year, request=request
        )
        messages.success(request, f"已登记 {person.name} 的技工院校资助")
    except (services.TrainingError, bounds.BoundsError) as exc:
        messages.error(request, str(exc))
    return redirect("training:technical")
