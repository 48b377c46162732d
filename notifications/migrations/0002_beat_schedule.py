from django.db import migrations

# This migration used to write the reminder sweep's schedule from the environment at migrate
# time, so later changes to the time did nothing. The schedule now follows the settings:
# notifications.schedule.sync_schedule, run as Celery beat starts; 0005 removes the old row.


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = []
