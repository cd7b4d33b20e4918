import datetime as dt
from types import SimpleNamespace

from fupin.access.models import AuditEntry
from fupin.certification.models import Certification
from fupin.portal.auth import begin_assisted_session
from fupin.portal.models import Assistance
from tests.conftest import TOWN_A, login
from tests.portal.clients import resident_client


def test_resident_certifies_himself(pensioner):
    p = pensioner(TOWN_A)
    rc = resident_client(p)
    r = rc.get("/portal/certification/")
    assert "还没有认证" in r.content.decode()
    r = rc.post("/portal/certification/certify/", follow=True)
    assert "资格认证已完成" in r.content.decode()
    c = Certification.objects.get()
    assert (c.person, c.method, c.recorded_by, c.year) == (p, "portal", None, dt.date.today().year)
    assert AuditEntry.objects.filter(object_type="certification", object_id=str(c.pk)).exists()
    r = rc.post("/portal/certification/certify/", follow=True)
    assert "已经登记过" in r.content.decode()
    assert Certification.objects.count() == 1


def test_not_a_pensioner_cannot_certify(make_household):
    from fupin.registry.models import Person

    p = Person.objects.filter(household=make_household(TOWN_A, members=1)).get()
    rc = resident_client(p)
    assert "不是需要认证" in rc.get("/portal/certification/").content.decode()
    rc.post("/portal/certification/certify/")
    assert not Certification.objects.exists()


def test_assisted_home_visit_is_recorded_as_home(town_a_user, pensioner):
    p = pensioner(TOWN_A)
    a = Assistance.objects.create(
        person=p,
        village_code=p.village_code,
        assistant=town_a_user,
        mode="home",
        authorisation="code",
    )
    rc = login(town_a_user)
    session = rc.session
    begin_assisted_session(
        SimpleNamespace(session=session, user=town_a_user), p, assistance_id=a.pk, mode="home"
    )
    session.save()
    rc.post("/portal/certification/certify/")
    c = Certification.objects.get()
    assert (c.method, c.recorded_by, c.assistance_id) == ("home", town_a_user, a.pk)
