import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from fupin.access.models import AuditEntry, Role
from fupin.certification import services
from fupin.certification.models import Certification, Method
from fupin.certification.selectors import by_village, pensioners
from fupin.insurance.models import PensionStatus
from fupin.registry.choices import Status
from fupin.registry.models import Person
from tests.conftest import TOWN_A, TOWN_B

TODAY = dt.date(2018, 11, 15)


def _certify(user, person, day=dt.date(2018, 6, 1), method=Method.IN_PERSON):
    return services.certify(
        user=user, person=person, year=day.year, certified_on=day, method=method, today=TODAY
    )


def test_certify_records_and_audits(town_a_user, pensioner):
    p = pensioner(TOWN_A)
    c = _certify(town_a_user, p, method=Method.HOME)
    assert (c.year, c.village_code, c.method, c.recorded_by) == (
        2018,
        p.village_code,
        "home",
        town_a_user,
    )
    assert AuditEntry.objects.filter(object_type="certification", object_id=str(c.pk)).exists()


def test_twice_a_year_refused(town_a_user, pensioner):
    p = pensioner(TOWN_A)
    _certify(town_a_user, p)
    with pytest.raises(services.CertificationError, match="已经登记过"):
        _certify(town_a_user, p, day=dt.date(2018, 7, 1))
    assert Certification.objects.count() == 1


@pytest.mark.parametrize(
    "day, message",
    [
        (dt.date(2018, 11, 16), "晚于今天"),  # tomorrow
        (dt.date(9999, 1, 1), "超出范围"),
        (dt.date(1800, 1, 1), "超出范围"),
    ],
)
def test_bad_dates_refused(town_a_user, pensioner, day, message):
    p = pensioner(TOWN_A)
    with pytest.raises(services.CertificationError, match=message):
        _certify(town_a_user, p, day=day)
    assert not Certification.objects.exists()


def test_only_pensioners_certify(town_a_user, pensioner, make_household):
    paying = pensioner(TOWN_A, status=PensionStatus.PAYING)
    new = pensioner(TOWN_A, since=dt.date(2018, 2, 1))  # first drawn this year: from next year
    plain = Person.objects.filter(household=make_household(TOWN_A, members=1)).get()
    for p in (paying, new, plain):
        with pytest.raises(services.CertificationError, match="不是需要认证"):
            _certify(town_a_user, p)


def test_other_township_refused(town_b_user, pensioner):
    p = pensioner(TOWN_A)
    with pytest.raises(PermissionDenied):
        _certify(town_b_user, p)
    assert not Certification.objects.exists()


def test_read_only_refused(make_user, pensioner):
    auditor = make_user("aud", Role.AUDITOR, TOWN_A)
    with pytest.raises(PermissionDenied):
        _certify(auditor, pensioner(TOWN_A))


def test_staff_cannot_claim_portal(town_a_user, pensioner):
    with pytest.raises(services.CertificationError, match="本人"):
        _certify(town_a_user, pensioner(TOWN_A), method=Method.PORTAL)


def test_self_certification(pensioner):
    p = pensioner(TOWN_A)
    c = services.certify_in_portal(person=p, today=TODAY)
    assert (c.method, c.certified_on, c.recorded_by) == ("portal", TODAY, None)
    with pytest.raises(services.CertificationError):
        services.certify_in_portal(person=p, today=TODAY)


def test_lists_are_scoped_and_count_per_village(town_a_user, town_b_user, county_user, pensioner):
    a1, a2, b1 = pensioner(TOWN_A), pensioner(TOWN_A), pensioner(TOWN_B)
    removed = pensioner(TOWN_A)
    Person.objects.filter(pk=removed.pk).update(status=Status.REMOVED)
    _certify(town_a_user, a1)
    rows = {r.person_id: r.certified for r in pensioners(town_a_user, 2018)}
    assert rows == {a1.pk: True, a2.pk: False}
    assert {r.person_id for r in pensioners(county_user, 2018)} == {a1.pk, a2.pk, b1.pk}
    # by village: a1 and a2 live in different villages? make_household puts both in the first village.
    assert by_village(town_a_user, 2018) == [
        {"village_code": a1.village_code, "total": 2, "done": 1, "missing": 1}
    ]
    assert by_village(town_b_user, 2018) == [
        {"village_code": b1.village_code, "total": 1, "done": 0, "missing": 1}
    ]
    # next year nobody has certified yet
    assert not any(r.certified for r in pensioners(town_a_user, 2019))


def test_records_cannot_be_deleted(town_a_user, pensioner):
    c = _certify(town_a_user, pensioner(TOWN_A))
    with pytest.raises(PermissionError):
        c.delete()
    with pytest.raises(PermissionError):
        Certification.objects.all().delete()
