"""Nobody is paid twice: one entitlement (kind, person, period, item) is in one live line only —
a database constraint, tried with real threads, each on its own connection, on PostgreSQL."""

import threading
import time

import pytest
from django.db import IntegrityError, connection, connections, transaction

from fupin.payments import services
from fupin.payments.models import Batch, BatchLine
from fupin.payments.services import PaymentError
from tests.conftest import TOWN_A

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent transactions: PostgreSQL"
)


def _line(batch, person, **kw):
    return BatchLine(
        batch=batch,
        kind="t_post",
        person=person,
        village_code=person.village_code,
        period="2018-03",
        amount_fen=50_000,
        rule="r",
        **kw,
    )


@pytest.mark.django_db
def test_the_database_refuses_a_second_live_line_of_one_entitlement(kind, two_towns, town_a_user):
    batch = services.prepare(user=town_a_user, kind="t_post", period="2018-03", area_code=TOWN_A)
    person = batch.lines.first().person
    with pytest.raises(IntegrityError), transaction.atomic():
        _line(batch, person).save()
    # A dead line (cancelled, removed, sent on) does not count; another item is another entitlement.
    _line(batch, person, live=False).save()
    _line(batch, person, item="loan-7").save()


def _in_threads(n, fn):
    barrier, results = threading.Barrier(n), [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - the outcome of each thread is the test's subject
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_batches_prepared_at_the_same_moment_take_each_entitlement_once(
    kind, two_towns, town_a_user, town_a_checker
):
    users = [town_a_user, town_a_checker, town_a_user, town_a_checker]
    results = _in_threads(
        4,
        lambda i: services.prepare(
            user=users[i], kind="t_post", period="2018-03", area_code=TOWN_A
        ),
    )
    made = [r for r in results if isinstance(r, Batch)]
    refused = [r for r in results if isinstance(r, PaymentError)]
    assert len(made) + len(refused) == 4 and made, results
    assert all("没有待发放" in str(r) for r in refused)
    live = list(BatchLine.objects.filter(live=True).values_list("person_id", "period", "item"))
    # 浮梁镇 has 4 persons: 4 live lines in all, each entitlement once, whatever the interleaving.
    assert len(live) == len(set(live)) == 4
    assert sum(Batch.objects.get(pk=b.pk).line_count for b in made) == 4
    assert Batch.objects.count() == len(made)  # a refused batch left nothing behind


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_transactions_the_second_waits_and_is_refused(kind, two_towns, town_a_user):
    batch = services.prepare(user=town_a_user, kind="t_post", period="2018-03", area_code=TOWN_A)
    BatchLine.objects.filter(batch=batch).update(live=False)
    person = batch.lines.first().person

    def insert(i):
        with transaction.atomic():
            _line(batch, person).save()
            if i == 0:
                time.sleep(
                    0.5
                )  # the other transaction inserts meanwhile and must wait for this commit
        return "saved"

    results = _in_threads(2, insert)
    assert sorted(type(r).__name__ for r in results) == ["IntegrityError", "str"], results
    assert BatchLine.objects.filter(live=True, person=person).count() == 1
