"""The periodic reminder task end to end through a real Celery worker on Redis."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)


def test_periodic_task_through_a_real_worker_sends_mail(
    plan_2018, jiangxi_staff, real_worker, settings
):
    from notifications.models import ReminderLog
    from notifications.tasks import send_reminders

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    with time_machine.travel(timezone.make_aware(timezone.datetime(2018, 6, 17, 8, 30)), tick=True):
        result = send_reminders.delay().get(timeout=60)
    assert result["sent"] >= 1
    assert any(m.to == ["jiangxi_staff@example.cn"] for m in mail.outbox)
    assert (
        ReminderLog.objects.filter(recipient="jiangxi_staff@example.cn", state="sent").count() == 1
    )
