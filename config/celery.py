"""The Celery application: Redis broker in production, in-process when no broker is set."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("workplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(bind=True, name="workplan.ping")
def ping(self) -> str:
    """Answer 'pong': proves a worker is consuming the queue."""
    return "pong"
