"""贫困人员标识回写: one person lists the marks out of step (调整单), another confirms and the enrolment
records are set/cleared with their history; scope, maker-checker, idempotence, pages, exports, API."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from fupin.access.models import AuditEntry, Role
from fupin.insurance.models import EnrolmentRecord
from fupin.registration import selectors, services
from fupin.registration.models import MarkBatch, MarkChange
from fupin.registry.models import Person
from tests.conftest import TOWN_A, TOWN_B, login

pytestmark = pytest.mark.django_db
STRAY = "360222199901019999"  # a tagged record of nobody on the list


@pytest.fixture
def people(make_household):
    a = list(Person.objects.filter(household=make_household(TOWN_A, members=3)).order_by("id"))
    b = list(Person.objects.filter(household=make_household(TOWN_B, members=1)))
    return a, b


def record(p, insurance, tag, id_number=None):
    return EnrolmentRecord.objects.create(
        id_number=id_number or p.id_number,
        name=p.name,
        area_code=p.village_code,
        village_code=p.village_code,
        insurance=insurance,
        enrolment_status="active",
        poverty_tag=tag,
    )


@pytest.fixture
def extract(people):
    (a0, a1, a2), (b0,) = people
    Person.objects.filter(pk=a1.pk).update(status="exited")
    return {
        "new": record(a0, "medical", tag=False),  # 新增标识
        "kept": record(a0, "pension", tag=True),  # in step
        "exited": record(a1, "medical", tag=True),  # 取消标识
        "stray": record(a2, "medical", tag=True, id_number=STRAY),  # 取消标识
        "b": record(b0, "medical", tag=False),  # 乙镇: 新增标识
    }


@pytest.fixture
def checker(make_user):
    return make_user("town-a-checker", Role.TOWNSHIP, TOWN_A)


def tags():
    return dict(
        EnrolmentRecord.objects.values_list("id_number", "poverty_tag").filter(insurance="medical")
    )


def test_prepared_by_one_confirmed_by_another_sets_and_clears_the_marks(
    town_a_user, checker, extract, people
):
    (a0, a1, _), (b0,) = people
    before = tags()
    batch = services.prepare_marks(user=town_a_user, area_code=TOWN_A, expected=3)
    assert tags() == before  # nothing written before the check
    assert sorted(batch.changes.values_list("action", flat=True)) == ["new", "removed", "removed"]
    with pytest.raises(PermissionDenied):  # the maker cannot check his own list
        services.confirm_marks(user=town_a_user, batch_id=batch.pk)
    services.confirm_marks(user=checker, batch_id=batch.pk, note="已核对")
    after = tags()
    assert after[a0.id_number] is True and after[a1.id_number] is False and after[STRAY] is False
    assert after[b0.id_number] is False  # the other township untouched
    assert EnrolmentRecord.objects.get(pk=extract["kept"].pk).poverty_tag is True
    assert selectors.marks(checker, TOWN_A) == []  # in step now
    batch.refresh_from_db()
    assert batch.state == "applied" and batch.checked_by == checker and batch.checked_at
    assert set(batch.changes.values_list("outcome", flat=True)) == {"applied"}
    entry = AuditEntry.objects.filter(object_type="markbatch", action="decision").get()
    assert "新增标识 1 条、取消标识 2 条" in entry.summary and entry.username == checker.username


def test_confirming_twice_or_preparing_again_changes_nothing(town_a_user, checker, extract):
    batch = services.prepare_marks(user=town_a_user, area_code=TOWN_A, expected=3)
    services.confirm_marks(user=checker, batch_id=batch.pk)
    snapshot = tags()
    with pytest.raises(services.RegistrationError, match="已回写"):
        services.confirm_marks(user=checker, batch_id=batch.pk)
    with pytest.raises(services.RegistrationError, match="已回写"):
        services.cancel_marks(user=checker, batch_id=batch.pk, note="重复")
    with pytest.raises(services.RegistrationError, match="没有需要调整"):
        services.prepare_marks(user=town_a_user, area_code=TOWN_A, expected=0)
    assert tags() == snapshot and MarkBatch.objects.count() == 1


def test_a_changed_list_is_refused_and_a_changed_record_left_alone(
    town_a_user, checker, extract, people
):
    (a0, a1, _), _ = people
    with pytest.raises(services.RegistrationError, match="现有 3 条，页面显示 2 条"):
        services.prepare_marks(user=town_a_user, area_code=TOWN_A, expected=2)
    assert not MarkBatch.objects.exists()
    batch = services.prepare_marks(user=town_a_user, area_code=TOWN_A, expected=3)
    # between the two steps: a re-imported extract tags a0, the stray record disappears,
    # and a1 returns to the list (so his mark is right after all)
    EnrolmentRecord.objects.filter(pk=extract["new"].pk).update(poverty_tag=True)
    EnrolmentRecord.objects.filter(pk=extract["stray"].pk).delete()
    Person.objects.filter(pk=a1.pk).update(status="poor")
    services.confirm_marks(user=checker, batch_id=batch.pk)
    outcome = dict(batch.changes.values_list("id_number", "outcome"))
    assert outcome == {a0.id_number: "unchanged", a1.id_number: "unchanged", STRAY: "gone"}
    assert tags()[a1.id_number] is True  # not cleared: he is on the list again


def test_scope_read_only_and_cancel(town_a_user, town_b_user, checker, make_user, extract):
    with pytest.raises(PermissionDenied):
        services.prepare_marks(user=town_b_user, area_code=TOWN_A, expected=3)
    batch = services.prepare_marks(user=town_a_user, area_code=TOWN_A, expected=3)
    with pytest.raises(Http404):
        services.confirm_marks(user=town_b_user, batch_id=batch.pk)
    auditor = make_user("auditor-a", Role.AUDITOR, TOWN_A)
    with pytest.raises(PermissionDenied):
        services.confirm_marks(user=auditor, batch_id=batch.pk)
    with pytest.raises(services.RegistrationError, match="作废原因"):
        services.cancel_marks(user=checker, batch_id=batch.pk, note="  ")
    services.cancel_marks(user=town_a_user, batch_id=batch.pk, note="名单有误，重新核对")
    with pytest.raises(services.RegistrationError, match="已作废"):
        services.confirm_marks(user=checker, batch_id=batch.pk)
    assert tags()[STRAY] is True  # nothing written


def test_county_batch_covers_every_township(county_user, make_user, extract, people):
    _, (b0,) = people
    batch = services.prepare_marks(user=county_user, area_code="360222", expected=4)
    services.confirm_marks(
        user=make_user("county-checker", Role.COUNTY, "360222"), batch_id=batch.pk
    )
    assert tags()[b0.id_number] is True
    # a township sees neither the county's batch nor its lines of other townships
    town_a = make_user("town-a-reader", Role.TOWNSHIP, TOWN_A)
    with pytest.raises(Http404):
        services.confirm_marks(user=town_a, batch_id=batch.pk)


def xlsx_rows(response):
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def test_pages_and_exports(town_a_user, town_b_user, checker, extract, people):
    (a0, *_), (b0,) = people
    maker = login(town_a_user)
    page = maker.get("/registration/marks/", {"area": TOWN_A}).content.decode()
    assert 'name="expected" value="3"' in page
    r = maker.post("/registration/marks/prepare/", {"area": TOWN_A, "expected": "2"})
    assert r.status_code == 302 and not MarkBatch.objects.exists()
    assert "页面显示 2 条" in maker.get(r["Location"]).content.decode()
    for junk in ({"area": TOWN_A, "expected": "x" * 50}, {"area": "9999", "expected": "3"}, {}):
        assert maker.post("/registration/marks/prepare/", junk).status_code == 302
    assert not MarkBatch.objects.exists()
    r = maker.post(
        "/registration/marks/prepare/", {"area": TOWN_A, "expected": "3", "note": "月度核对"}
    )
    batch = MarkBatch.objects.get()
    assert r["Location"] == f"/registration/marks/batches/{batch.pk}/"
    page = maker.get(r["Location"]).content.decode()
    assert "须由另一位工作人员复核" in page and a0.id_number not in page and a0.name in page
    assert maker.post(f"/registration/marks/batches/{batch.pk}/confirm/").status_code == 403
    assert login(town_b_user).get(r["Location"]).status_code == 404
    assert (
        login(town_b_user).post(f"/registration/marks/batches/{batch.pk}/confirm/").status_code
        == 404
    )
    assert maker.post(f"/registration/marks/batches/{batch.pk}/explode/").status_code == 404
    other = login(checker)
    assert "回写参保记录" in other.get(r["Location"]).content.decode()
    other.post(f"/registration/marks/batches/{batch.pk}/confirm/", {"note": "已核对"})
    assert tags()[a0.id_number] is True
    rows = xlsx_rows(other.get(r["Location"], {"format": "xlsx"}))
    assert rows[0][:7] == ["调整", "姓名", "身份证号", "区划", "险种", "原因", "结果"]
    assert len(rows) == 4 and {row[6] for row in rows[1:]} == {"已回写"}
    assert {row[7] for row in rows[1:]} == {checker.get_full_name() or "town-a-checker"}
    assert a0.id_number not in str(rows)
    listed = xlsx_rows(
        other.get("/registration/marks/batches/", {"format": "xlsx", "state": "applied"})
    )
    assert len(listed) == 2 and listed[1][2] == "已回写" and listed[1][3] == 3
    assert (
        len(xlsx_rows(login(town_b_user).get("/registration/marks/batches/", {"format": "xlsx"})))
        == 1
    )
    assert AuditEntry.objects.filter(action="export").count() >= 3


def test_api_attacks(town_a_user, town_b_user, checker, extract):
    a, b, c = login(town_a_user), login(town_b_user), login(checker)
    url = "/api/v1/registration/mark-batches"
    for bad in (
        {"area": TOWN_A, "expected": "three"},
        {"area": TOWN_A, "expected": 10**30},
        {"area": TOWN_A, "expected": -1},
        {"area": ["x"], "expected": 3},
        {"area": TOWN_A, "expected": 3, "note": "长" * 201},
        {"area": "990000", "expected": 3},
        {"area": TOWN_A, "expected": 2},
    ):
        r = a.post(url, bad, content_type="application/json")
        assert r.status_code == 422, (bad, r.content)
        assert r.json()["detail"] and not r.json()["detail"].isascii()
    assert b.post(
        url, {"area": TOWN_A, "expected": 3}, content_type="application/json"
    ).status_code in (403, 422)
    assert not MarkBatch.objects.exists()
    r = a.post(url, {"area": TOWN_A, "expected": 3}, content_type="application/json")
    assert r.status_code == 201 and len(r.json()["changes"]) == 3
    pk = r.json()["id"]
    assert STRAY not in r.content.decode()
    assert a.post(f"{url}/{pk}/confirm", {}, content_type="application/json").status_code == 403
    assert b.get(f"{url}/{pk}").status_code == 404
    assert b.post(f"{url}/{pk}/confirm", {}, content_type="application/json").status_code == 404
    for junk in (10**30, 0, -5):
        assert a.get(f"{url}/{junk}").status_code in (404, 422)
    assert (
        c.post(f"{url}/{pk}/confirm", {"note": 5}, content_type="application/json").status_code
        == 422
    )
    r = c.post(f"{url}/{pk}/confirm", {"note": "ok"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "applied"
    assert {x["outcome"] for x in r.json()["changes"]} == {"applied"}
    again = c.post(f"{url}/{pk}/confirm", {}, content_type="application/json")
    assert again.status_code == 422 and "已回写" in again.json()["detail"]
    assert [x["id"] for x in a.get(url, {"state": "applied"}).json()] == [pk]
    assert b.get(url).json() == [] and a.get(url, {"state": "x"}).status_code == 422
    assert MarkChange.objects.filter(batch_id=pk).count() == 3
