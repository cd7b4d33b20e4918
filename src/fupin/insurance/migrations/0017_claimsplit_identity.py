# The identity a claim was settled with (policy, period, category and its basis, chronic class, when)
# moves from MedicalClaim to ClaimSplit, beside the split it was settled with: a re-settle of a whole
# year writes both in one COPY and table swap instead of an UPDATE of a million wide claim rows.
# Existing settlements are copied over (one UPDATE … FROM, PostgreSQL and SQLite ≥ 3.33); a claim
# without a ClaimSplit row stays not settled, as it was (category "").

from django.db import migrations, models

COPY = (
    "UPDATE insurance_claimsplit SET policy = m.policy, period = m.period, category = m.category,"
    " category_basis = m.category_basis, chronic_class = m.chronic_class, settled_at = m.settled_at"
    " FROM insurance_medicalclaim m WHERE m.id = insurance_claimsplit.claim_id"
)
FIELDS = ("policy", "period", "category", "category_basis", "chronic_class")
LENGTHS = {"policy": 40, "period": 40, "category": 8, "category_basis": 200, "chronic_class": 4}
NAMES = {"policy": "适用政策", "period": "政策期间", "category": "人员类别", "category_basis": "类别依据",
         "chronic_class": "慢性病类别"}  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("insurance", "0016_official_change_no_triggers"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="claimsplit",
            options={"verbose_name": "正式结算", "verbose_name_plural": "正式结算"},
        ),
        *(
            migrations.AddField(
                model_name="claimsplit",
                name=name,
                field=models.CharField(
                    NAMES[name], max_length=LENGTHS[name], blank=True, default="", db_default=""
                ),
            )
            for name in FIELDS
        ),
        migrations.AddField(
            model_name="claimsplit",
            name="settled_at",
            field=models.DateTimeField("结算时间", null=True, blank=True),
        ),
        migrations.RunSQL(COPY, migrations.RunSQL.noop),
        *(
            migrations.RemoveField(model_name="medicalclaim", name=name)
            for name in (*FIELDS, "settled_at")
        ),
    ]
