"""The load run: gunicorn with PostgreSQL, 50 concurrent clients for 60 s, zero errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_fifty_clients_for_sixty_seconds_without_errors():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    result = subprocess.run(
        [sys.executable, "manage.py", "loadtest", "--clients", "50", "--seconds", "60"],
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
