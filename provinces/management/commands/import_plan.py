from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from provinces.plans import NoticeError, import_plan


class Command(BaseCommand):
    help = "Load (or update) a year's work plan from the text of the official notice."

    def add_arguments(self, parser):
        parser.add_argument("file", help="UTF-8 text of the notice; '-' reads standard input")

    def handle(self, *args, file: str, **options):
        if file == "-":
            import sys

            text = sys.stdin.read()
        else:
            path = Path(file)
            if not path.exists():
                raise CommandError(_("文件不存在：%(file)s") % {"file": file})
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise CommandError(_("文件不是 UTF-8 文本：%(error)s") % {"error": exc}) from exc
        try:
            result = import_plan(text)
        except NoticeError as exc:
            raise CommandError(
                _("无法导入，数据库未作任何更改：%(error)s") % {"error": exc}
            ) from exc
        done = (
            _(
                "已导入《%(title)s》：%(tasks)d 项任务，%(assignments)d 项任务承担，"
                "%(deadlines)d 个时间节点。"
            )
            if result.created
            else _(
                "已更新《%(title)s》：%(tasks)d 项任务，%(assignments)d 项任务承担，"
                "%(deadlines)d 个时间节点。"
            )
        )
        counts = {
            "title": result.plan.title,
            "tasks": result.tasks,
            "assignments": result.assignments,
            "deadlines": result.plan.deadlines.count(),
        }
        self.stdout.write(self.style.SUCCESS(done % counts))
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(_("注意：%(warning)s") % {"warning": warning}))
