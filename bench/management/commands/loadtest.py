"""A bounded load run on loopback: gunicorn + PostgreSQL, N concurrent clients for T seconds.

It creates a throw-away database with the demo data, starts gunicorn on 127.0.0.1 against
it, and lets each client (its own logged-in session) walk the board, ledger and API pages.
It reports throughput, latency percentiles and every error, and exits non-zero on errors.
"""

from __future__ import annotations

import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from bench.harness import percentile, throwaway_database

# (who, path) pairs; a path the project does not have yet is skipped with a note.
DEFAULT_PATHS = [
    ("hq", "/provinces/board/"),
    ("hq", "/provinces/ledger/"),
    ("jiangxi", "/provinces/ledger/"),
    ("jiangxi", "/provinces/todo/"),
    ("hq", "/plans/2018/"),
    ("hq", "/api/v1/assignments/?year=2018"),
    ("jiangxi", "/api/v1/assignments/"),
    ("hq", "/api/v1/registrations/"),
    ("hq", "/api/v1/ledger-entries/"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Command(BaseCommand):
    help = "Load-test the app on loopback with gunicorn and PostgreSQL; prints a report."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=50)
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")

    def handle(self, *args, clients: int, seconds: int, workers: int, **options):
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError("the load run needs PostgreSQL: set DATABASE_URL")
        with throwaway_database("loadtest"):
            call_command("seed_demo", verbosity=0)
            db = settings.DATABASES["default"]
            url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
            port = free_port()
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "DEBUG": "0",
                # Same key as this process: it signs the sessions the clients log in with.
                "SECRET_KEY": settings.SECRET_KEY,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SECURE_SSL_REDIRECT": "0",
                "SECURE_COOKIES": "0",
                "AXES_ENABLED": "0",
                "TESTING": "1",
                "LOG_LEVEL": "WARNING",
            }
            env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            gunicorn = Path(sys.executable).parent / "gunicorn"
            server = subprocess.Popen(
                [
                    str(gunicorn),
                    "config.wsgi:application",
                    "-b",
                    f"127.0.0.1:{port}",
                    "-w",
                    str(workers),
                    "--log-level",
                    "warning",
                ],
                cwd=settings.BASE_DIR,
                env=env,
            )
            try:
                self._wait_for(port, server)
                report = self._run(port, clients, seconds)
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
        self.stdout.write(report["text"])
        if report["errors"]:
            raise CommandError(f"{report['errors']} errors during the load run")

    def _wait_for(self, port: int, server: subprocess.Popen) -> None:
        # Four workers importing the project on a busy two-core machine can take a minute.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"gunicorn exited with {server.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/health/")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise CommandError("gunicorn did not start")

    def _login(self, port: int, username: str) -> str:
        from django.contrib.auth import (
            BACKEND_SESSION_KEY,
            HASH_SESSION_KEY,
            SESSION_KEY,
            get_user_model,
        )
        from django.contrib.auth.models import update_last_login  # noqa: F401
        from django.contrib.sessions.backends.db import SessionStore

        user = get_user_model().objects.get(username=username)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    def _run(self, port: int, clients: int, seconds: int) -> dict:
        cookies = {who: self._login(port, who) for who in {w for w, _ in DEFAULT_PATHS}}
        # Keep only the paths this build serves.
        paths = []
        skipped = []
        for who, path in DEFAULT_PATHS:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers={"Cookie": cookies[who], "Host": "127.0.0.1"})
            status = conn.getresponse().status
            (paths if status == 200 else skipped).append((who, path, status))
        if not paths:
            raise CommandError(f"no page answered 200: {skipped}")
        samples: list[float] = []
        per_path: dict[str, list[float]] = {p: [] for _, p, _ in paths}
        errors: Counter = Counter()
        lock = threading.Lock()
        stop_at = time.monotonic() + seconds

        def client(seed: int) -> None:
            rnd = random.Random(seed)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            while time.monotonic() < stop_at:
                who, path, _ = rnd.choice(paths)
                start = time.perf_counter()
                try:
                    conn.request("GET", path, headers={"Cookie": cookies[who], "Host": "127.0.0.1"})
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 200
                except (OSError, http.client.HTTPException) as exc:
                    ok = False
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    status = type(exc).__name__
                else:
                    status = response.status
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    if ok:
                        samples.append(elapsed)
                        per_path[path].append(elapsed)
                    else:
                        errors[f"{path} → {status}"] += 1

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - began
        lines = [
            f"load run: {clients} clients × {seconds} s on 127.0.0.1 (gunicorn, PostgreSQL)",
            f"requests ok: {len(samples)}   errors: {sum(errors.values())}   "
            f"throughput: {len(samples) / took:.1f} req/s",
        ]
        if samples:
            lines.append(
                f"latency ms: median {percentile(samples, 50):.1f}  p95 {percentile(samples, 95):.1f}  "
                f"p99 {percentile(samples, 99):.1f}  max {max(samples):.1f}"
            )
        lines.append("per page (median / p95 ms, requests):")
        for path, values in per_path.items():
            if values:
                lines.append(
                    f"  {path:40} {percentile(values, 50):8.1f} {percentile(values, 95):8.1f} {len(values):7d}"
                )
        for who, path, status in skipped:
            lines.append(f"  skipped {path} (answered {status} as {who}: not in this build)")
        for what, n in errors.most_common():
            lines.append(f"  ERROR {what} × {n}")
        return {"text": "\n".join(lines), "errors": sum(errors.values())}
