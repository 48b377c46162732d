from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from provinces.models import recount_ledger_summaries


class Command(BaseCommand):
    help = "Rebuild the per-assignment ledger summaries (台账汇总) from the ledger entries."

    def handle(self, *args, **options):
        wrong = recount_ledger_summaries()
        self.stdout.write(_("台账汇总已重新统计，更正 %(n)d 个任务承担。") % {"n": wrong})
