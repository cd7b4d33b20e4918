"""Stored claims are no longer rewritten in place: since 0017 a settlement writes only `ClaimSplit`
(swapped whole), so the half-empty pages 0004 kept for HOT updates of `insurance_medicalclaim`
only made every read of a year scan twice the pages. New pages are filled again (PostgreSQL;
existing pages stay as they are until the table is rewritten, e.g. by VACUUM FULL in a quiet hour)."""

from django.db import migrations


def fillfactor(value: int):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE insurance_medicalclaim SET (fillfactor = {value})")

    return apply


class Migration(migrations.Migration):
    dependencies = [("insurance", "0017_claimsplit_identity")]

    operations = [migrations.RunPython(fillfactor(100), fillfactor(50))]
