"""Evidence files: allowed by content, not by name; limited in size; served only when visible."""

from __future__ import annotations

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # legacy .doc / .xls container


def sniff(head: bytes) -> str | None:
    if head.startswith(OLE_MAGIC):
        return "application/x-ole-storage"
    kind = filetype.guess(head)
    return kind.mime if kind else None


def validate_upload(upload) -> str:
    """Return the content type of an acceptable file, or raise ValidationError in Chinese."""
    name = upload.name or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
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
    if mime not in ALLOWED[ext]:
        raise ValidationError(
            _("文件“%(name)s”的内容与扩展名不符（可能是改了扩展名的其他文件），已拒绝。")
            % {"name": name}
        )
    if mime == "application/zip" and not _is_office_zip(upload, ext):
        raise ValidationError(
            _("文件“%(name)s”的内容与扩展名不符（可能是改了扩展名的其他文件），已拒绝。")
            % {"name": name}
        )
    return {
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "doc": "application/msword",
        "xls": "application/vnd.ms-excel",
    }.get(ext, mime)


def _is_office_zip(upload, ext: str) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)
    marker = "word/document.xml" if ext == "docx" else "xl/workbook.xml"
    return "[Content_Types].xml" in names and marker in names


def attachment_response(field_file, original_name: str, content_type: str):
    from django.http import FileResponse

    return FileResponse(
        field_file.open("rb"),
        as_attachment=True,
        filename=original_name,
        content_type=content_type,
    )
