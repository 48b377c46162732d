"""A stored file: one abstract model, one attach function, removal on commit.

Evidence of a ledger entry, files of a typical case and a project's attachments are all
``StoredFile`` rows, attached with ``attach`` and downloaded with ``download`` (only after
the caller found the row through its model's ``visible_to``). The file
and its row live and die with the same transaction:

- ``attach`` checks every upload first (type by content, the size limit): one bad file
  stores none and the error lists every problem. A file written for a row whose
  transaction then rolls back is removed again.
- deleting a row (directly or by cascade) removes its file only once the deletion is
  committed, so a rolled-back deletion keeps both.
"""

from __future__ import annotations

import uuid
import weakref
import zipfile
from collections.abc import Iterable
from typing import TypeVar

import filetype
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# extension → MIME types the content may have
ALLOWED = {
    "pdf": {"application/pdf"},
    "doc": {"application/msword", "application/x-ole-storage"},
    "docx": {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/zip",
    },
    "xls": {"application/vnd.ms-excel", "application/x-ole-storage"},
    "xlsx": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
    },
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "png": {"image/png"},
}
# the content type stored for an extension whose content sniffs as a generic container
STORED_TYPE = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
}
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # legacy .doc / .xls container


def sniff(head: bytes) -> str | None:
    if head.startswith(OLE_MAGIC):
        return "application/x-ole-storage"
    kind = filetype.guess(head)
    return kind.mime if kind else None


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _is_office_zip(upload, ext: str) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)
    marker = "word/document.xml" if ext == "docx" else "xl/workbook.xml"
    return "[Content_Types].xml" in names and marker in names


def validate_upload(upload) -> str:
    """Return the content type of an acceptable file, or raise ValidationError in Chinese."""
    name = upload.name or ""
    ext = _extension(name)
    if upload.size > settings.MAX_UPLOAD_SIZE:
        raise ValidationError(
            _("文件“%(name)s”过大（%(size).1f MB）：单个文件不能超过 %(limit)d MB。")
            % {
                "name": name,
                "size": upload.size / 1024 / 1024,
                "limit": settings.MAX_UPLOAD_SIZE // 1024 // 1024,
            }
        )
    if ext not in ALLOWED:
        raise ValidationError(
            _("文件“%(name)s”的类型不受支持：只接受 PDF、Word、Excel、JPEG、PNG。") % {"name": name}
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    mime = sniff(head)
    if mime not in ALLOWED[ext] or (mime == "application/zip" and not _is_office_zip(upload, ext)):
        raise ValidationError(
            _("文件“%(name)s”的内容与扩展名不符（可能是改了扩展名的其他文件），已拒绝。")
            % {"name": name}
        )
    return STORED_TYPE.get(ext, mime)


def upload_to(instance: StoredFile, filename: str) -> str:
    # The stored name never reuses the uploader's file name: no path tricks, no clashes.
    ext = _extension(filename) or "bin"
    return f"{instance.upload_dir}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class FileQuerySet(models.QuerySet):
    def visible_to(self, user) -> FileQuerySet:
        """A file is seen by exactly those who see the row it belongs to: its owner's
        ``visible_to`` is the one rule, and no file model writes a rule of its own."""
        owner = self.model._meta.get_field(self.model.owner_field)
        return self.filter(**{f"{owner.name}__in": owner.related_model.objects.visible_to(user)})


class StoredFile(models.Model):
    """An uploaded file with what we know of it. Subclasses add their owner, a foreign key
    named by ``owner_field``; who may see the file follows the owner (``FileQuerySet``)."""

    upload_dir = "files"  # the folder under MEDIA_ROOT; each subclass names its own
    owner_field = ""  # the foreign key to the row the file belongs to; each subclass names it

    file = models.FileField(gettext_lazy("文件"), upload_to=upload_to, max_length=200)
    original_name = models.CharField(gettext_lazy("原文件名"), max_length=200)
    content_type = models.CharField(gettext_lazy("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(gettext_lazy("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(gettext_lazy("上传时间"), auto_now_add=True)

    objects = FileQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


T = TypeVar("T", bound=StoredFile)


class _KeptOnCommit:
    """An on-commit hook that removes its file if the row's transaction never commits.

    Django drops the on-commit hooks of a rolled-back transaction or savepoint without
    calling them; the finalizer runs when this hook is dropped, and removes the file
    unless the hook ran. Hooks are also dropped, after a commit, when an earlier hook
    raises: then the database has the last word.
    """

    def __init__(self, row: StoredFile):
        self.state = {"committed": False}
        weakref.finalize(
            self,
            _remove_unless_committed,
            type(row),
            row._state.db,
            row.file.storage,
            row.file.name,
            self.state,
        )

    def __call__(self) -> None:
        self.state["committed"] = True


def _remove_unless_committed(model, using, storage: Storage, name: str, state: dict) -> None:
    if state["committed"]:
        return
    connection = transaction.get_connection(using)
    # (not get_autocommit(): it would reconnect a connection being closed)
    if connection.autocommit and not connection.in_atomic_block:
        # Outside any transaction: dropped after a commit (or by the interpreter's exit).
        try:
            if model._default_manager.using(using).filter(file=name).exists():
                return
        except Exception:  # noqa: BLE001 - a database we cannot ask keeps the file
            return
    storage.delete(name)


def attach(model: type[T], uploads: Iterable, by, **owner) -> list[T]:
    """Check every upload, then store each as a row of ``model`` owned by ``owner``.

    One bad file stores none: the ValidationError lists every problem. The rows are
    written in the caller's transaction; if it rolls back, the written files are removed.
    """
    uploads = list(uploads)
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append((upload, validate_upload(upload)))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    rows = []
    with transaction.atomic():
        for upload, content_type in checked:
            row = model(
                file=upload,
                original_name=upload.name[:200],
                content_type=content_type,
                size=upload.size,
                uploaded_by=by,
                **owner,
            )
            try:
                row.save()
            finally:
                if row.file.name:  # written: kept only if this row is committed
                    transaction.on_commit(_KeptOnCommit(row), using=row._state.db)
            rows.append(row)
    return rows


def _remove_file_on_commit(sender, instance: StoredFile, **kwargs) -> None:
    if instance.file.name:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))


def connect_file_removal() -> None:
    """Remove a row's file once its deletion commits (also for cascades); from ready()."""
    for model in apps.get_models():
        if issubclass(model, StoredFile):
            post_delete.connect(
                _remove_file_on_commit, sender=model, dispatch_uid=f"stored-file-{model._meta}"
            )


def file_response(field_file, filename: str, content_type: str) -> FileResponse:
    """A stored file as a download under the name people know it by."""
    return FileResponse(
        field_file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )


def download(stored: StoredFile) -> FileResponse:
    return file_response(stored.file, stored.original_name, stored.content_type)
