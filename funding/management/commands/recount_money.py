from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from funding.models import recount_money


class Command(BaseCommand):
    help = "Rebuild each allocation's paid and spent (已拨付、已使用) from its payments and report."

    def handle(self, *args, **options):
        wrong = recount_money()
        self.stdout.write(_("经费数字已重新统计，更正 %(n)d 项经费下达。") % {"n": wrong})
