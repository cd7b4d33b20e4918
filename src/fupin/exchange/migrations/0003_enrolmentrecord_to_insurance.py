"""参保数据 (EnrolmentRecord) now belongs to insurance (insurance 0013): the model leaves exchange's
state only; its table `exchange_enrolmentrecord` and its rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0002_import_confirmed_state"),
        ("insurance", "0013_enrolmentrecord_from_exchange"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="EnrolmentRecord")],
            database_operations=[],
        ),
    ]
