"""The load run: gunicorn with PostgreSQL, 50 concurrent clients, zero errors.

The suite runs it for 15 s (it checks for errors, never for time); `scripts/load` and
`manage.py loadtest` run the full 60 s."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_fifty_clients_without_errors():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    result = subprocess.run(
        [sys.executable, "manage.py", "loadtest", "--clients", "50", "--seconds", "15"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = result.stdout + result.stderr
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "loadtest.txt").write_text(report, encoding="utf-8")
    assert result.returncode == 0, report
    assert "errors: 0" in result.stdout


def test_the_app_keeps_no_state_in_a_process(settings):
    """Two app servers (scripts/load --two) share sessions, login throttling and uploads:
    sessions and axes' attempts live in the database, the cache in Redis when CACHE_URL
    names it, uploads under one MEDIA_ROOT. (The script itself logs in on one server and
    reads pages with that session on the other.) With CACHE_URL, sessions are read through
    the shared cache and still written to the database."""
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    assert settings.STORAGES["default"]["BACKEND"] != "django.core.files.storage.InMemoryStorage"
    code = (
        "from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE, settings.PAGE_CACHE)"
    )
    env = {**os.environ, "CACHE_URL": "redis://127.0.0.1:6379/14"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert out.strip().splitlines()[-1].split() == [
        "django.core.cache.backends.redis.RedisCache",
        "django.contrib.sessions.backends.cached_db",
        "True",
    ]
