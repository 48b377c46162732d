"""A real Celery worker consuming the Redis broker runs a task end to end."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_ping_through_redis(real_worker):
    from config.celery import ping

    result = ping.delay()
    assert result.get(timeout=20) == "pong"
