"""The beat schedule follows the settings, not the environment at migration time."""

from __future__ import annotations

import importlib

import pytest
from celery.signals import beat_init
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django_celery_beat.models import PeriodicTask

from notifications.schedule import sync_schedule

pytestmark = pytest.mark.django_db


def at(name: str) -> tuple[str, str]:
    crontab = PeriodicTask.objects.get(name=name).crontab
    return crontab.hour, crontab.minute


def test_beat_schedule_exists_in_shanghai_time_with_english_names_and_chinese_labels():
    sync_schedule()
    tasks = {t.name: t for t in PeriodicTask.objects.all()}
    assert set(tasks) == {"daily-reminders", "daily-notification-digest"}
    reminders = tasks["daily-reminders"]
    assert reminders.task == "notifications.send_reminders"
    assert reminders.enabled and str(reminders.crontab.timezone) == "Asia/Shanghai"
    assert reminders.description == "每日到期提醒与催办"
    assert tasks["daily-notification-digest"].description == "每日通知汇总邮件"
    assert (at("daily-reminders"), at("daily-notification-digest")) == (("8", "30"), ("17", "30"))


def test_changing_the_reminder_time_in_settings_changes_the_schedule(settings):
    sync_schedule()
    settings.REMINDER_TIME = "07:05"
    settings.NOTIFICATION_DIGEST_TIME = "18:45"
    sync_schedule()
    assert at("daily-reminders") == ("7", "5")
    assert at("daily-notification-digest") == ("18", "45")
    assert PeriodicTask.objects.filter(task="notifications.send_reminders").count() == 1


def test_beat_writes_the_schedule_as_it_starts(settings):
    settings.REMINDER_TIME = "6:00"
    beat_init.send(sender=None)
    assert at("daily-reminders") == ("6", "0")


@pytest.mark.parametrize("value", ["25:00", "8", "08:60", "早上八点"])
def test_a_time_that_is_not_a_time_of_day_refuses(settings, value):
    settings.REMINDER_TIME = value
    with pytest.raises(ImproperlyConfigured, match="REMINDER_TIME"):
        sync_schedule()


def test_the_old_chinese_named_tasks_are_removed():
    from django_celery_beat.models import IntervalSchedule

    every = IntervalSchedule.objects.create(every=1, period="days")
    for name in ("每日到期提醒与催办", "每日通知汇总邮件", "someone-elses-task"):
        PeriodicTask.objects.create(name=name, task="x", interval=every)
    migration = importlib.import_module("notifications.migrations.0005_schedule_follows_settings")
    migration.drop_legacy_tasks(apps, None)
    assert list(PeriodicTask.objects.values_list("name", flat=True)) == ["someone-elses-task"]
