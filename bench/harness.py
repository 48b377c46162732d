"""The benchmark harness behind ``manage.py bench``.

The package ``bench`` imports every app and is imported by none. Each of its modules
(``bench.provinces``, ``bench.reporting``) lists ``BENCHMARKS``: callables
``bench(ctx: BenchContext) -> list[Row]``. They run in a throw-away database (never the
configured one) at each requested data scale, and every result is printed in one table
beside a reference measured in the same run, with the ratio to it: the figures of a noisy
machine move together, the ratios are what to read.
"""

from __future__ import annotations

import http.client
import itertools
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from django.conf import settings
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from accounts.models import User


@dataclass
class Row:
    name: str
    scale: int
    size: str  # what the data was, e.g. "200,000 ledger entries"
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    reference: str = ""  # the side-by-side figure, e.g. "floor view 1.2 ms"
    notes: str = ""
    ref_ms: float | None = None  # the reference's median (or single) time
    ref_p95_ms: float | None = None  # the reference's p95, where both are timed pages


@dataclass
class BenchContext:
    scale: int
    server: LiveServer | None = None
    cache: dict = field(default_factory=dict)
    quick: bool = False  # fewer repetitions (the 100× run)
    profile_dir: str = ""  # where ``--profile`` writes a pyinstrument report per page

    @property
    def repeat(self) -> int:
        return 7 if self.quick else 20


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def timed(fn: Callable[[], object], repeat: int = 20, warmup: int = 2) -> tuple[float, float]:
    """Median and 95th percentile of ``fn`` in milliseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), percentile(samples, 95)


class PeakRSS:
    """Peak resident memory of this process while the block runs, above where it started.

    Sampled from /proc every 5 ms in a thread, so it sees the native memory WeasyPrint,
    Pango and HarfBuzz allocate (tracemalloc sees only Python's, and slows the run down).
    """

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()

    @staticmethod
    def rss_bytes() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def __enter__(self) -> PeakRSS:
        import gc

        gc.collect()
        self._base = self.rss_bytes()
        self._peak = self._base
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self._peak = max(self._peak, self.rss_bytes())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._peak = max(self._peak, self.rss_bytes())
        self.peak_mb = (self._peak - self._base) / 1024 / 1024


def count_queries(fn: Callable[[], object]) -> int:
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


class LiveServer:
    """The project on gunicorn in its own process on loopback, for HTTP latency.

    One sync worker serving one request at a time, as production's gunicorn serves each
    (``gunicorn.conf.py``, here with one worker and one thread so that requests do not
    queue behind each other's CPU): its database connection persists between requests
    (``CONN_MAX_AGE``), and the server shares neither the interpreter's lock nor the memory
    of the process that loads the data and times the requests. It serves the throw-away
    database; start it inside :func:`throwaway_database`.

    The server shares the cache (``CACHE_URL``, Redis) with this process, as every process of
    a deployment does: the writes of each benchmark's setup move the page cache's generation
    (workflow/pagecache.py), so the server never serves a page of the data before them. The
    client keeps the cookies the server sets, as a browser does.
    """

    def __init__(self) -> None:
        db = connection.settings_dict
        if db["ENGINE"] != "django.db.backends.postgresql":
            raise RuntimeError("the benchmarks serve pages from PostgreSQL: set DATABASE_URL")
        if not os.environ.get("CACHE_URL"):
            raise RuntimeError(
                "the benchmarks share the page cache with the server: set CACHE_URL (Redis)"
            )
        with socket.socket() as probe:  # a free port on loopback
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        env.update(
            DATABASE_URL=f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}",
            TESTING="1",  # static files without collectstatic's manifest
            DEBUG="0",
            ALLOWED_HOSTS="*",
            SECURE_SSL_REDIRECT="0",
            SECURE_COOKIES="0",
            GUNICORN_LOG_LEVEL="warning",
        )
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen(
            [str(gunicorn), "--bind", f"127.0.0.1:{self.port}"]
            + ["--workers", "1", "--worker-class", "sync", "--threads", "1"],
            cwd=settings.BASE_DIR,
            env=env,
        )
        self.cookies: dict[str, str] = {}
        self._misses = itertools.count()
        deadline = time.monotonic() + 120
        while True:
            try:
                if self._request("/health/") == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("gunicorn did not start (see its log above)")
            time.sleep(0.2)

    def login(self, user) -> None:
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore

        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        self.cookies = {settings.SESSION_COOKIE_NAME: session.session_key}

    def _request(self, path: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request("GET", path, headers={"Cookie": cookie, "Host": "localhost"})
        response = conn.getresponse()
        response.read()
        conn.close()
        for header in response.msg.get_all("Set-Cookie") or ():
            self.cookies.update({k: m.value for k, m in SimpleCookie(header).items()})
        return response.status

    def get(self, path: str) -> int:
        status = self._request(path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        return status

    def latency(self, path: str, repeat: int = 20) -> tuple[float, float]:
        return timed(lambda: self.get(path), repeat=repeat)

    def rendered_latency(self, path: str, repeat: int = 20) -> tuple[float, float]:
        """The page rendered every time: each request's address is new to the page cache
        (a query parameter no view reads)."""
        sep = "&" if "?" in path else "?"
        return timed(lambda: self.get(f"{path}{sep}bench_miss={next(self._misses)}"), repeat)

    def stop(self) -> None:
        """Stop gunicorn (its connections close with it, so the database can be dropped)."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def analyze() -> None:
    """A database that was just bulk-loaded has no statistics yet; a live one has them
    (autovacuum): measure the plans PostgreSQL chooses with them. Call after a setup's
    bulk writes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def profile_page(ctx: BenchContext, name: str, fn: Callable[[], object], repeat: int = 20) -> None:
    """With ``--profile DIR``: run ``fn`` ``repeat`` times under pyinstrument and write
    ``DIR/<scale>x-<name>.txt`` and ``.html`` (where the page's time goes, in-process)."""
    if not ctx.profile_dir:
        return
    from pyinstrument import Profiler

    os.makedirs(ctx.profile_dir, exist_ok=True)
    slug = re.sub(r"[^0-9A-Za-z\u4e00-\u9fff]+", "-", name).strip("-")
    base = os.path.join(ctx.profile_dir, f"{ctx.scale}x-{slug}")
    fn()
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(repeat):
            fn()
    with open(f"{base}.txt", "w", encoding="utf-8") as out:
        out.write(profiler.output_text(unicode=True, show_all=False))
    with open(f"{base}.html", "w", encoding="utf-8") as out:
        out.write(profiler.output_html())


def floor_row(ctx: BenchContext) -> list[Row]:
    """The floor: a one-query Django view (/health/) on the same server, the reference of
    every page. Beside it, the signed-in floor: the inbox of a user with nothing in it, the
    least a signed-in page costs (the session and the user read, the middleware, base.html),
    which each page's notes compare it with too."""
    from django.test import Client

    repeat = 20 if ctx.quick else 50
    median, p95 = ctx.server.latency("/health/", repeat=repeat)
    queries = count_queries(lambda: Client().get("/health/"))
    ctx.cache["floor_ms"] = median
    ctx.cache["floor_p95_ms"] = p95
    user, _ = User.objects.get_or_create(username="bench_floor", defaults={"role": "hq_reviewer"})
    ctx.server.login(user)
    signed_in, signed_in_p95 = ctx.server.latency(SIGNED_IN_FLOOR, repeat=repeat)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    ctx.cache["signed_in_ms"] = signed_in
    return [
        Row(
            name="floor: one-query view /health/",
            scale=ctx.scale,
            size="—",
            median_ms=median,
            p95_ms=p95,
            queries=queries,
            reference="(this is the reference)",
        ),
        Row(
            name="signed-in floor: an empty inbox",
            scale=ctx.scale,
            size="no notifications",
            median_ms=signed_in,
            p95_ms=signed_in_p95,
            queries=count_queries(lambda: client.get(SIGNED_IN_FLOOR)),
            reference=f"floor {median:.1f} / p95 {p95:.1f} ms",
            ref_ms=median,
            ref_p95_ms=p95,
            notes="session, user, middleware and base.html: in every signed-in page",
        ),
    ]


SIGNED_IN_FLOOR = "/notifications/"


@contextmanager
def throwaway_database(purpose: str = "bench"):
    """Create a fresh database for the run (like the test runner) and drop it afterwards.

    Its name carries ``purpose`` so that a run never collides with the test suite's own
    test database (the load test runs inside the suite).
    """
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    db = settings.DATABASES["default"]
    name = f"test_{db['NAME'] if not str(db['NAME']).startswith('/') else 'workplan'}_{purpose}"
    db.setdefault("TEST", {})["NAME"] = name
    connections["default"].settings_dict.setdefault("TEST", {})["NAME"] = name
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        yield
    finally:
        teardown_databases(old, verbosity=0)


def _ratio(value: float | None, ref: float | None) -> str:
    return "—" if value is None or not ref else f"{value / ref:.2f}×"


def render_table(rows: list[Row]) -> str:
    headers = [
        "benchmark",
        "scale",
        "data",
        "median ms",
        "p95 ms",
        "queries",
        "reference",
        "÷ ref (median)",
        "÷ ref (p95)",
        "notes",
    ]
    body = [
        [
            r.name,
            f"{r.scale}×",
            r.size,
            "—" if r.median_ms is None else f"{r.median_ms:.1f}",
            "—" if r.p95_ms is None else f"{r.p95_ms:.1f}",
            "—" if r.queries is None else str(r.queries),
            r.reference,
            _ratio(r.median_ms, r.ref_ms),
            _ratio(r.p95_ms, r.ref_p95_ms),
            r.notes,
        ]
        for r in rows
    ]
    widths = [
        max(len(h), *(_w(row[i]) for row in body)) if body else len(h)
        for i, h in enumerate(headers)
    ]

    def line(cells):
        return (
            "| "
            + " | ".join(c + " " * (w - _w(c)) for c, w in zip(cells, widths, strict=True))
            + " |"
        )

    out = [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row) for row in body]
    return "\n".join(out)


def _w(s: str) -> int:
    # East Asian characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)
