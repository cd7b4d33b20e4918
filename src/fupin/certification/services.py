"""Writes of the yearly certification (资格认证): by the village assistant or by the resident."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from fupin import bounds
from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import require_area, require_writer
from fupin.registry.models import Person

from .models import Certification, Method
from .selectors import must_certify


class CertificationError(ValueError):
    """A certification refused, with the Chinese reason."""


def _check(*, person: Person, year: int, certified_on: dt.date, method: str, today: dt.date):
    if method not in Method.values:
        raise CertificationError("认证方式无效")
    try:
        bounds.check_year(year, "认证年度")
        bounds.check_date(certified_on, "认证日期")
    except bounds.BoundsError as exc:
        raise CertificationError(str(exc)) from None
    if certified_on > today:
        raise CertificationError(f"认证日期 {certified_on:%Y-%m-%d} 晚于今天，不能预先认证")
    if certified_on.year != year:
        raise CertificationError(f"认证日期 {certified_on:%Y-%m-%d} 不在 {year} 年度内")
    if not must_certify(person, year):
        raise CertificationError(f"{person.name} 在 {year} 年度不是需要认证的养老金领取人员")


def _create(*, person: Person, year: int, **fields) -> Certification:
    if Certification.objects.filter(person=person, year=year).exists():
        raise CertificationError(f"{person.name} 的 {year} 年度资格认证已经登记过")
    try:
        with transaction.atomic():
            return Certification.objects.create(
                person=person, village_code=person.village_code, year=year, **fields
            )
    except IntegrityError:  # the same person certified at the same moment elsewhere
        raise CertificationError(f"{person.name} 的 {year} 年度资格认证已经登记过") from None


@transaction.atomic
def certify(
    *,
    user: User,
    person: Person,
    year: int,
    certified_on: dt.date,
    method: str,
    note: str = "",
    request: HttpRequest | None = None,
    today: dt.date | None = None,
) -> Certification:
    """The village assistant (or township/county staff) records a pensioner's certification,
    at the station or at home (上门)."""
    require_writer(user)
    require_area(user, person.village_code)
    if method == Method.PORTAL:
        raise CertificationError("本人网上认证只能由本人在居民服务页面办理")
    _check(
        person=person,
        year=year,
        certified_on=certified_on,
        method=method,
        today=today or dt.date.today(),
    )
    c = _create(
        person=person,
        year=year,
        certified_on=certified_on,
        method=method,
        note=note[:200],
        recorded_by=user,
    )
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=c,
        summary=f"资格认证 {person.name} {year}年度（{c.get_method_display()}）",
    )
    return c


@transaction.atomic
def certify_in_portal(
    *,
    person: Person,
    assisted_by: User | None = None,
    assistance_id: int | None = None,
    assist_mode: str = "",
    today: dt.date | None = None,
) -> Certification:
    """Certification for the current year in the portal: the resident himself on his phone
    (本人网上认证), or the village assistant serving him there (代办: at the station, or at home
    when the assisted session is a home visit). Audited by the portal view."""
    day = today or dt.date.today()
    if assisted_by is None:
        method = Method.PORTAL
    else:
        require_writer(assisted_by)
        require_area(assisted_by, person.village_code)
        method = Method.HOME if assist_mode == "home" else Method.IN_PERSON
    _check(person=person, year=day.year, certified_on=day, method=method, today=day)
    return _create(
        person=person,
        year=day.year,
        certified_on=day,
        method=method,
        recorded_by=assisted_by,
        assistance_id=assistance_id,
    )
