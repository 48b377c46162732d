from django.db import migrations


def schedule(apps, schema_editor):
    """The daily reminder sweep at REMINDER_HOUR (default 08:30) Asia/Shanghai."""
    import os

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hour, _, minute = os.environ.get("REMINDER_TIME", "8:30").partition(":")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=minute or "0",
        hour=hour,
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.update_or_create(
        name="每日到期提醒与催办",
        defaults={"task": "notifications.send_reminders", "crontab": crontab, "enabled": True},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name="每日到期提醒与催办"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
