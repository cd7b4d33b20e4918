"""Concurrent writes lose nothing and break no rule (并发写入).

The sequential tests run on SQLite and PostgreSQL; the threaded ones need PostgreSQL, where
two requests really write at the same time (SQLite admits one writer at a time).
"""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from fupin.access.models import AuditEntry
from fupin.registry import services
from fupin.registry.choices import TRANSITIONS, Status
from fupin.registry.forms import HouseholdForm, PersonForm
from fupin.registry.models import Household, Person, StatusChange
from tests.conftest import TOWN_A, login

from .formpage import form_values

DAY = dt.date(2020, 3, 1)


def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "需要 PostgreSQL（设置 DATABASE_URL）：SQLite 一次只允许一个写事务，请求无法真正同时写入；"
            "同一规则在 SQLite 上由本文件的顺序测试验证"
        )


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


# --------------------------------------------------------------------------------------
# Status transitions are checked against the stored status, under the row lock


@pytest.mark.django_db
def test_a_transition_is_checked_against_the_stored_status_not_the_callers_copy(
    make_household, town_a_user
):
    hh = make_household(TOWN_A, members=1, status=Status.POOR)
    stale = Household.objects.get(pk=hh.pk)  # read before someone else removes the household
    services.change_status(
        user=town_a_user,
        subject=Household.objects.get(pk=hh.pk),
        new_status=Status.REMOVED,
        effective_date=DAY,
        reason="整户迁出",
        removal_reason="moved",
    )
    with pytest.raises(services.Conflict, match="不能从“自然减少”变更为“已脱贫\\(享受政策\\)”"):
        services.change_status(
            user=town_a_user,
            subject=stale,
            new_status=Status.EXITED_WITH_POLICY,
            effective_date=DAY,
            reason="达标",
        )
    assert Household.objects.get(pk=hh.pk).status == Status.REMOVED
    assert list(
        StatusChange.objects.filter(household=hh, person=None)
        .exclude(reason="建档")
        .values_list("old_status", "new_status")
    ) == [("poor", "removed")]


@pytest.mark.django_db
def test_a_status_change_the_page_offered_but_another_user_made_impossible_is_a_message(
    make_household, town_a_user, monkeypatch
):
    hh = make_household(TOWN_A, members=1, status=Status.POOR)
    c = login(town_a_user)
    original = services.change_status

    def someone_else_first(
        **kwargs,
    ):  # another request removes the household between the check and the write
        Household.objects.filter(pk=hh.pk).update(status=Status.REMOVED)
        return original(**kwargs)

    monkeypatch.setattr(services, "change_status", someone_else_first)
    r = c.post(
        f"/registry/households/{hh.pk}/status/",
        {"new_status": "exited_policy", "effective_date": "2020-01-01", "reason": "达标"},
        follow=True,
    )
    assert r.status_code == 200
    assert "不能从“自然减少”变更为" in r.content.decode()
    Household.objects.filter(pk=hh.pk).update(status=Status.POOR)
    r = c.post(
        f"/api/v1/households/{hh.pk}/status",
        {"new_status": "exited_policy", "effective_date": "2020-01-01", "reason": "达标"},
        content_type="application/json",
    )
    assert r.status_code == 409 and "不能从“自然减少”变更为" in r.json()["detail"]
    assert Household.objects.get(pk=hh.pk).status == Status.REMOVED
    assert not StatusChange.objects.filter(new_status="exited_policy").exists()


