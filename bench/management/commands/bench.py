"""Print the benchmark table: every benchmark at the requested scales, one table, each
figure beside its reference measured in the same run, and the ratio."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test import override_settings

from bench import funding, provinces, reporting
from bench.harness import BenchContext, LiveServer, floor_row, render_table, throwaway_database

BENCHMARKS = [*provinces.BENCHMARKS, *funding.BENCHMARKS, *reporting.BENCHMARKS]


class Command(BaseCommand):
    help = "Run the benchmarks in a throw-away database and print one table of ratios."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, nargs="+", default=[1], help="data multipliers, e.g. 1 10 100"
        )
        parser.add_argument("--only", nargs="*", default=[], help="substring of benchmark names")
        parser.add_argument(
            "--quick",
            action="store_true",
            help="fewer repetitions per page and one import/digest build (for 100×)",
        )
        parser.add_argument(
            "--profile",
            metavar="DIR",
            default="",
            help="also profile each page in-process with pyinstrument (20 requests) and write "
            "a text and an HTML report per page into DIR",
        )

    def handle(
        self, *args, scale: list[int], only: list[str], quick: bool, profile: str, **options
    ):
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        benches = [
            b
            for b in BENCHMARKS
            if not only or any(o in b.__name__ or o in (b.__doc__ or "") for o in only)
        ]
        rows = []
        # Pages render {% static %} without collectstatic's manifest, over plain loopback HTTP.
        plain_static = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with (
            override_settings(STORAGES=plain_static, SECURE_SSL_REDIRECT=False),
            throwaway_database(),
        ):
            settings.ALLOWED_HOSTS = ["*"]
            server = LiveServer()
            try:
                for s in scale:
                    ctx = BenchContext(scale=s, server=server, quick=quick, profile_dir=profile)
                    for bench in [floor_row, *benches]:
                        self.stderr.write(f"… {bench.__name__} at {s}×")
                        rows.extend(bench(ctx))
            finally:
                server.stop()
        self.stdout.write(render_table(rows))
