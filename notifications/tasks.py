"""The periodic tasks (beat). The immediate mail of a notification is queued from inbox."""

from __future__ import annotations

from celery import shared_task

from .inbox import send_daily_digests as run_daily_digests
from .services import sweep


@shared_task(
    name="notifications.send_reminders",
    acks_late=True,
    autoretry_for=(OSError,),  # the mail server (smtplib's errors are OSErrors)
    retry_backoff=600,  # after RECLAIM_AFTER, so reminders whose mail failed go again too
    max_retries=4,
)
def send_reminders() -> dict:
    """The periodic sweep (beat, Asia/Shanghai). Idempotent: safe to run twice, or retry."""
    result = sweep()
    return {"claimed": result.claimed, "sent": result.sent, "failed": result.failed}


@shared_task(name="notifications.send_daily_digests", acks_late=True)
def send_daily_digests() -> int:
    """The daily notification digest (beat)."""
    return run_daily_digests()
