"""Status lifecycle (状态流转): every change kept with who, when, effective date and reason."""

import datetime as dt

import pytest

from fupin.access.models import AuditEntry
from fupin.registry.choices import Status
from fupin.registry.models import Household, Person, StatusChange
from tests.conftest import login


@pytest.fixture
def hh(make_household):
    return make_household(members=3, status=Status.POOR)


def test_household_status_change_is_kept_in_history(hh, town_a_user):
    c = login(town_a_user)
    r = c.post(
        f"/registry/households/{hh.pk}/status/",
        {
            "new_status": "exited_policy",
            "effective_date": "2019-12-01",
            "reason": "两不愁三保障达标",
        },
    )
    assert r.status_code == 302
    hh.refresh_from_db()
    assert hh.status == Status.EXITED_WITH_POLICY and hh.exit_year == 2019
    change = StatusChange.objects.get(household=hh, person=None, new_status="exited_policy")
    assert (change.old_status, change.reason, change.changed_by, change.effective_date) == (
        "poor",
        "两不愁三保障达标",
        town_a_user,
        dt.date(2019, 12, 1),
    )
    page = c.get(f"/registry/households/{hh.pk}/").content.decode()
    assert "两不愁三保障达标" in page and "已脱贫(享受政策)" in page
    audit = AuditEntry.objects.get(action="status", object_id=str(hh.pk))
    assert audit.changes["status"] == ["poor", "exited_policy"] and audit.username == "town-a"


def test_forbidden_transition_is_refused_with_reason(hh, town_a_user):
    c = login(town_a_user)
    r = c.post(
        f"/registry/households/{hh.pk}/status/",
        {"new_status": "returned", "effective_date": "2020-01-01", "reason": "x"},
        follow=True,
    )
    assert "不能从“未脱贫”变更为“返贫”" in r.content.decode()
    hh.refresh_from_db()
    assert hh.status == Status.POOR
    assert not StatusChange.objects.filter(new_status="returned").exists()


def test_person_removal_needs_a_reason_and_updates_household(hh, town_a_user):
    person = hh.members.order_by("id").last()
    c = login(town_a_user)
    r = c.post(
        f"/api/v1/persons/{person.pk}/status",
        {"new_status": "removed", "effective_date": "2020-03-01", "reason": "病故"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "自然减少须注明原因" in r.json()["errors"]["removal_reason"][0]
    r = c.post(
        f"/api/v1/persons/{person.pk}/status",
        {
            "new_status": "removed",
            "effective_date": "2020-03-01",
            "reason": "病故",
            "removal_reason": "death",
        },
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    person.refresh_from_db()
    assert person.status == Status.REMOVED and person.removal_reason == "death"
    assert Household.objects.get(pk=hh.pk).member_count == 2
    r = c.post(
        f"/api/v1/persons/{person.pk}/status",
        {"new_status": "poor", "effective_date": "2020-04-01", "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "已是终态" in r.json()["errors"]["new_status"][0]


def test_household_whose_members_all_left_can_still_be_edited(make_household, town_a_user):
    hh = make_household(members=1, status="poor")
    person = hh.members.get()
    c = login(town_a_user)
    r = c.post(
        f"/api/v1/persons/{person.pk}/status",
        {
            "new_status": "removed",
            "effective_date": "2020-03-01",
            "reason": "病故",
            "removal_reason": "death",
        },
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert Household.objects.get(pk=hh.pk).member_count == 0
    r = c.patch(
        f"/api/v1/persons/{person.pk}", {"phone": "13900000000"}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    assert Household.objects.get(pk=hh.pk).head_name == person.name


def test_no_code_path_deletes_a_registry_row(hh):
    person = hh.members.first()
    for action in (
        hh.delete,
        person.delete,
        Household.objects.all().delete,
        Person.objects.all().delete,
        StatusChange.objects.all().delete,
    ):
        with pytest.raises(PermissionError, match="不能删除"):
            action()
    assert (
        Household.objects.filter(pk=hh.pk).exists() and Person.objects.filter(pk=person.pk).exists()
    )


def test_read_only_roles_cannot_change_status(hh, make_user):
    auditor = make_user("aud", "auditor", "360222")
    r = login(auditor).post(
        f"/registry/households/{hh.pk}/status/",
        {"new_status": "exited_policy", "effective_date": "2019-12-01", "reason": "x"},
    )
    assert r.status_code == 403
    r = login(auditor).post(
        f"/api/v1/households/{hh.pk}/status",
        {"new_status": "exited_policy", "effective_date": "2019-12-01", "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 403
    hh.refresh_from_db()
    assert hh.status == Status.POOR
