"""The beat schedule follows the settings: REMINDER_TIME and NOTIFICATION_DIGEST_TIME.

``sync_schedule()`` writes each periodic task (an English ``name`` as its identifier, a
Chinese ``description`` for the admin) with a daily crontab at the configured time, in the
project's time zone. Celery beat runs it as it starts (``beat_init``), so changing a time in
the settings and restarting beat changes the schedule; nothing is read at migration time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from django_celery_beat.models import CrontabSchedule, PeriodicTask

TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Periodic:
    name: str  # the identifier: stable, English
    task: str
    setting: str  # the settings key holding the time of day, "HH:MM"
    label: Promise  # what the admin shows


PERIODIC = [
    Periodic(
        "daily-reminders", "notifications.send_reminders", "REMINDER_TIME", _("每日到期提醒与催办")
    ),
    Periodic(
        "daily-notification-digest",
        "notifications.send_daily_digests",
        "NOTIFICATION_DIGEST_TIME",
        _("每日通知汇总邮件"),
    ),
]


def time_of_day(setting: str) -> tuple[int, int]:
    value = str(getattr(settings, setting)).strip()
    match = TIME.match(value)
    if not match:
        raise ImproperlyConfigured(f"{setting} must be a time of day such as 08:30, not {value!r}.")
    return int(match[1]), int(match[2])


def sync_schedule() -> list[PeriodicTask]:
    """Create or update every periodic task from the settings; returns them."""
    tasks = []
    with transaction.atomic(), override(settings.LANGUAGE_CODE):
        for periodic in PERIODIC:
            hour, minute = time_of_day(periodic.setting)
            crontab, _created = CrontabSchedule.objects.get_or_create(
                minute=str(minute),
                hour=str(hour),
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone=settings.TIME_ZONE,
            )
            task, _created = PeriodicTask.objects.update_or_create(
                name=periodic.name,
                defaults={
                    "task": periodic.task,
                    "crontab": crontab,
                    "interval": None,
                    "enabled": True,
                    "description": str(periodic.label),
                },
            )
            tasks.append(task)
    return tasks


def on_beat_init(sender=None, **kwargs) -> None:
    sync_schedule()
