from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from planning.models import Plan
from provinces.plans import RolloverRefused, rollover_plan


class Command(BaseCommand):
    help = "Make next year's draft plan from a year's plan (dates moved, bases and units proposed)."

    def add_arguments(self, parser):
        parser.add_argument("from_year", type=int, help="the year whose plan is copied")
        parser.add_argument("to_year", type=int, help="the year of the new draft plan")

    def handle(self, *args, from_year: int, to_year: int, **options):
        source = Plan.objects.for_year(from_year)
        if source is None:
            raise CommandError(
                _("%(year)s年度工作计划不存在，数据库未作任何更改。") % {"year": from_year}
            )
        try:
            plan = rollover_plan(source, to_year, None)
        except RolloverRefused as exc:
            raise CommandError(
                _("无法结转，数据库未作任何更改：%(error)s") % {"error": exc.message}
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "已由%(year)s年度结转《%(title)s》：%(tasks)d 项任务，"
                    "%(deadlines)d 个时间节点。状态：%(state)s。"
                )
                % {
                    "year": from_year,
                    "title": plan.title,
                    "tasks": plan.tasks.count(),
                    "deadlines": plan.deadlines.count(),
                    "state": plan.get_state_display(),
                }
            )
        )
