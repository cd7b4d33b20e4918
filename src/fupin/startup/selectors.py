"""Reads of start-up support (创业扶持), area-scoped."""

from django.db.models import QuerySet

from fupin.access.models import User
from fupin.access.scope import scoped

from .models import Loan, StartupSubsidy


def loans(user: User) -> QuerySet:
    return scoped(Loan.objects.select_related("person"), user)


def subsidies(user: User) -> QuerySet:
    return scoped(StartupSubsidy.objects.select_related("person"), user)
