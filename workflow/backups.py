"""Backups: one archive holding the database, the uploaded files and a manifest.

The archive is a .tar.gz with
- ``manifest.json``: what it holds (format, app version and commit, database vendor, the
  time in Asia/Shanghai, row counts of a few key tables, the number of files, the applied
  migrations);
- ``database.dump`` (PostgreSQL: pg_dump's custom format) or ``database.sqlite3`` (SQLite:
  a consistent copy made with the online backup API while the app runs);
- ``media/``: MEDIA_ROOT of the local file storage. Files kept in S3 are backed up by the
  bucket's own means and left out.

The database is dumped before the files are packed, so every row of the dump finds its
file (a file uploaded in between is an orphan, which is harmless). A restore checks the
manifest, unpacks everything, restores the database in one transaction and only then
swaps the files in: a failing database restore leaves the files as they were.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from . import pagecache

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# Counted into the manifest and after a restore; named by label so that workflow imports
# no app above it. A model an installation lacks is left out.
KEY_MODELS = (
    "accounts.User",
    "planning.Plan",
    "provinces.Assignment",
    "provinces.Registration",
    "provinces.LedgerEntry",
    "provinces.Evidence",
    "provinces.Case",
    "projects.Application",
)
STAGING_PREFIX = ".restore-"  # a restore unpacks files here, inside MEDIA_ROOT
PG_ENV = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD"}
PG_SSL_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is translated and says why."""


@dataclass
class Backup:
    path: Path
    manifest: dict
    media_note: str = ""  # set when the files were not packed, and why


@dataclass
class Restored:
    manifest: dict
    counts: dict[str, int]
    files: int | None  # None: the files were not restored
    notes: list[str] = field(default_factory=list)


# --- where things are ----------------------------------------------------------------


def vendor_of(using: str = "default") -> str:
    vendor = connections[using].vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(
            _("不支持备份 %(vendor)s 数据库：只支持 PostgreSQL 和 SQLite。") % {"vendor": vendor}
        )
    return vendor


def local_media_root() -> Path | None:
    """MEDIA_ROOT of the default storage when it is the local file system, else None."""
    storage = storages["default"]
    return Path(storage.location) if isinstance(storage, FileSystemStorage) else None


def _bucket() -> str:
    storage = storages["default"]
    return getattr(storage, "bucket_name", None) or settings.AWS_STORAGE_BUCKET_NAME or "?"


def count_rows(using: str = "default") -> dict[str, int]:
    """Rows of the key tables the database has (a database not yet migrated has none)."""
    tables = set(connections[using].introspection.table_names())
    counts = {}
    for label in KEY_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if model._meta.db_table in tables:
            counts[label] = model._default_manager.using(using).count()
    return counts


def applied_migrations(using: str = "default") -> list[str]:
    return sorted(
        f"{app}.{name}" for app, name in MigrationRecorder(connections[using]).applied_migrations()
    )


def migration_notes(manifest: dict, using: str = "default") -> list[str]:
    """What to do when the backup's schema and this code's differ (after the restore)."""
    backed_up = set(manifest.get("migrations", []))
    known = {
        f"{app}.{name}"
        for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    }
    notes = []
    if newer := sorted(backed_up - known):
        notes.append(
            _("备份来自较新的版本（本版本没有迁移 %(migrations)s）：请部署备份时的版本再使用。")
            % {"migrations": "、".join(newer[:5])}
        )
    if known - backed_up:
        notes.append(_("备份来自较早的版本：请运行 manage.py migrate 升级数据库。"))
    return notes


