"""Reads of the assistance plan and ledger (帮扶计划与台账), area-scoped."""

import datetime as dt

from django.db.models import QuerySet

from fupin.access.models import User
from fupin.access.scope import scoped

from .models import LedgerEntry, MeasureStatus, PlannedMeasure


def measures(user: User) -> QuerySet:
    return scoped(PlannedMeasure.objects.select_related("person"), user)


def overdue_measures(user: User, day: dt.date) -> QuerySet:
    return measures(user).filter(
        status__in=[MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS], due_on__lt=day
    )


def ledger(user: User) -> QuerySet:
    return scoped(LedgerEntry.objects.select_related("person", "recorded_by"), user)
