"""Reads of the training module (技能培训), area-scoped."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q, QuerySet

from fupin.access.models import User
from fupin.access.scope import scoped
from fupin.areas.models import Area
from fupin.registry.choices import ACTIVE_STATUSES
from fupin.registry.models import Person

from .models import Course, Enrolment, EnrolmentStatus, JobSeekingSubsidy, TechnicalStudentAid


def courses(user: User) -> QuerySet:
    return scoped(
        Course.objects.annotate(
            enrolled=Count("enrolments", filter=~Q(enrolments__status=EnrolmentStatus.DROPPED))
        ),
        user,
    )


def enrolments(user: User) -> QuerySet:
    return scoped(Enrolment.objects.select_related("person", "course"), user)


def subsidies(user: User) -> QuerySet:
    return scoped(JobSeekingSubsidy.objects.select_related("person", "enrolment__course"), user)


def technical_students(user: User) -> QuerySet:
    return scoped(
        Person.objects.filter(technical_student=True, status__in=ACTIVE_STATUSES), user
    ).prefetch_related("technical_aid")


def technical_aid(user: User) -> QuerySet:
    return scoped(TechnicalStudentAid.objects.select_related("person"), user)


def coverage(user: User, per_person: int) -> list[dict]:
    """“确保每人至少接受一次培训” (002): willing persons and how many reached the count, per township."""
    willing = scoped(Person.objects.filter(training_need=True, status__in=ACTIVE_STATUSES), user)
    trained = willing.annotate(
        n=Count("enrolments", filter=~Q(enrolments__status=EnrolmentStatus.DROPPED))
    ).filter(n__gte=per_person)
    w = Counter(c[:9] for c in willing.values_list("village_code", flat=True))
    t = Counter(c[:9] for c in trained.values_list("village_code", flat=True))
    names = dict(Area.objects.filter(code__in=list(w)).values_list("code", "name"))
    return [
        {
            "code": c,
            "name": names.get(c, c),
            "willing": w[c],
            "trained": t[c],
            "share": round(100 * t[c] / w[c], 1) if w[c] else 0.0,
        }
        for c in sorted(w)
    ]
