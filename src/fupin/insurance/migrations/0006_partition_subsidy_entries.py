"""On PostgreSQL the yearly 代缴 list (insurance_subsidyentry) becomes a partitioned table: by
insurance, then by year, so that a county-wide run can build the year's list as a fresh table,
index it once and swap it in (`fupin.insurance.entitlements`). Nothing changes for Django: same
columns, same unique (person, year, insurance, scheme), same area index; the primary key in the
database becomes (id, insurance, year) because PostgreSQL wants the partition key in it (ids stay
unique: they come from one sequence). A year without its own partition lands in the insurance's
default partition. SQLite keeps the plain table.
"""

from django.db import migrations

FORWARD = """
ALTER TABLE insurance_subsidyentry RENAME TO insurance_subsidyentry_flat;
ALTER TABLE insurance_subsidyentry_flat
    RENAME CONSTRAINT insurance_subsidyentry_pkey TO insurance_subsidyentry_flat_pkey;
ALTER TABLE insurance_subsidyentry_flat RENAME CONSTRAINT subsidy_entry_once TO subsidy_entry_once_flat;
ALTER INDEX subsidy_entry_area RENAME TO subsidy_entry_area_flat;
CREATE TABLE insurance_subsidyentry (LIKE insurance_subsidyentry_flat INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY LIST (insurance);
CREATE SEQUENCE insurance_subsidyentry_part_id_seq AS bigint OWNED BY insurance_subsidyentry.id;
ALTER TABLE insurance_subsidyentry ALTER COLUMN id SET DEFAULT nextval('insurance_subsidyentry_part_id_seq');
ALTER TABLE insurance_subsidyentry ADD CONSTRAINT insurance_subsidyentry_pkey PRIMARY KEY (id, insurance, year);
ALTER TABLE insurance_subsidyentry ADD CONSTRAINT subsidy_entry_once UNIQUE (person_id, year, insurance, scheme);
CREATE INDEX subsidy_entry_area ON insurance_subsidyentry (year, insurance, scheme, village_code);
CREATE TABLE insurance_subsidyentry_medical PARTITION OF insurance_subsidyentry
    FOR VALUES IN ('medical') PARTITION BY LIST (year);
CREATE TABLE insurance_subsidyentry_medical_other PARTITION OF insurance_subsidyentry_medical DEFAULT;
CREATE TABLE insurance_subsidyentry_pension PARTITION OF insurance_subsidyentry
    FOR VALUES IN ('pension') PARTITION BY LIST (year);
CREATE TABLE insurance_subsidyentry_pension_other PARTITION OF insurance_subsidyentry_pension DEFAULT;
CREATE TABLE insurance_subsidyentry_other PARTITION OF insurance_subsidyentry DEFAULT;
INSERT INTO insurance_subsidyentry SELECT * FROM insurance_subsidyentry_flat;
SELECT setval('insurance_subsidyentry_part_id_seq',
              COALESCE((SELECT max(id) FROM insurance_subsidyentry_flat), 0) + 1, false);
DROP TABLE insurance_subsidyentry_flat;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        cur.execute(FORWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("insurance", "0005_lean_resettled_claims"),
    ]

    # Backwards leaves the partitioned table: Django reads and writes it like the plain one.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