def app_version() -> dict[str, str | None]:
    try:
        version = metadata.version("workplan")
    except metadata.PackageNotFoundError:
        try:
            pyproject = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())
            version = pyproject["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            version = None
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = None  # no git in the image, or not a checkout
    return {"version": version, "commit": commit or None}


# --- PostgreSQL ------------------------------------------------------------------------


def _pg_env(settings_dict: dict) -> dict[str, str]:
    """The connection as libpq environment variables: the password never on a command line."""
    env = os.environ.copy()
    for key, var in PG_ENV.items():
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for key, var in PG_SSL_ENV.items():
        if options.get(key):
            env[var] = str(options[key])
    return env


def _run(program: str, args: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run([program, *args], env=env, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(
            _("找不到 %(program)s：请安装与数据库服务器版本一致的 PostgreSQL 客户端工具。")
            % {"program": program}
        ) from exc
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s 失败：%(error)s")
            % {"program": program, "error": result.stderr.strip() or result.returncode}
        )


def dump_postgresql(settings_dict: dict, target: Path, snapshot: str) -> None:
    _run(
        "pg_dump",
        [
            "--format=custom",
            "--no-password",
            f"--snapshot={snapshot}",
            f"--file={target}",
            settings_dict["NAME"],
        ],
        _pg_env(settings_dict),
    )


def restore_postgresql(settings_dict: dict, source: Path) -> None:
    """Replace the dumped objects in one transaction; any error leaves the database as it was.

    Owners and grants are not restored: the restoring role owns what it recreates, so a
    dump restores into another installation's role too.
    """
    _run(
        "pg_restore",
        [
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--no-password",
            f"--dbname={settings_dict['NAME']}",
            str(source),
        ],
        _pg_env(settings_dict),
    )


# --- SQLite ----------------------------------------------------------------------------


def copy_sqlite(source: sqlite3.Connection, target: Path | str) -> None:
    """Copy a SQLite database over another with the online backup API.

    The copy is what ``source`` sees (inside its transaction, if one is open) while other
    connections go on writing, and the target is rewritten in place: connections already
    open on it see the new content.
    """
    dst = sqlite3.connect(target)
    try:
        source.backup(dst)
    except sqlite3.Error as exc:
        raise BackupError(_("SQLite 备份或恢复失败：%(error)s") % {"error": exc}) from exc
    finally:
        dst.close()


# --- the archive -----------------------------------------------------------------------


def _archive_path(output: str | None, now) -> Path:
    """A folder (existing, or written with a trailing slash) gets a name by the time."""
    name = f"workplan-{now:%Y%m%d-%H%M%S}.tar.gz"
    if not output:
        return settings.BASE_DIR / "var" / "backups" / name
    if output.endswith(("/", os.sep)) or Path(output).is_dir():
        return Path(output) / name
    return Path(output)


def _dump(using: str, target: Path) -> dict:
    """Dump the database to ``target``; return its counts and migrations, as of the dump.

    Counting and dumping read one snapshot: on PostgreSQL pg_dump joins the snapshot this
    connection exported; on SQLite the backup API copies through this connection, inside
    its read transaction.
    """
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            [snapshot] = cursor.fetchone()
        state = {"counts": count_rows(using), "migrations": applied_migrations(using)}
        if connection.vendor == "postgresql":
            dump_postgresql(connection.settings_dict, target, snapshot)
        else:
            copy_sqlite(connection.connection, target)
    return state


def _skip_staging(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    top = info.name.split("/")[1:2]
    return None if top and top[0].startswith(STAGING_PREFIX) else info


def backup(output: str | None = None, using: str = "default") -> Backup:
    """Write one archive of the database and the uploaded files; return where and what."""
    vendor = vendor_of(using)
    settings_dict = connections[using].settings_dict
    now = timezone.localtime()
    path = _archive_path(output, now)
    if path.exists():
        raise BackupError(_("备份文件 %(path)s 已存在，未覆盖。") % {"path": path})
    path.parent.mkdir(parents=True, exist_ok=True)
    media_root = local_media_root()
    media_note = (
        ""
        if media_root
        else _(
            "上传文件保存在对象存储（存储桶 %(bucket)s）中，由存储桶自身的备份机制负责，"
            "本次不包含文件。"
        )
        % {"bucket": _bucket()}
    )
    manifest = {
        "format": FORMAT,
        "app": app_version(),
        "database": {"vendor": vendor, "name": str(settings_dict["NAME"])},
        "created_at": now.isoformat(timespec="seconds"),
        "time_zone": str(now.tzinfo),
        "media": "included" if media_root else "skipped",
        "files": 0,
    }
    partial = path.with_name(path.name + ".partial")
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / DUMP_NAMES[vendor]
        manifest.update(_dump(using, dump))
        if media_root and media_root.is_dir():
            manifest["files"] = sum(
                1
                for p in media_root.rglob("*")
                if p.is_file() and not p.relative_to(media_root).parts[0].startswith(STAGING_PREFIX)
            )
        # The archive holds password hashes and every unit's files: readable by its owner only.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
                tar.addfile(info, io.BytesIO(data))
                tar.add(dump, arcname=dump.name)
                if media_root and media_root.is_dir():
                    tar.add(media_root, arcname=MEDIA, filter=_skip_staging)
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return Backup(path=path, manifest=manifest, media_note=media_note)


def read_manifest(archive: Path) -> dict:
    """The manifest of a backup archive, or BackupError if it is not one we can read."""
    not_ours = _("%(path)s 不是本系统的备份文件（缺少可读的 manifest.json）。") % {"path": archive}
    if not archive.is_file():
        raise BackupError(_("找不到备份文件 %(path)s。") % {"path": archive})
    try:
        with tarfile.open(archive, "r:gz") as tar:
            # the manifest is the first member: no need to read a large archive through
            first = tar.next()
            member = tar.extractfile(first) if first and first.name == MANIFEST else None
            manifest = json.loads(member.read()) if member else None
    except (tarfile.TarError, KeyError, OSError, EOFError, ValueError) as exc:
        raise BackupError(not_ours) from exc
    if not isinstance(manifest, dict) or "database" not in manifest:
        raise BackupError(not_ours)
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("备份文件的格式版本 %(found)s 与本系统（%(expected)s）不一致，不能恢复。")
            % {"found": manifest.get("format"), "expected": FORMAT}
        )
    return manifest


def check_restorable(manifest: dict, using: str = "default") -> None:
    """Refuse a backup of another database vendor: a dump restores only into its own kind."""
    found, current = manifest["database"].get("vendor"), vendor_of(using)
    if found != current:
        raise BackupError(
            _("备份来自 %(found)s 数据库，当前数据库是 %(current)s：不能跨数据库类型恢复。")
            % {"found": found, "current": current}
        )


def restore(archive: Path, using: str = "default") -> Restored:
    """Replace the database (and the local files) with the archive's; irreversible."""
    manifest = read_manifest(archive)
    check_restorable(manifest, using)
    vendor = manifest["database"]["vendor"]
    settings_dict = connections[using].settings_dict
    media_root = local_media_root()
    notes = []
    has_media = manifest.get("media") == "included"
    if not has_media:
        notes.append(_("备份中没有上传文件（当时保存在对象存储中），现有文件未改动。"))
    elif media_root is None:
        notes.append(
            _(
                "上传文件现在保存在对象存储（存储桶 %(bucket)s）中：备份中的文件未恢复，"
                "存储桶由其自身的备份机制负责。"
            )
            % {"bucket": _bucket()}
        )
    staging = None
    if has_media and media_root is not None:
        media_root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=media_root))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            dump = _unpack(archive, DUMP_NAMES[vendor], Path(tmp), staging)
            if vendor == "postgresql":
                restore_postgresql(settings_dict, dump)
            else:
                connections[using].close()
                source = sqlite3.connect(dump)
                try:
                    copy_sqlite(source, settings_dict["NAME"])
                finally:
                    source.close()
        files = _swap_media(staging, media_root) if staging else None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    pagecache.bump()  # written outside Django's connection: every kept page is stale
    notes.extend(migration_notes(manifest, using))
    return Restored(manifest=manifest, counts=count_rows(using), files=files, notes=notes)


