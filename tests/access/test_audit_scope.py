"""Who reads which audit entry: each entry carries the area it concerns; an entry with no area
(an unknown login name, a superuser bound to no area acting on nothing area-bound) is read by
superusers only — never by a township auditor, nor by a county auditor of any county."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from fupin.access.audit import record
from fupin.access.models import AuditAction, AuditEntry, Role, User
from fupin.areas.models import Area, Level
from tests.conftest import COUNTY, TOWN_A, login

BEFORE_BACKFILL = ("access", "0002_audit_area_code")


@pytest.fixture
def other_county(areas):
    """乐平市 (360281), a county of the same city that is not ours."""
    city = Area.objects.get(code=COUNTY[:4])
    return Area.objects.create(code="360281", name="乐平市", level=Level.COUNTY, parent=city)


def test_entries_without_an_area_are_read_by_superusers_only(
    make_household, make_user, other_county
):
    root = User.objects.create_superuser("root", password="x-Long-pass-1")
    person = make_household(TOWN_A, members=1).members.get()
    record(
        AuditAction.EXPORT,
        user=root,
        object_type="export",
        object_id="全部.xlsx",
        summary="无区划导出",
    )
    Client().post("/login/", {"username": "nobody-at-all", "password": "x"})
    record(AuditAction.UNMASK, user=root, obj=person, summary="有区划查看")
    assert AuditEntry.objects.get(summary="有区划查看").area_code == person.village_code
    assert AuditEntry.objects.get(summary="无区划导出").area_code == ""
    for auditor in (
        make_user("aud-town", Role.AUDITOR, TOWN_A),
        make_user("aud-county", Role.AUDITOR, COUNTY),
        make_user("aud-other", Role.AUDITOR, other_county.code),
    ):
        page = login(auditor).get("/audit/").content.decode()
        assert "无区划导出" not in page and "nobody-at-all" not in page, auditor.username
        assert ("有区划查看" in page) == (auditor.username != "aud-other"), auditor.username
    page = login(root).get("/audit/").content.decode()
    assert "无区划导出" in page and "nobody-at-all" in page and "有区划查看" in page


@pytest.mark.django_db(transaction=True)
def test_backfill_gives_old_entries_their_area(make_household, town_a_user):
    """Entries written before the area existed take their record's village, else their user's area."""
    person = make_household(TOWN_A, members=1).members.get()
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_BACKFILL])
    old = executor.loader.project_state([BEFORE_BACKFILL]).apps.get_model("access", "AuditEntry")
    county = User.objects.create_user(
        "county-old", password="x-Long-pass-1", role=Role.COUNTY, area=Area.objects.get(code=COUNTY)
    )
    about_person = old.objects.create(
        user_id=county.pk,
        username="county-old",
        action="unmask",
        object_type="person",
        object_id=str(person.pk),
        summary="old-person",
    )
    by_township = old.objects.create(
        user_id=town_a_user.pk,
        username="town-a",
        action="export",
        object_type="export",
        object_id="x.xlsx",
        summary="old-export",
    )
    failed = old.objects.create(username="town-a", action="login_failed", summary="old-failed")
    stranger = old.objects.create(username="nobody", action="login_failed", summary="old-stranger")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    areas = dict(
        AuditEntry.objects.filter(
            pk__in=[about_person.pk, by_township.pk, failed.pk, stranger.pk]
        ).values_list("summary", "area_code")
    )
    assert areas == {
        "old-person": person.village_code,
        "old-export": TOWN_A,
        "old-failed": TOWN_A,
        "old-stranger": "",
    }
