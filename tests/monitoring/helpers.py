"""Builders for monitoring tests: households that left poverty, runs, and one alert's whole path."""

import datetime as dt

from fupin.monitoring import services
from fupin.monitoring.models import Alert, MonitoringRun
from fupin.registry.models import Household

TODAY = dt.date.today()


def exited(
    make_household, town: str, *, income_yuan: int = 8000, members: int = 2, **fields
) -> Household:
    """A household that left poverty (已脱贫) with a per-capita income (all of it wage income)."""
    hh = make_household(
        town,
        members=members,
        status="exited_policy",
        exit_year=2017,
        income_year=TODAY.year - 1,
        income_wage_fen=income_yuan * 100,
        **fields,
    )
    return hh


def run(user, area_code: str | None = None, day: dt.date | None = None) -> MonitoringRun:
    r = services.start_run(user=user, area_code=area_code, day=day)
    services.run_monitoring(
        r, user=user
    )  # the task already ran after commit: a second delivery must leave the finished run as it is
    r.refresh_from_db()
    return r


def alerts(household: Household, signal: str | None = None):
    qs = Alert.objects.filter(monitored__household=household)
    return qs.filter(signal=signal) if signal else qs
