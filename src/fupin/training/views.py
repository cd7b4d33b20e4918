"""技能培训 pages."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin import bounds
from fupin.access.scope import get_scoped, require_writer
from fupin.employment.people import find_person
from fupin.employment.rules import rules
from fupin.policy.params import fen_to_yuan
from fupin.registry.exports import xlsx_response
from fupin.registry.idnumber import mask
from fupin.registry.models import Person

from . import selectors, services
from .forms import CourseForm
from .models import Course, Enrolment, TechnicalStudentAid


@login_required
def courses(request):
    return render(request, "training/courses.html", {"courses": selectors.courses(request.user)[:300], "r": rules()})


@login_required
def course_edit(request):
    require_writer(request.user)
    form = CourseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        c = services.save_course(user=request.user, form=form, request=request)
        messages.success(request, f"已开设 {c.title}")
        return redirect("training:course", pk=c.pk)
    return render(request, "web/form.html", {"form": form, "title": "开设培训班"})


@login_required
def course_detail(request, pk: int):
    c = get_scoped(Course.objects, request.user, pk=pk)
    return render(request, "training/course.html", {"c": c, "enrolments": selectors.enrolments(request.user).filter(course=c),
                                                    "taken": c.enrolments.exclude(status="dropped").count()})


@login_required
@require_POST
def course_enrol(request, pk: int):
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
def enrolment_attend(request, pk: int):
    e = get_scoped(Enrolment.objects, request.user, pk=pk)
    try:
        day = bounds.parse_date(request.POST.get("day", ""), "出勤日期")
    except bounds.BoundsError as exc:
        messages.error(request, str(exc))
        return redirect("training:course", pk=e.course_id)
    services.mark_attendance(user=request.user, enrolment=e, day=day, present=request.POST.get("present", "1") == "1", request=request)
    return redirect("training:course", pk=e.course_id)


@login_required
@require_POST
def enrolment_complete(request, pk: int):
    e = get_scoped(Enrolment.objects.select_related("course", "person"), request.user, pk=pk)
    try:
        certificate_no = bounds.check_text(Enrolment, "certificate_no", request.POST.get("certificate_no", "").strip())
        services.complete(user=request.user, enrolment=e, certificate_no=certificate_no, request=request)
        messages.success(request, f"{e.person.name} 已结业")
    except (services.TrainingError, bounds.BoundsError) as exc:
        messages.error(request, str(exc))
    return redirect("training:course", pk=e.course_id)


@login_required
def coverage(request):
    r = rules()
    return render(request, "training/coverage.html", {"rows": selectors.coverage(request.user, r.trainings_per_willing_person.value), "param": r.trainings_per_willing_person})


@login_required
def subsidies(request):
    return render(request, "training/subsidies.html", {"rows": selectors.subsidies(request.user)[:1000], "param": rules().job_seeking_subsidy_on_certificate})


@login_required
def subsidies_export(request):
    rows = [[mask(s.person.id_number), s.person.name, s.village_code, s.enrolment.course.title, s.enrolment.certificate_no, s.granted_on,
             fen_to_yuan(s.amount_fen), s.pack_id] for s in selectors.subsidies(request.user)]
    return xlsx_response(user=request.user, request=request, filename="取证求职补贴.xlsx", unmasked=False, summary="导出取证求职补贴",
                         sheets=[("求职补贴", ["身份证号", "姓名", "村代码", "培训班", "证书编号", "发放日期", "金额(元)", "政策包"], rows)])


@login_required
def technical(request):
    return render(request, "training/technical.html", {"students": selectors.technical_students(request.user)[:500],
                                                       "param": rules().technical_student_living_allowance_yearly, "year": timezone.localdate().year})


@login_required
@require_POST
def technical_grant(request, pk: int):
    person = get_scoped(Person.objects, request.user, pk=pk)
    try:
        year = bounds.parse_year(request.POST.get("year") or timezone.localdate().year, "学年")
        school = bounds.check_text(TechnicalStudentAid, "school", request.POST.get("school", "").strip() or "技工院校")
        services.grant_technical_aid(user=request.user, person=person, school=school, school_year=year, request=request)
        messages.success(request, f"已登记 {person.name} 的技工院校资助")
    except (services.TrainingError, bounds.BoundsError) as exc:
        messages.error(request, str(exc))
    return redirect("training:technical")
