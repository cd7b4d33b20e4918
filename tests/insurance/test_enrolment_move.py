"""参保数据 (EnrolmentRecord) moved from exchange to insurance by state only: a database at the old
state migrates forward with its rows, table, constraint and import link untouched; the move
itself issues no SQL; the model reads and writes the same table."""

import io
from importlib import import_module

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from fupin.exchange.models import ImportJob
from fupin.insurance.models import EnrolmentRecord

MOVE = "0013_enrolmentrecord_from_exchange"
# The state just before the move: what the move's own migration depends on.
OLD_STATE = list(import_module(f"fupin.insurance.migrations.{MOVE}").Migration.dependencies)
TABLE = "exchange_enrolmentrecord"


def tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.mark.django_db
def test_model_keeps_its_table_and_constraint():
    assert EnrolmentRecord._meta.app_label == "insurance"
    assert EnrolmentRecord._meta.db_table == TABLE
    assert TABLE in tables()
    assert "insurance_enrolmentrecord" not in tables()
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    assert constraints["enrolment_id_insurance"]["unique"]


@pytest.mark.django_db(transaction=True)  # SQLite opens no schema editor inside a transaction
@pytest.mark.parametrize(
    "app,name",
    [
        ("insurance", MOVE),
        ("exchange", "0003_enrolmentrecord_to_insurance"),
    ],
)
def test_the_move_issues_no_sql(app, name):
    out = io.StringIO()
    call_command("sqlmigrate", app, name, stdout=out)
    sql = [
        line
        for line in out.getvalue().splitlines()
        if line.strip() and not line.startswith("--") and line.strip() not in ("BEGIN;", "COMMIT;")
    ]
    assert sql == []


@pytest.mark.django_db(transaction=True)
def test_old_database_migrates_forward_with_its_rows():
    executor = MigrationExecutor(connection)
    executor.migrate(OLD_STATE)
    old = executor.loader.project_state(OLD_STATE).apps
    assert old.get_model("exchange", "EnrolmentRecord")._meta.db_table == TABLE
    with pytest.raises(LookupError):
        old.get_model("insurance", "EnrolmentRecord")
    job = old.get_model("exchange", "ImportJob").objects.create(
        kind="medical", filename="医保参保.xlsx", content=b"x"
    )
    row = old.get_model("exchange", "EnrolmentRecord").objects.create(
        id_number="36022219800101001X",
        name="老记录",
        area_code="360222101001",
        village_code="360222101001",
        insurance="medical",
        enrolment_status="suspended",
        premium_subsidy=True,
        job_id=job.pk,
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    moved = EnrolmentRecord.objects.get(pk=row.pk)
    assert (moved.id_number, moved.name, moved.enrolment_status, moved.premium_subsidy) == (
        "36022219800101001X",
        "老记录",
        "suspended",
        True,
    )
    assert moved.job == ImportJob.objects.get(pk=job.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrolmentRecord.objects.create(
            id_number="36022219800101001X",
            name="重复",
            area_code="360222101001",
            village_code="360222101001",
            insurance="medical",
            enrolment_status="active",
        )
    assert EnrolmentRecord.objects.count() == 1
