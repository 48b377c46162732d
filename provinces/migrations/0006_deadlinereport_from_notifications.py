"""DeadlineReport moves from notifications to provinces (a unit's 报送 is a unit's record).

The table is renamed, not recreated: every report is kept.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("provinces", "0005_ledger_bounds_and_contact_email_message"),
        ("planning", "0002_deadline_reminder_offsets"),
        ("notifications", "0005_schedule_follows_settings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE notifications_deadlinereport RENAME TO provinces_deadlinereport",
                    "ALTER TABLE provinces_deadlinereport RENAME TO notifications_deadlinereport",
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="DeadlineReport",
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
                        ("note", models.TextField(verbose_name="报送说明")),
                        (
                            "submitted_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="报送时间"
                            ),
                        ),
                        (
                            "deadline",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reports",
                                to="planning.deadline",
                            ),
                        ),
                        (
                            "province",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="deadline_reports",
                                to="provinces.province",
                            ),
                        ),
                        (
                            "submitted_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "节点报送",
                        "verbose_name_plural": "节点报送",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("deadline", "province"), name="one_report_per_unit"
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
