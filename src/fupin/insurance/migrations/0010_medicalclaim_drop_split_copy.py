# The split of a stored claim lives only in ClaimSplit (one source of truth). Before the copy on
# MedicalClaim goes, a settled claim with no ClaimSplit row (settled before 0007, which created the
# table empty) gets its row from that copy, so no settled split is lost.

from django.db import migrations

BACKFILL = (
    "INSERT INTO insurance_claimsplit (claim_id, person_id, year, village_code, basic_fen, critical_fen,"
    " assistance_fen, fallback_fen, self_fen)"
    " SELECT m.id, m.person_id, m.year, m.village_code, m.basic_fen, m.critical_fen, m.assistance_fen,"
    " m.fallback_fen, m.self_fen FROM insurance_medicalclaim m"
    " WHERE m.settled_at IS NOT NULL"
    " AND NOT EXISTS (SELECT 1 FROM insurance_claimsplit s WHERE s.claim_id = m.id)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("insurance", "0009_identity_import"),
    ]

    operations = [
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RemoveField(model_name="medicalclaim", name="assistance_fen"),
        migrations.RemoveField(model_name="medicalclaim", name="basic_fen"),
        migrations.RemoveField(model_name="medicalclaim", name="critical_fen"),
        migrations.RemoveField(model_name="medicalclaim", name="fallback_fen"),
        migrations.RemoveField(model_name="medicalclaim", name="self_fen"),
    ]
