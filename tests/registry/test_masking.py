"""ID numbers and names never leak: the edit page, the audit log, duplicate messages."""

import unicodedata

import pytest

from fupin.access.audit import record
from fupin.access.models import AuditEntry, Role
from fupin.registry.idnumber import mask
from fupin.registry.models import Person
from tests.conftest import COUNTY, TOWN_A, TOWN_B, login, village_of

from .formpage import form_values, readonly_fields


@pytest.fixture
def person(make_household):
    return make_household(TOWN_A, members=2).members.order_by("id").first()


@pytest.fixture
def assistant(make_user, person):
    return make_user("village-a", Role.VILLAGE, person.village_code)


def _edit(client, person, query=""):
    r = client.get(f"/registry/persons/{person.pk}/edit/{query}")
    assert r.status_code == 200
    return r.content.decode()


def test_edit_page_masks_the_id_for_an_assistant_and_saves_other_fields(person, assistant):
    c = login(assistant)
    page = _edit(c, person)
    assert person.id_number not in page
    assert mask(person.id_number) in page
    assert "id_number" in readonly_fields(page)
    assert not AuditEntry.objects.filter(action="unmask").exists()
    # Asking for the full number without the permission shows the mask all the same.
    assert person.id_number not in _edit(c, person, "?show_id=1")
    assert not AuditEntry.objects.filter(action="unmask").exists()

    data = form_values(page)
    assert data["id_number"] == mask(person.id_number)
    data["phone"] = "13912345678"
    r = c.post(f"/registry/persons/{person.pk}/edit/", data)
    assert r.status_code == 302, r.content.decode()
    stored = Person.objects.get(pk=person.pk)
    assert stored.phone == "13912345678"
    assert stored.id_number == person.id_number  # the mask did not overwrite the number


def test_an_assistant_cannot_change_the_id_by_posting_another(person, assistant, make_household):
    c = login(assistant)
    data = form_values(_edit(c, person))
    other = "360222198001010014"
    data["id_number"] = other
    r = c.post(f"/registry/persons/{person.pk}/edit/", data)
    assert r.status_code == 200
    assert "无权更正身份证号" in r.content.decode()
    assert Person.objects.get(pk=person.pk).id_number == person.id_number


def test_full_id_on_the_edit_page_only_with_permission_and_audited(person, county_user):
    c = login(county_user)
    page = _edit(c, person)
    assert person.id_number not in page  # masked until asked for
    assert not AuditEntry.objects.filter(action="unmask").exists()
    page = _edit(c, person, "?show_id=1")
    assert person.id_number in page
    entry = AuditEntry.objects.get(action="unmask", object_id=str(person.pk))
    assert entry.user == county_user and person.id_number not in entry.summary


def test_a_permitted_user_corrects_the_id(person, county_user):
    c = login(county_user)
    data = form_values(_edit(c, person, "?show_id=1"))
    assert data["id_number"] == person.id_number
    corrected = "360222198001010014"
    data["id_number"] = corrected
    r = c.post(f"/registry/persons/{person.pk}/edit/?show_id=1", data)
    assert r.status_code == 302, r.content.decode()
    stored = Person.objects.get(pk=person.pk)
    assert stored.id_number == corrected
    assert (stored.sex, str(stored.birth_date)) == ("男", "1980-01-01")
    entry = AuditEntry.objects.get(action="update", object_id=str(person.pk))
    assert entry.changes["id_number"] == [mask(person.id_number), mask(corrected)]
    assert corrected not in str(entry.changes) and person.id_number not in str(entry.changes)


def test_api_patch_with_the_masked_id_keeps_the_number_and_needs_permission_to_change_it(
    person, town_a_user, county_user
):
    c = login(town_a_user)
    shown = c.get(f"/api/v1/persons/{person.pk}").json()
    assert shown["id_number"] == mask(person.id_number)
    r = c.patch(
        f"/api/v1/persons/{person.pk}",
        {"id_number": shown["id_number"], "phone": "13900000001"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert Person.objects.get(pk=person.pk).id_number == person.id_number
    r = c.patch(
        f"/api/v1/persons/{person.pk}",
        {"id_number": "360222198001010014"},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert "无权更正身份证号" in r.json()["errors"]["id_number"][0]
    r = login(county_user).patch(
        f"/api/v1/persons/{person.pk}",
        {"id_number": "360222198001010014"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert Person.objects.get(pk=person.pk).id_number == "360222198001010014"


def test_export_summary_in_the_audit_log_masks_the_searched_id(person, county_user, make_user):
    full = person.id_number
    spaced = f"{full[:6]} {full[6:14]} {full[14:]}"
    for q in (full, spaced, full.translate(str.maketrans("0123456789", "０１２３４５６７８９"))):
        assert (
            login(county_user).get("/registry/households/export.xlsx", {"q": q}).status_code == 200
        )
    entries = AuditEntry.objects.filter(action="export")
    assert entries.count() == 3
    for entry in entries:
        assert full not in unicodedata.normalize("NFKC", entry.summary).replace(" ", "")
        assert mask(full) in entry.summary
    page = (
        login(make_user("aud", Role.AUDITOR, COUNTY)).get("/audit/?action=export").content.decode()
    )
    assert "导出贫困户名单" in page and full not in page


def test_every_audit_entry_masks_ids_in_summary_and_changes(person, county_user, make_user):
    full = person.id_number
    legacy = "360222800101001"  # a 15-digit number
    entry = record(
        "decision",
        user=county_user,
        obj=person,
        summary=f"核对 {full} 与 {legacy}；电话 13912345678",
        changes={"note": [None, f"原号码{full}"], "ids": [[full], None]},
    )
    assert (
        full not in entry.summary and legacy not in entry.summary and "13912345678" in entry.summary
    )
    assert entry.changes == {"note": [None, f"原号码{mask(full)}"], "ids": [[mask(full)], None]}
    # Entries written before masking are masked on the page all the same.
    AuditEntry.objects.create(
        action="export",
        username="old",
        summary=f"筛选 q={full}",
        changes={"q": [None, full]},
        area_code=person.village_code,
    )
    page = login(make_user("aud", Role.AUDITOR, COUNTY)).get("/audit/").content.decode()
    assert full not in page and mask(full) in page


def test_duplicate_household_number_outside_the_area_names_nobody(
    make_household, town_a_user, county_user
):
    theirs = make_household(TOWN_B, members=1)
    data = {
        "number": theirs.number,
        "village": village_of(TOWN_A).code,
        "year_identified": 2016,
        "main_cause": "illness",
    }
    r = login(town_a_user).post("/api/v1/households", data, content_type="application/json")
    assert r.status_code == 422
    msg = r.json()["errors"]["number"][0]
    assert theirs.head_name not in msg and "其他辖区" in msg
    r = login(county_user).post("/api/v1/households", data, content_type="application/json")
    assert (
        theirs.head_name in r.json()["errors"]["number"][0]
    )  # inside the county's area it may say whose
