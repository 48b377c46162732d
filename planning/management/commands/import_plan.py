from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from planning.services import NoticeError, import_plan


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
                raise CommandError(f"文件不存在：{file}")
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise CommandError(f"文件不是 UTF-8 文本：{exc}") from exc
        try:
            result = import_plan(text)
        except NoticeError as exc:
            raise CommandError(f"无法导入，数据库未作任何更改：{exc}") from exc
        verb = "已导入" if result.created else "已更新"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb}《{result.plan.title}》：{result.tasks} 项任务，"
                f"{result.assignments} 项任务承担，{result.plan.deadlines.count()} 个时间节点。"
                f"状态：{result.plan.get_state_display()}。"
            )
        )
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"注意：{warning}"))
