"""Stored claims are settled again in place (a whole year at a time): on PostgreSQL the table keeps
half of each page free so rewriting the five parts is a HOT update — no index is touched
(bench/claims.py: the write-back of 1,000,000 claims went from ~107 s to ~18 s)."""

from django.db import migrations


def fillfactor(value: int):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE insurance_medicalclaim SET (fillfactor = {value})")

    return apply


class Migration(migrations.Migration):
    dependencies = [("insurance", "0003_lean_run_tables")]

    operations = [migrations.RunPython(fillfactor(50), fillfactor(100))]
