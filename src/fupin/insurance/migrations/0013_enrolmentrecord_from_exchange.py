"""参保数据 (EnrolmentRecord) moves from exchange to insurance: state only, the table stays."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("insurance", "0012_official_resettlement"),
        ("exchange", "0002_import_confirmed_state"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="EnrolmentRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("id_number", models.CharField(max_length=18, verbose_name="身份证号")),
                        ("name", models.CharField(max_length=50, verbose_name="姓名")),
                        ("area_code", models.CharField(max_length=12, verbose_name="参保地区划")),
                        (
                            "village_code",
                            models.CharField(
                                db_index=True, max_length=12, verbose_name="区划(12位)"
                            ),
                        ),
                        (
                            "insurance",
                            models.CharField(
                                choices=[("pension", "养老保险"), ("medical", "医疗保险")],
                                max_length=8,
                                verbose_name="险种",
                            ),
                        ),
                        (
                            "enrolment_status",
                            models.CharField(
                                choices=[
                                    ("active", "正常参保"),
                                    ("suspended", "暂停"),
                                    ("terminated", "终止"),
                                ],
                                max_length=12,
                                verbose_name="参保状态",
                            ),
                        ),
                        (
                            "poverty_tag",
                            models.BooleanField(default=False, verbose_name="贫困人员标识"),
                        ),
                        (
                            "premium_subsidy",
                            models.BooleanField(default=False, verbose_name="政府代缴"),
                        ),
                        ("deceased", models.BooleanField(default=False, verbose_name="死亡")),
                        (
                            "updated_at",
                            models.DateTimeField(auto_now=True, verbose_name="更新时间"),
                        ),
                        (
                            "job",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="exchange.importjob",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "参保数据",
                        "verbose_name_plural": "参保数据",
                        "db_table": "exchange_enrolmentrecord",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("id_number", "insurance"), name="enrolment_id_insurance"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