def _unpack(archive: Path, dump_name: str, tmp: Path, staging: Path | None) -> Path:
    """Unpack the dump into ``tmp`` and the files into ``staging``; change nothing else."""
    dump = None
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.name == dump_name:
                    tar.extract(member, tmp, filter="data")
                    dump = tmp / dump_name
                elif staging is not None and (
                    member.name == MEDIA or member.name.startswith(MEDIA + "/")
                ):
                    # the data filter refuses absolute paths, .. and links leaving the folder
                    tar.extract(member, staging, filter="data")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(
            _("备份文件 %(path)s 已损坏，未做任何改动：%(error)s") % {"path": archive, "error": exc}
        ) from exc
    if dump is None:
        raise BackupError(_("备份文件中缺少数据库文件 %(name)s。") % {"name": dump_name})
    return dump


def _swap_media(staging: Path, media_root: Path) -> int:
    """Put the unpacked files in place of MEDIA_ROOT's contents (which may be a mount)."""
    unpacked = staging / MEDIA
    unpacked.mkdir(exist_ok=True)  # a backup of an empty MEDIA_ROOT
    for child in media_root.iterdir():
        if child == staging:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    for child in unpacked.iterdir():
        child.rename(media_root / child.name)
    return sum(1 for p in media_root.rglob("*") if p.is_file() and staging not in p.parents)
