"""Load demo data: accounts, the 2018 plan (closed history) and the current year's plan
rolled over from it, and each app's living demo data. Idempotent."""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

# Order matters: later apps build on the data of earlier ones. "module:function" names a
# step other than the module's ``seed``.
DEMO_MODULES = [
    "provinces.demo_units",
    "provinces.demo_accounts",
    "provinces.demo_plans",
    "provinces.demo",
    "provinces.demo:seed_current_year",
    "provinces.demo_network",
    "provinces.demo_network:seed_current_year",
    "provinces.demo_reports",
    "projects.demo",
    "projects.demo:seed_reporting_project",
    "funding.demo",
    "reporting.demo",
    "planning.demo:close_history",  # 2018 is closed once the apps above filled it
    "provinces.demo:seed_live_notifications",  # the live year's reminders see no 2018 debt
]


class Command(BaseCommand):
    help = "Create demo accounts and realistic demo data (safe to run repeatedly)."

    def handle(self, *args, **options):
        for step in DEMO_MODULES:
            name, _colon, function = step.partition(":")
            module = importlib.import_module(name)  # a step named but missing is an error
            # The demo's history (returns, decisions) notifies users in the app, not by mail.
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
                transaction.atomic(),
            ):
                getattr(module, function or "seed")(lambda msg: self.stdout.write(f"  {msg}"))
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
