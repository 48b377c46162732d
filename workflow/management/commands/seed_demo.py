"""Load demo data: accounts, the 2018 plan, and each app's living demo data. Idempotent."""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

# Order matters: later apps build on the data of earlier ones.
DEMO_MODULES = [
    "provinces.demo_units",
    "provinces.demo_accounts",
    "planning.demo",
    "provinces.demo",
    "projects.demo",
    "reporting.demo",
    "notifications.demo",
]


class Command(BaseCommand):
    help = "Create demo accounts and realistic demo data (safe to run repeatedly)."

    def handle(self, *args, **options):
        for name in DEMO_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name is not None and name.startswith(exc.name):
                    continue  # that part of the product has no demo data (yet)
                raise
            # The demo's history (returns, decisions) notifies users in the app, not by mail.
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
                transaction.atomic(),
            ):
                module.seed(lambda msg: self.stdout.write(f"  {msg}"))
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
