"""Restore a backup archive over the database and the uploaded files (irreversible)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workflow.backups import BackupError, check_restorable, read_manifest, restore


class Command(BaseCommand):
    help = "Replace the database and MEDIA_ROOT with a backup made by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="a .tar.gz written by manage.py backup")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, archive: Path, yes: bool, **options):
        try:
            manifest = read_manifest(archive)
            check_restorable(manifest)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            ngettext(
                "备份时间 %(created_at)s，%(vendor)s 数据库，%(files)d 个上传文件，版本 %(version)s。",
                "备份时间 %(created_at)s，%(vendor)s 数据库，%(files)d 个上传文件，版本 %(version)s。",
                manifest.get("files", 0),
            )
            % {
                "created_at": manifest.get("created_at"),
                "vendor": manifest["database"]["vendor"],
                "files": manifest.get("files", 0),
                "version": (manifest.get("app", {}).get("commit") or "")[:12]
                or manifest.get("app", {}).get("version")
                or "?",
            }
        )
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError(_("恢复不可撤销：不在终端中运行时请加 --yes 确认。"))
            answer = input(
                _("恢复将用这份备份覆盖当前的数据库和上传文件，不可撤销。输入 yes 继续：")
            )
            if answer.strip().lower() != "yes":
                raise CommandError(_("已取消，未做任何改动。"))
        try:
            result = restore(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for note in result.notes:
            self.stdout.write(self.style.WARNING(note))
        for label, count in result.counts.items():
            expected = manifest.get("counts", {}).get(label)
            line = f"  {label}: {count}"
            if expected is not None and expected != count:
                line += " " + _("（备份中为 %(expected)d）") % {"expected": expected}
            self.stdout.write(line)
        if result.files is None:
            message = _("已恢复数据库（备份于 %(created_at)s）。")
        else:
            message = ngettext(
                "已恢复数据库和 %(files)d 个上传文件（备份于 %(created_at)s）。",
                "已恢复数据库和 %(files)d 个上传文件（备份于 %(created_at)s）。",
                result.files,
            )
        self.stdout.write(
            self.style.SUCCESS(
                message % {"files": result.files or 0, "created_at": manifest.get("created_at")}
            )
        )
