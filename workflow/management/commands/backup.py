"""Write one backup archive: the database dump, the uploaded files and a manifest."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from workflow.backups import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump or SQLite's backup API) and MEDIA_ROOT to one .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="a folder (the archive is named by the time) or a file; default var/backups/",
        )

    def handle(self, *args, output: str | None, **options):
        try:
            result = backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result.media_note:
            self.stdout.write(self.style.WARNING(result.media_note))
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "已备份到 %(path)s：%(vendor)s 数据库，%(files)d 个上传文件。",
                    "已备份到 %(path)s：%(vendor)s 数据库，%(files)d 个上传文件。",
                    manifest["files"],
                )
                % {
                    "path": result.path,
                    "vendor": manifest["database"]["vendor"],
                    "files": manifest["files"],
                }
            )
        )
