"""A real Celery worker consuming the Redis broker runs a task end to end."""

from __future__ import annotations

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def real_worker():
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.fail("the test suite must run against Redis: set CELERY_BROKER_URL")
    import celery.contrib.testing.tasks  # noqa: F401  (registers the ping task the worker expects)
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.task_always_eager = False
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10
        ) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True


def test_ping_through_redis(real_worker):
    from config.celery import ping

    result = ping.delay()
    assert result.get(timeout=20) == "pong"
