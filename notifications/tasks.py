from __future__ import annotations

from celery import shared_task


@shared_task(
    name="notifications.send_reminders",
    acks_late=True,
    autoretry_for=(OSError,),  # the mail server (smtplib's errors are OSErrors)
    retry_backoff=600,  # after RECLAIM_AFTER, so reminders whose mail failed go again too
    max_retries=4,
)
def send_reminders() -> dict:
    """The periodic sweep (beat, Asia/Shanghai). Idempotent: safe to run twice, or retry."""
    from .services import sweep

    result = sweep()
    return {"claimed": result.claimed, "sent": result.sent, "failed": result.failed}


@shared_task(
    name="notifications.mail_notifications",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=5,
)
def mail_notifications(user_id: int) -> int:
    """Mail one user's new notifications now (users who chose immediate mail)."""
    from accounts.models import User

    from .inbox import mail_pending

    user = User.objects.filter(pk=user_id, is_active=True).first()
    return mail_pending(user) if user else 0


@shared_task(name="notifications.send_daily_digests", acks_late=True)
def send_daily_digests() -> int:
    """The daily notification digest (beat)."""
    from .inbox import send_daily_digests as run

    return run()