@pytest.mark.django_db
def test_a_household_leaving_through_removal_takes_its_members_along(make_household, town_a_user):
    hh = make_household(TOWN_A, members=3, status=Status.POOR)
    gone, *staying = list(hh.members.order_by("id"))
    services.change_status(
        user=town_a_user,
        subject=gone,
        new_status=Status.REMOVED,
        effective_date=dt.date(2019, 5, 1),
        reason="病故",
        removal_reason="death",
    )
    r = login(town_a_user).post(
        f"/registry/households/{hh.pk}/status/",
        {
            "new_status": "removed",
            "effective_date": "2020-03-01",
            "reason": "整户迁往外省",
            "removal_reason": "moved",
        },
    )
    assert r.status_code == 302
    hh.refresh_from_db()
    assert hh.status == Status.REMOVED and hh.member_count == 0
    for p in staying:
        p.refresh_from_db()
        assert (p.status, p.removal_reason) == (Status.REMOVED, "moved")
        change = StatusChange.objects.get(person=p, new_status=Status.REMOVED)
        assert (change.old_status, change.effective_date, change.changed_by) == (
            "new",
            dt.date(2020, 3, 1),
            town_a_user,
        )
        assert "整户迁往外省" in change.reason
    gone.refresh_from_db()
    assert (
        gone.removal_reason == "death"
    )  # already gone: keeps its own reason and gets no second row
    assert StatusChange.objects.filter(person=gone, new_status=Status.REMOVED).count() == 1
    assert Person.objects.filter(household=hh).exclude(status=Status.REMOVED).count() == 0


# --------------------------------------------------------------------------------------
# Versions: a stale write is refused, never silently applied


@pytest.mark.django_db
def test_api_write_with_a_stale_version_is_409(make_household, town_a_user):
    hh = make_household(TOWN_A, members=1)
    c = login(town_a_user)
    version = c.get(f"/api/v1/households/{hh.pk}").json()["version"]
    r = patch(c, f"/api/v1/households/{hh.pk}", {"version": version, "phone": "13900000001"})
    assert r.status_code == 200, r.content
    assert r.json()["version"] == version + 1
    r = patch(c, f"/api/v1/households/{hh.pk}", {"version": version, "address": "新住址"})
    assert r.status_code == 409
    assert "已被他人修改" in r.json()["detail"]
    hh.refresh_from_db()
    assert (hh.phone, hh.address) == ("13900000001", "")

    person = hh.members.get()
    version = c.get(f"/api/v1/persons/{person.pk}").json()["version"]
    assert (
        patch(
            c, f"/api/v1/persons/{person.pk}", {"version": version, "phone": "13900000002"}
        ).status_code
        == 200
    )
    r = patch(c, f"/api/v1/persons/{person.pk}", {"version": version, "wished_trade": "电工"})
    assert r.status_code == 409 and "已被他人修改" in r.json()["detail"]
    assert Person.objects.get(pk=person.pk).wished_trade == ""


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["household", "person"])
def test_an_edit_page_opened_before_another_change_does_not_overwrite_it(
    make_household, town_a_user, kind
):
    hh = make_household(TOWN_A, members=1)
    obj = hh if kind == "household" else hh.members.get()
    base = f"/registry/{kind}s/{obj.pk}"
    c = login(town_a_user)
    data = form_values(c.get(f"{base}/edit/").content.decode())
    api = f"/api/v1/{kind}s/{obj.pk}"
    assert patch(c, api, {"phone": "13900000009"}).status_code == 200  # someone else, meanwhile
    data["phone"] = "13811111111"
    r = c.post(f"{base}/edit/", data)
    assert r.status_code == 200
    assert "已被他人修改" in r.content.decode()
    obj.refresh_from_db()
    assert obj.phone == "13900000009"
    # Reopened, the page carries the new version and saves.
    data = form_values(c.get(f"{base}/edit/").content.decode())
    data["phone"] = "13811111111"
    assert c.post(f"{base}/edit/", data).status_code == 302
    obj.refresh_from_db()
    assert obj.phone == "13811111111"


@pytest.mark.django_db
def test_an_edit_never_reverts_a_status_changed_meanwhile(make_household, town_a_user):
    hh = make_household(TOWN_A, members=1, status=Status.POOR)
    c = login(town_a_user)
    data = form_values(c.get(f"/registry/households/{hh.pk}/edit/").content.decode())
    data.pop("version", None)  # a client that sends no version still cannot revert other fields
    c.post(
        f"/api/v1/households/{hh.pk}/status",
        {"new_status": "exited_policy", "effective_date": "2019-12-01", "reason": "达标"},
        content_type="application/json",
    )
    data["address"] = "新住址"
    assert c.post(f"/registry/households/{hh.pk}/edit/", data).status_code == 302
    hh.refresh_from_db()
    assert (hh.status, hh.address) == (Status.EXITED_WITH_POLICY, "新住址")


