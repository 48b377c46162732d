"""Print the benchmark table: every benchmark of every app, at the requested scales."""

from __future__ import annotations

import importlib
import os

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.test import override_settings

from workflow.bench import BenchContext, LiveServer, floor_row, render_table, throwaway_database


class Command(BaseCommand):
    help = "Run the benchmarks in a throw-away database and print one table."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, nargs="+", default=[1], help="data multipliers, e.g. 1 10 100"
        )
        parser.add_argument("--only", nargs="*", default=[], help="substring of benchmark names")

    def handle(self, *args, scale: list[int], only: list[str], **options):
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        benches = [floor_row]
        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.benchmarks")
            except ModuleNotFoundError as exc:
                if exc.name == f"{config.name}.benchmarks":
                    continue
                raise
            benches.extend(module.BENCHMARKS)
        if only:
            benches = [floor_row] + [
                b
                for b in benches[1:]
                if any(o in b.__name__ or o in (b.__doc__ or "") for o in only)
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
                    ctx = BenchContext(scale=s, server=server)
                    for bench in benches:
                        self.stderr.write(f"… {bench.__name__} at {s}×")
                        rows.extend(bench(ctx))
            finally:
                server.stop()
        self.stdout.write(render_table(rows))
