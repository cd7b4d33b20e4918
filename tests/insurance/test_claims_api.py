"""API of stored claims, with attacker cases: another township's ids, wrong JSON types, huge
numbers, far-future dates, unknown policies, read-only accounts, concurrent confirms."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from fupin.insurance.claims.models import ClaimImport, MedicalClaim, Resettlement
from fupin.registry.models import Person
from tests.conftest import TOWN_A, login
from tests.insurance.claims_factories import csv

API = "/api/v1/insurance"


@pytest.fixture
def person(make_household):
    p = Person.objects.get(household=make_household(TOWN_A, members=1))
    Person.objects.filter(pk=p.pk).update(status="exited")
    return Person.objects.get(pk=p.pk)


def upload(client, content: bytes, name: str = "结算.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"{API}/claim-imports", {"file": SimpleUploadedFile(name, content)})


def post(client, url: str, body) -> object:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_upload_confirm_list_detail_and_totals(person, town_a_user):
    c = login(town_a_user)
    r = upload(c, csv(f"ZY1,{person.id_number},,县医院,住院,二级,,2018-03-02,10000.00,8000.00"))
    assert r.status_code == 201 and r.json()["state"] == "ready" and r.json()["rows_rejected"] == 0
    pk = r.json()["id"]
    r = c.post(f"{API}/claim-imports/{pk}/confirm")
    assert r.status_code == 200 and r.json()["state"] == "done"
    [row] = c.get(f"{API}/claims", {"year": 2018}).json()
    assert row["self_fen"] == 430000 and row["basic_fen"] == 570000 and "*" in row["id_number"]
    detail = c.get(f"{API}/claims/{row['id']}").json()
    assert detail["steps"] and detail["category_name"] == "普通参保居民"
    [total] = c.get(f"{API}/claims/totals", {"year": 2018}).json()
    assert total["town"] == TOWN_A and total["self_fen"] == 430000 and total["n"] == 1
    # Confirming twice: the second is refused, nothing doubled.
    r = c.post(f"{API}/claim-imports/{pk}/confirm")
    assert r.status_code == 422 and "已入库" in r.json()["detail"]
    assert MedicalClaim.objects.count() == 1


def test_faulty_upload_lists_rows_and_cannot_be_confirmed(person, town_a_user):
    c = login(town_a_user)
    r = upload(c, csv(f"ZY1,{person.id_number},,县医院,住院,二级,,2999-03-02,100.00,80.00",
                      "ZY2,11010519491231002X,,县医院,住院,二级,,2018-03-02,100.00,80.00"))  # fmt: skip
    body = r.json()
    assert body["rows_rejected"] == 2 and {f["row"] for f in body["faults"]} == {2, 3}
    assert body["unknown_persons"][0][0] == 3
    r = c.post(f"{API}/claim-imports/{body['id']}/confirm")
    assert r.status_code == 422 and not MedicalClaim.objects.exists()


def test_another_townships_objects_are_404(person, town_a_user, town_b_user):
    a, b = login(town_a_user), login(town_b_user)
    pk = upload(
        a, csv(f"ZY1,{person.id_number},,县医院,住院,二级,,2018-03-02,100.00,80.00")
    ).json()["id"]
    assert b.get(f"{API}/claim-imports/{pk}").status_code == 404
    assert b.post(f"{API}/claim-imports/{pk}/confirm").status_code == 404
    a.post(f"{API}/claim-imports/{pk}/confirm")
    claim = MedicalClaim.objects.with_split().get()
    assert b.get(f"{API}/claims/{claim.pk}").status_code == 404
    assert b.get(f"{API}/claims", {"year": 2018}).json() == []
    run = post(a, f"{API}/resettlements", {"year": 2018, "policy": "jining"}).json()
    assert b.get(f"{API}/resettlements/{run['id']}").status_code == 404
    assert b.get(f"{API}/resettlements/{run['id']}/comparison").status_code == 404
    # B cannot re-settle A's township either.
    r = post(b, f"{API}/resettlements", {"year": 2018, "policy": "jining", "area": TOWN_A})
    assert r.status_code == 403 and Resettlement.objects.count() == 1


@pytest.mark.parametrize("body,field", [
    ({"year": "二〇一八", "policy": "jining"}, "year"), ({"year": 2018, "policy": 7}, "policy"),
    ({"year": 10**30, "policy": "jining"}, "year"), ({"year": 2018, "policy": "jining@2999-01-01x"}, "policy"),
    ({"year": 2018, "policy": "nowhere"}, "policy"), ({"year": 2018, "policy": "x" * 41}, "policy"),
    ({"year": 2018, "policy": "jining", "area": "abc"}, "policy"), ([1, 2], None), ({"year": None,
                                                                                     "policy": "jining"}, "year"),
])  # fmt: skip
def test_resettlement_bad_json_is_422_in_chinese(body, field, town_a_user):
    r = post(login(town_a_user), f"{API}/resettlements", body)
    assert r.status_code == 422, r.content
    assert not Resettlement.objects.exists()


@pytest.mark.parametrize("query", [{"year": "abc"}, {"year": 99999}, {"year": 2018, "limit": 10**9}, {"year": 2018,
                                                                                                      "offset": -1},
                                   {"year": 2018, "category": "rich"}, {"year": 2018, "town": "x"}, {}])  # fmt: skip
def test_claim_list_bad_query_is_422(query, town_a_user):
    assert login(town_a_user).get(f"{API}/claims", query).status_code == 422


def test_huge_and_negative_ids_are_not_500(town_a_user):
    c = login(town_a_user)
    for pk in (0, -1, 2**63, 10**30):
        assert c.get(f"{API}/claims/{pk}").status_code in (404, 422)
        assert c.get(f"{API}/resettlements/{pk}").status_code in (404, 422)


def test_read_only_account_cannot_upload_or_resettle(person, make_user):
    c = login(make_user("viewer", "poverty_office", TOWN_A))
    assert (
        upload(
            c, csv(f"ZY1,{person.id_number},,县医院,住院,二级,,2018-03-02,100.00,80.00")
        ).status_code
        == 403
    )
    assert post(c, f"{API}/resettlements", {"year": 2018, "policy": "jining"}).status_code == 403
    assert not ClaimImport.objects.exists() and not Resettlement.objects.exists()


def test_high_self_pay_list(make_household, town_a_user, town_b_user):
    hh = make_household(TOWN_A, members=1, income_year=2017, income_wage_fen=100000)
    p = Person.objects.get(household=hh)
    c = login(town_a_user)
    pk = upload(
        c, csv(f"ZY1,{p.id_number},,县医院,住院,三级,,2018-03-02,30000.00,10000.00")
    ).json()["id"]
    c.post(f"{API}/claim-imports/{pk}/confirm")
    [flag] = c.get(f"{API}/claims/high-self-pay", {"year": 2018}).json()
    assert flag["person_id"] == p.pk and flag["line_fen"] == 40000 and flag["share_bp"] == 4000
    assert login(town_b_user).get(f"{API}/claims/high-self-pay", {"year": 2018}).json() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirms_store_the_file_once(person, town_a_user):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    c = login(town_a_user)
    pk = upload(
        c, csv(f"ZY1,{person.id_number},,县医院,住院,二级,,2018-03-02,100.00,80.00")
    ).json()["id"]
    codes = []

    def confirm():
        codes.append(login(town_a_user).post(f"{API}/claim-imports/{pk}/confirm").status_code)
        connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes).count(200) == 1 and MedicalClaim.objects.count() == 1
