"""Backups: one archive round-trips the database and the evidence files; restore refuses safely."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import translation

from planning.models import Plan
from provinces.models import Assignment, Evidence, LedgerEntry
from workflow.backups import (
    BackupError,
    copy_sqlite,
    dump_postgresql,
    migration_notes,
    read_manifest,
    restore_postgresql,
)
from workflow.files import attach
from workflow.pagecache import GENERATION_KEY

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def stored_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def fake_archive(path: Path, manifest: dict, members: dict[str, bytes] | None = None) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in {
            "manifest.json": json.dumps(manifest).encode(),
            **(members or {}),
        }.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_brings_back_rows_and_evidence_files(
    media, plan_2018, jiangxi_staff, tmp_path
):
    assert connection.vendor == "postgresql"
    entry = LedgerEntry.objects.create(
        assignment=Assignment.objects.get(task__number=2, province__short_name="江西"),
        date="2018-07-15",
        kind="training",
        description="举办专利信息利用培训班",
        responsible_person="李江",
        trainees=120,
    )
    with transaction.atomic():
        [evidence] = attach(
            Evidence, [SimpleUploadedFile("签到表.pdf", PDF)], jiangxi_staff, entry=entry
        )
    files_before = stored_files(media)
    evidence_row = (evidence.pk, evidence.file.name, "签到表.pdf")
    assert list(files_before) == [evidence.file.name]

    output = run("backup", "--output", f"{tmp_path / 'backups'}/")
    [archive] = (tmp_path / "backups").glob("workplan-*.tar.gz")
    assert str(archive) in output and archive.stat().st_mode & 0o077 == 0
    manifest = read_manifest(archive)
    assert manifest["database"] == {
        "vendor": "postgresql",
        "name": connection.settings_dict["NAME"],  # pytest-django's test database
    }
    assert manifest["created_at"].endswith("+08:00") and manifest["time_zone"] == "Asia/Shanghai"
    assert manifest["files"] == 1 and manifest["media"] == "included"
    assert manifest["counts"]["provinces.LedgerEntry"] == 1
    assert manifest["counts"]["provinces.Evidence"] == 1
    assert manifest["counts"]["planning.Plan"] == 1
    assert "provinces.0001_initial" in manifest["migrations"]
    with tarfile.open(archive) as tar:
        assert f"media/{evidence.file.name}" in tar.getnames()

    # A careless day: an edit, a deleted file, a new row, a stray upload, a renamed plan.
    LedgerEntry.objects.filter(pk=entry.pk).update(description="被误改", trainees=0)
    evidence.delete()  # the file goes once the deletion commits (autocommit: now)
    LedgerEntry.objects.create(
        assignment=entry.assignment,
        date="2018-08-01",
        kind="other",
        description="备份之后录入",
        responsible_person="王五",
    )
    attach(Evidence, [SimpleUploadedFile("照片.png", PNG)], jiangxi_staff, entry=entry)
    Plan.objects.filter(pk=plan_2018.pk).update(title="改过的标题")
    assert stored_files(media) != files_before

    generation = cache.get(GENERATION_KEY)
    output = run("restore", str(archive), "--yes")

    # pg_restore wrote behind Django's connection: the kept pages are stale all the same.
    assert cache.get(GENERATION_KEY) != generation
    assert "provinces.LedgerEntry: 1" in output and "1 个上传文件" in output
    assert "migrate" not in output  # the same code made the backup: no schema to upgrade
    restored = LedgerEntry.objects.get()
    assert restored.pk == entry.pk and restored.description == "举办专利信息利用培训班"
    assert restored.trainees == 120
    [back] = Evidence.objects.all()
    assert (back.pk, back.file.name, back.original_name) == evidence_row
    with default_storage.open(back.file.name) as stored:
        assert stored.read() == PDF
    assert stored_files(media) == files_before  # the stray upload is gone too
    assert Plan.objects.get(pk=plan_2018.pk).title == plan_2018.title
    # the sequences came back with the rows: the next entry does not collide
    LedgerEntry.objects.create(
        assignment=entry.assignment,
        date="2018-09-01",
        kind="other",
        description="恢复之后录入",
        responsible_person="王五",
    )


@pytest.mark.django_db(transaction=True)
def test_files_in_object_storage_are_left_to_the_bucket(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.AWS_STORAGE_BUCKET_NAME = "workplan-evidence"
    output = run("backup", "--output", str(tmp_path / "b.tar.gz"))
    assert "存储桶 workplan-evidence" in output and "本次不包含文件" in output
    assert read_manifest(tmp_path / "b.tar.gz")["media"] == "skipped"
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        assert tar.getnames() == ["manifest.json", "database.dump"]

    output = run("restore", str(tmp_path / "b.tar.gz"), "--yes")
    assert "备份中没有上传文件" in output and "已恢复数据库（备份于" in output


def test_restore_refuses_a_damaged_archive_and_changes_nothing(tmp_path, media):
    (media / "kept.pdf").write_bytes(PDF)
    manifest = {"format": 1, "database": {"vendor": "postgresql"}, "media": "included"}
    with pytest.raises(CommandError, match="缺少数据库文件 database.dump"):
        run("restore", str(fake_archive(tmp_path / "no-dump.tar.gz", manifest)), "--yes")

    escaping = fake_archive(
        tmp_path / "escaping.tar.gz",
        manifest,
        {"database.dump": b"-", "media/../../escaped.pdf": PDF},
    )
    with pytest.raises(CommandError, match="已损坏，未做任何改动"):
        run("restore", str(escaping), "--yes")
    assert not list(tmp_path.rglob("escaped.pdf"))

    whole = fake_archive(
        tmp_path / "whole.tar.gz", manifest, {"database.dump": os.urandom(200_000)}
    )
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(whole.read_bytes()[:-50_000])
    with pytest.raises(CommandError, match="已损坏，未做任何改动"):
        run("restore", str(truncated), "--yes")

    assert stored_files(media) == {"kept.pdf": PDF}  # no staging folder left behind either


def test_the_password_goes_to_pg_dump_through_the_environment_only(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(
        "subprocess.run",
        lambda args, env, **kw: calls.append((args, env)) or subprocess.CompletedProcess(args, 0),
    )
    connection_settings = {
        "NAME": "workplan",
        "USER": "workplan",
        "PASSWORD": "s3cret-pw",
        "HOST": "db",
        "PORT": 5432,
        "OPTIONS": {"sslmode": "require"},
    }
    dump_postgresql(connection_settings, tmp_path / "d.dump", snapshot="00000003-1")
    restore_postgresql(connection_settings, tmp_path / "d.dump")
    for args, env in calls:
        assert not any("s3cret-pw" in arg for arg in args)
        assert env["PGPASSWORD"] == "s3cret-pw" and env["PGHOST"] == "db"
        assert env["PGPORT"] == "5432" and env["PGSSLMODE"] == "require"
    [(dump_args, _), (restore_args, _)] = calls
    assert dump_args[0] == "pg_dump" and "--format=custom" in dump_args
    assert restore_args[0] == "pg_restore"
    assert {"--clean", "--if-exists", "--single-transaction"} <= set(restore_args)


def test_a_missing_pg_dump_is_named_in_the_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no client tools here
    with pytest.raises(BackupError, match="找不到 pg_dump：请安装与数据库服务器版本一致"):
        dump_postgresql({"NAME": "workplan"}, tmp_path / "d.dump", snapshot="x")


def test_restore_refuses_a_backup_of_another_database_vendor(tmp_path):
    archive = fake_archive(tmp_path / "x.tar.gz", {"format": 1, "database": {"vendor": "sqlite"}})
    with pytest.raises(CommandError, match="备份来自 sqlite 数据库，当前数据库是 postgresql"):
        run("restore", str(archive), "--yes")
    with translation.override("en"), pytest.raises(CommandError, match="cannot be restored across"):
        run("restore", str(archive), "--yes")


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    not_ours = tmp_path / "notes.tar.gz"
    not_ours.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="不是本系统的备份文件"):
        run("restore", str(not_ours), "--yes")
    with pytest.raises(CommandError, match="找不到备份文件"):
        run("restore", str(tmp_path / "missing.tar.gz"), "--yes")


def test_restore_asks_before_overwriting(tmp_path, monkeypatch):
    archive = fake_archive(
        tmp_path / "x.tar.gz", {"format": 1, "database": {"vendor": "postgresql"}}
    )
    # not at a terminal and no --yes: refused
    with pytest.raises(CommandError, match="--yes"):
        run("restore", str(archive))
    # at a terminal, anything but yes cancels before the database is touched
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="已取消，未做任何改动"):
        run("restore", str(archive))


def test_sqlite_copy_is_what_its_connection_sees_while_another_writes(tmp_path):
    live, copy = tmp_path / "db.sqlite3", tmp_path / "copy.sqlite3"
    with sqlite3.connect(live) as db:
        db.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, description TEXT)")
        db.execute("INSERT INTO entry (description) VALUES ('举办培训班')")
    writer = sqlite3.connect(live)
    writer.execute("INSERT INTO entry (description) VALUES ('未提交')")  # an open transaction
    source = sqlite3.connect(live)
    copy_sqlite(source, copy)
    writer.rollback()
    writer.close()
    with sqlite3.connect(copy) as db:
        assert db.execute("SELECT description FROM entry").fetchall() == [("举办培训班",)]

    # restore: the copy is written back over the live file, in place
    with sqlite3.connect(live) as db:
        db.execute("DELETE FROM entry")
    backed_up = sqlite3.connect(copy)
    copy_sqlite(backed_up, live)
    backed_up.close()
    # a connection that was open on the live file all along sees the restored rows
    assert source.execute("SELECT description FROM entry").fetchall() == [("举办培训班",)]
    source.close()


def test_restore_says_when_the_backup_schema_is_newer_or_older_than_the_code():
    [newer, older] = migration_notes({"migrations": ["provinces.9999_from_the_future"]})
    assert "较新的版本" in newer and "provinces.9999_from_the_future" in newer
    assert "manage.py migrate" in older


# Run in one process configured for SQLite (one Django start-up: the slow part). The
# careless day between backup and restore happens inside it.
SQLITE_ROUND_TRIP = """
import sqlite3, sys
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
db, media, archive = sys.argv[1:]
call_command("backup", "--output", archive)
with sqlite3.connect(db) as conn:
    conn.execute("UPDATE note SET text = '备份后改的'")
