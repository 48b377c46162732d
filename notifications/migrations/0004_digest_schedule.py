from django.db import migrations

# This migration used to write the daily digest's schedule from the environment at migrate
# time. The schedule now follows the settings (notifications.schedule.sync_schedule, run as
# Celery beat starts); 0005 removes the old row.


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_extensions_reports_notifications"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = []
