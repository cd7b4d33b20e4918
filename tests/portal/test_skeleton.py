"""The portal skeleton: the resident session, the menu registry, the base page, the audit of each view."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fupin.access.models import AuditEntry, Role
from fupin.portal import menu
from fupin.portal.auth import ASSIST_KEY
from fupin.portal.models import Assistance
from fupin.registry.models import Person
from tests.conftest import TOWN_A, TOWN_B, login
from tests.portal.clients import resident_client


@pytest.fixture
def person(make_household):
    return make_household(TOWN_A, members=3).members.order_by("id").first()


def test_anonymous_goes_to_the_portal_login(db, areas):
    r = Client().get(reverse("portal:home"))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("portal:login") + "?next=/portal/")
    page = Client().get(reverse("portal:login"))
    assert page.status_code == 200 and "居民登录" in page.content.decode()


def test_resident_sees_home_with_own_name_and_village_and_view_is_audited(person):
    before = AuditEntry.objects.count()
    r = resident_client(person).get(reverse("portal:home"))
    body = r.content.decode()
    assert r.status_code == 200
    assert f"{person.name}，您好" in body
    assert "portal/portal.css" in body and "bootstrap" not in body
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry.action == "view" and entry.area_code == person.village_code
    assert entry.get_action_display() == "查看"  # the audit page shows the action in Chinese
    assert entry.user is None and person.id_number not in entry.username
    assert entry.object_type == "person" and entry.object_id == str(person.pk)


def test_staff_account_is_not_a_resident(person, town_a_user):
    r = login(town_a_user).get(reverse("portal:home"))
    assert r.status_code == 302 and "/portal/login/" in r["Location"]


def test_removed_or_moved_person_is_logged_out(person, make_household):
    client = resident_client(person)
    Person.objects.filter(pk=person.pk).update(status="removed")
    assert client.get(reverse("portal:home")).status_code == 302
    Person.objects.filter(pk=person.pk).update(status="poor")
    # the session no longer carries the resident: a restored person must log in again
    assert client.get(reverse("portal:home")).status_code == 302
    client = resident_client(person)
    other = make_household(TOWN_A, members=1)
    Person.objects.filter(pk=person.pk).update(household=other)
    assert client.get(reverse("portal:home")).status_code == 302


def test_menu_registry_orders_entries_and_skips_unmounted_ones(person):
    try:
        menu.register("第二项", "portal:home", order=21, note="说明文字")
        menu.register("未挂载", "portal:nothing_here", order=11)
        r = resident_client(person).get(reverse("portal:home"))
        body = r.content.decode()
        assert "第二项" in body and "说明文字" in body and "未挂载" not in body
        titles = [e.title for e in menu.entries()]
        assert titles.index("未挂载") < titles.index("第二项")
        menu.register("改名", "portal:home", order=21)  # same url_name replaces
        assert [e.title for e in menu.entries() if e.url_name == "portal:home"] == ["改名"]
    finally:
        menu.unregister("portal:home")
        menu.unregister("portal:nothing_here")


def _assisted_client(user, person, ended=False):
    a = Assistance.objects.create(
        person=person,
        village_code=person.village_code,
        assistant=user,
        mode="home",
        authorisation="code",
        ended_at=timezone.now() if ended else None,
    )
    client = login(user)
    session = client.session
    session[ASSIST_KEY] = {
        "person": person.pk,
        "household": person.household_id,
        "by": user.pk,
        "assistance": a.pk,
        "mode": "home",
    }
    session.save()
    return client, a


def test_assisted_session_serves_the_resident_and_marks_it(person, make_user):
    helper = make_user("village-helper", Role.TOWNSHIP, TOWN_A)
    client, a = _assisted_client(helper, person)
    r = client.get(reverse("portal:home"))
    body = r.content.decode()
    assert r.status_code == 200 and "【代办】" in body and "上门" in body
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.user == helper and entry.summary.startswith("【代办】")


def test_assisted_session_refused_when_closed_or_outside_area(person, make_user):
    helper = make_user("village-helper", Role.TOWNSHIP, TOWN_A)
    client, _ = _assisted_client(helper, person, ended=True)
    assert client.get(reverse("portal:home")).status_code == 302
    outsider = make_user("other-town", Role.TOWNSHIP, TOWN_B)
    client, _ = _assisted_client(outsider, person)
    assert client.get(reverse("portal:home")).status_code == 302


def test_logout_ends_the_resident_session(person):
    client = resident_client(person)
    assert client.post(reverse("portal:logout")).status_code == 302
    assert client.get(reverse("portal:home")).status_code == 302
    assert client.get(reverse("portal:logout")).status_code == 405