(Path(media) / "evidence" / "签到表.pdf").unlink()
(Path(media) / "stray.png").write_bytes(b"x")
call_command("restore", archive, "--yes")
"""


def test_sqlite_backup_and_restore_through_the_commands(tmp_path):
    """The SQLite path end to end: the online backup API, the files, the restore in place."""
    db, media, archive = tmp_path / "db.sqlite3", tmp_path / "media", tmp_path / "b.tar.gz"
    (media / "evidence").mkdir(parents=True)
    (media / "evidence" / "签到表.pdf").write_bytes(PDF)
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE note (text TEXT)")
        conn.execute("INSERT INTO note VALUES ('备份前')")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{db}",
        "MEDIA_ROOT": str(media),
        "STORAGE_BACKEND": "django.core.files.storage.FileSystemStorage",
    }
    done = subprocess.run(
        [sys.executable, "-c", SQLITE_ROUND_TRIP, str(db), str(media), str(archive)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert "sqlite 数据库，1 个上传文件" in done.stdout  # the backup's report
    assert "已恢复数据库和 1 个上传文件" in done.stdout  # the restore's
    assert read_manifest(archive)["database"]["vendor"] == "sqlite"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT text FROM note").fetchall() == [("备份前",)]
    assert stored_files(media) == {"evidence/签到表.pdf": PDF}