# --------------------------------------------------------------------------------------
# Real threads on PostgreSQL


def _run_together(requests):
    """Start one thread per request; each has its own connection."""
    results: list = [None] * len(requests)

    def run(i, fn):
        try:
            results[i] = fn()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _wait_for_each_other(monkeypatch, cls, method: str, parties: int):
    """Make every request reach `method` before any goes on: the widest window for a race.

    Where the fixed code serialises the requests before that point, the barrier times out and
    each goes on alone.
    """
    barrier = threading.Barrier(parties)
    original = getattr(cls, method)

    def wrapped(*args, **kwargs):
        try:
            barrier.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass
        return original(*args, **kwargs)

    monkeypatch.setattr(cls, method, wrapped)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "kind,form,fields",
    [
        (
            "households",
            HouseholdForm,
            ({"phone": "13900000001"}, {"address": "城南路1号"}, {"cadre_name": "王干部"}),
        ),
        (
            "persons",
            PersonForm,
            ({"phone": "13900000002"}, {"wished_trade": "电工"}, {"ethnicity": "畲族"}),
        ),
    ],
)
def test_simultaneous_patches_of_different_fields_all_land(
    make_household, town_a_user, monkeypatch, kind, form, fields
):
    needs_postgresql()
    hh = make_household(TOWN_A, members=1)
    pk = hh.pk if kind == "households" else hh.members.get().pk
    clients = [login(town_a_user) for _ in fields]
    _wait_for_each_other(monkeypatch, form, "full_clean", len(fields))
    results = _run_together(
        [
            lambda c=c, d=d: patch(c, f"/api/v1/{kind}/{pk}", d)
            for c, d in zip(clients, fields, strict=True)
        ]
    )
    assert [r.status_code for r in results] == [200] * len(fields), [r.content for r in results]
    stored = (Household if kind == "households" else Person).objects.get(pk=pk)
    for d in fields:
        ((field, value),) = d.items()
        assert getattr(stored, field) == value, f"{field} lost"
    assert AuditEntry.objects.filter(action="update", object_id=str(pk)).count() == len(fields)


@pytest.mark.django_db(transaction=True)
def test_three_simultaneous_status_changes_keep_the_lifecycle(
    make_household, town_a_user, monkeypatch
):
    needs_postgresql()
    hh = make_household(TOWN_A, members=2, status=Status.POOR)
    wanted = [
        {
            "new_status": "removed",
            "effective_date": "2020-03-01",
            "reason": "整户迁出",
            "removal_reason": "moved",
        },
        {"new_status": "exited_policy", "effective_date": "2020-03-01", "reason": "达标"},
        {
            "new_status": "exited_policy",
            "effective_date": "2020-03-02",
            "reason": "达标（重复提交）",
        },
    ]
    clients = [login(town_a_user) for _ in wanted]
    _wait_for_each_other(monkeypatch, services, "change_status", len(wanted))
    results = _run_together(
        [
            lambda c=c, d=d: c.post(
                f"/api/v1/households/{hh.pk}/status", d, content_type="application/json"
            )
            for c, d in zip(clients, wanted, strict=True)
        ]
    )
    codes = sorted(r.status_code for r in results)
    assert set(codes) <= {200, 409} and 200 in codes, [r.content for r in results]
    chain = list(
        StatusChange.objects.filter(household=hh, person=None)
        .order_by("id")
        .values_list("old_status", "new_status")
    )
    assert len(chain) == codes.count(200)
    previous = Status.POOR
    for old, new in chain:
        assert old == previous and new in TRANSITIONS[old], chain
        previous = new
    hh.refresh_from_db()
    assert hh.status == previous
    if hh.status == Status.REMOVED:
        assert not Person.objects.filter(household=hh).exclude(status=Status.REMOVED).exists()
