from django.db import migrations

NAME = "每日通知汇总邮件"


def schedule(apps, schema_editor):
    """The daily notification digest at NOTIFICATION_DIGEST_TIME (default 17:30) Asia/Shanghai."""
    import os

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hour, _, minute = os.environ.get("NOTIFICATION_DIGEST_TIME", "17:30").partition(":")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=minute or "0",
        hour=hour,
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": "notifications.send_daily_digests",
            "crontab": crontab,
            "enabled": True,
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_extensions_reports_notifications"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
