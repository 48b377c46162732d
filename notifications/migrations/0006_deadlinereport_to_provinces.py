"""DeadlineReport now lives in provinces (its table was renamed there, data kept)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0005_schedule_follows_settings"),
        ("provinces", "0006_deadlinereport_from_notifications"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="DeadlineReport")],
        ),
    ]
