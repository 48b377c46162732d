from __future__ import annotations

from celery import shared_task


@shared_task(name="notifications.send_reminders", acks_late=True)
def send_reminders() -> dict:
    """The periodic sweep (beat, Asia/Shanghai). Idempotent: safe to run twice."""
    from .services import sweep

    result = sweep()
    return {"claimed": result.claimed, "sent": result.sent, "failed": result.failed}
