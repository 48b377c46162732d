from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from planning.models import Plan
from reporting.digest import MissingCJKFont, build_digest


class Command(BaseCommand):
    help = "Build the annual digest PDF for a year (the same function as the Celery task)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--output", required=True)

    def handle(self, *args, year: int, output: str, **options):
        plan = Plan.objects.for_year(year)
        if plan is None:
            raise CommandError(_("没有 %(year)d 年度的计划。") % {"year": year})
        try:
            pdf, pages = build_digest(
                plan, lambda pct, step: self.stderr.write(f"{pct:3d}% {step}")
            )
        except MissingCJKFont as exc:
            raise CommandError(str(exc)) from exc
        Path(output).write_bytes(pdf)
        self.stdout.write(
            self.style.SUCCESS(
                _("已生成 %(output)s：%(pages)d 页，%(kb)d KB")
                % {"output": output, "pages": pages, "kb": len(pdf) // 1024}
            )
        )
