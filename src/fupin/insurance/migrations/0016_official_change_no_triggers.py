# OfficialChange rows are COPY'd a year at a time (up to a million): no foreign-key trigger on the run and no
# index on run or claim alone (the unique (run, claim) index serves every read, by run).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("insurance", "0015_claim_trail"),
    ]

    operations = [
        migrations.AlterField(
            model_name="officialchange",
            name="claim",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="insurance.medicalclaim",
                verbose_name="结算单",
            ),
        ),
        migrations.AlterField(
            model_name="officialchange",
            name="run",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="changes",
                to="insurance.officialresettlement",
                verbose_name="重算",
            ),
        ),
    ]
