# The trail (计算过程) of a stored claim moves out of MedicalClaim into its own narrow table,
# ClaimTrail, so a settlement no longer rewrites a million wide rows with ~2 KB of JSON each. Every
# claim that has steps gets its trail row (with the policy, period and settlement time it was
# computed under), then MedicalClaim.steps goes. Backwards: the steps go back onto the claims.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVE = (
    "INSERT INTO insurance_claimtrail (claim_id, person_id, year, village_code, policy, period, steps, settled_at)"
    " SELECT id, person_id, year, village_code, policy, period, steps, settled_at FROM insurance_medicalclaim"
    " WHERE {length}(steps) > 0"
)
BACK = (
    "UPDATE insurance_medicalclaim SET steps = (SELECT t.steps FROM insurance_claimtrail t"
    " WHERE t.claim_id = insurance_medicalclaim.id)"
    " WHERE id IN (SELECT claim_id FROM insurance_claimtrail)"
)


def move_trails(apps, schema_editor):
    length = (
        "jsonb_array_length"
        if schema_editor.connection.vendor == "postgresql"
        else "json_array_length"
    )
    schema_editor.execute(MOVE.format(length=length))


def move_back(apps, schema_editor):
    schema_editor.execute(BACK)


class Migration(migrations.Migration):
    dependencies = [
        ("insurance", "0014_import_progress_rows"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ClaimTrail",
            fields=[
                (
                    "claim",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="trail",
                        serialize=False,
                        to="insurance.medicalclaim",
                        verbose_name="结算单",
                    ),
                ),
                ("person_id", models.BigIntegerField(verbose_name="人员")),
                ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                ("village_code", models.CharField(max_length=12, verbose_name="村代码")),
                ("policy", models.CharField(blank=True, max_length=40, verbose_name="适用政策")),
                ("period", models.CharField(blank=True, max_length=40, verbose_name="政策期间")),
                ("steps", models.JSONField(blank=True, default=list, verbose_name="计算过程")),
                (
                    "settled_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="结算时间"),
                ),
            ],
            options={
                "verbose_name": "计算过程",
                "verbose_name_plural": "计算过程",
                "indexes": [
                    models.Index(fields=["person_id", "year"], name="claimtrail_person_year")
                ],
            },
        ),
        migrations.RunPython(move_trails, move_back),
        migrations.RemoveField(
            model_name="medicalclaim",
            name="steps",
        ),
        migrations.CreateModel(
            name="TrailFill",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("area_code", models.CharField(max_length=12, verbose_name="范围")),
                (
                    "year",
                    models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="年度"),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("queued", "排队中"),
                            ("running", "补写中"),
                            ("done", "已完成"),
                            ("failed", "失败"),
                        ],
                        default="queued",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("message", models.TextField(blank=True, verbose_name="结果说明")),
                ("rows_total", models.PositiveIntegerField(default=0, verbose_name="待补写笔数")),
                ("rows_done", models.PositiveIntegerField(default=0, verbose_name="已补写笔数")),
                (
                    "mismatched",
                    models.PositiveIntegerField(default=0, verbose_name="核对不一致笔数"),
                ),
                (
                    "mismatched_claims",
                    models.JSONField(blank=True, default=list, verbose_name="核对不一致的结算单"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="发起时间")),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="完成时间"),
                ),
                (
                    "claim_import",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="trail_fills",
                        to="insurance.claimimport",
                        verbose_name="结算数据导入",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="发起人",
                    ),
                ),
                (
                    "official_run",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="trail_fills",
                        to="insurance.officialresettlement",
                        verbose_name="按新身份重算",
                    ),
                ),
            ],
            options={
                "verbose_name": "计算过程补写",
                "verbose_name_plural": "计算过程补写",
                "ordering": ["-id"],
            },
        ),
    ]
