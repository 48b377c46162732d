from django.db import migrations

# The periodic tasks the old data migrations made, named in Chinese. Their successors have
# English names and are written from the settings when Celery beat starts.
LEGACY_NAMES = ["每日到期提醒与催办", "每日通知汇总邮件"]


def drop_legacy_tasks(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=LEGACY_NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_digest_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(drop_legacy_tasks, migrations.RunPython.noop)]
