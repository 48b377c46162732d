"""Spreadsheet imports: bounded, previewed, confirmed once, all or nothing, off the request.

Every import (ledger entries and contacts today) is an :class:`Importer` registered here
by its app. This module owns what they share:

- :func:`read_table` refuses a file before it can grow the process: its size
  (``IMPORT_MAX_BYTES``); for an .xlsx (a zip) the sum of its members' uncompressed sizes
  (``IMPORT_MAX_UNZIPPED_BYTES``) and its compression ratio (``IMPORT_MAX_ZIP_RATIO``),
  read from the zip's directory before calamine opens it (so the sheet it parses is
  bounded); the number of rows (``IMPORT_MAX_ROWS``, counted as rows are taken, so a
  longer file stops there) and each
  cell's length (``IMPORT_MAX_CELL_CHARS``). Each refusal names its limit, in Chinese.
- An :class:`~workflow.models.ImportJob` row holds the file between preview and confirm,
  and records state, progress, step, problems and counts. A file of more than
  ``IMPORT_ASYNC_ROWS`` rows is checked and written by a Celery task (queued on commit,
  given the job's primary key); the page polls the row. Smaller files run in the request.
- A preview is confirmed at most once: :func:`confirm` claims it with a conditional
  ``UPDATE … WHERE phase = 'preview' AND state = 'done'``; a second confirm changes nothing.
- Each importer reports rows already present as duplicates and does not write them again;
  writing happens in one transaction, with the rows it may write to locked, and any
  problem found then rolls everything back.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import tablib
from celery import shared_task
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from python_calamine import CalamineWorkbook

from .models import ImportJob

RowTicker = Callable[[int, int], None]  # (rows done, rows in all)
Report = Callable[[int, str], None]  # (percent, step), as Job.report

UNREADABLE = gettext_lazy("无法读取文件：请使用下载的模板，保存为 .xlsx 或 UTF-8 编码的 .csv。")


class ImportRefused(ValidationError):
    """The file as a whole is refused (a bound, an unreadable file); nothing was read into it."""


@dataclass
class RowProblem:
    number: int  # the row's number in the sheet (the header is row 1)
    messages: list[str]


@dataclass
class ImportOutcome:
    """What a check or a write found: problems (nothing written), duplicates, counts."""

    total: int
    problems: list[RowProblem] = field(default_factory=list)
    duplicates: list[RowProblem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    header_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and not self.header_error

    @property
    def to_write(self) -> int:
        return self.created + self.updated


# --- reading, with bounds ----------------------------------------------------------------


def check_upload(name: str, size: int) -> None:
    """The checks that need only the file's name and size (the form runs them first)."""
    if not name.lower().endswith((".xlsx", ".csv")):
        raise ImportRefused(_("只支持 .xlsx 或 .csv 文件。"))
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportRefused(
            _("文件过大：不能超过 %(limit)s，请分批导入。")
            % {"limit": filesizeformat(settings.IMPORT_MAX_BYTES)}
        )


def read_table(content: bytes, filename: str) -> tablib.Dataset:
    """The file's first sheet as a dataset (first row = headers), or :class:`ImportRefused`."""
    check_upload(filename, len(content))
    if filename.lower().endswith(".csv"):
        rows = _csv_rows(content)
    else:
        _check_zip(content)
        rows = _xlsx_rows(content)
    try:
        return _bounded_dataset(rows)
    except ImportRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's file, not our bug
        raise ImportRefused(str(UNREADABLE)) from exc


def _check_zip(content: bytes) -> None:
    """Refuse a zip bomb from its directory, before anything is decompressed.

    The declared sizes can be trusted as bounds: zipfile stops reading a member at its
    declared size (and fails on a CRC mismatch), so a lying directory gets no further.
    """
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ImportRefused(str(UNREADABLE)) from exc
    unzipped = sum(m.file_size for m in members)
    if unzipped > settings.IMPORT_MAX_UNZIPPED_BYTES:
        raise ImportRefused(
            _("文件解压后超过 %(limit)s 的上限，未读取。请删除多余的工作表、图片或空白格式后重试。")
            % {"limit": filesizeformat(settings.IMPORT_MAX_UNZIPPED_BYTES)}
        )
    compressed = sum(m.compress_size for m in members) or 1
    if unzipped > 1024 * 1024 and unzipped / compressed > settings.IMPORT_MAX_ZIP_RATIO:
        raise ImportRefused(
            _("文件的压缩比超过 %(limit)d 倍的上限，可能不是正常的 Excel 文件，未读取。")
            % {"limit": settings.IMPORT_MAX_ZIP_RATIO}
        )


def _xlsx_rows(content: bytes) -> Iterator[list]:
    """The first sheet's rows, read by calamine (Rust: openpyxl's cell-by-cell XML parse was
    the import's largest cost), each cell as openpyxl gives it: None when empty, an int for a
    whole number, a datetime for a date; a formula's cached value, never the formula."""
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    for row in sheet.iter_rows():
        yield [_as_openpyxl(value) for value in row]


def _as_openpyxl(value):
    if value == "" and isinstance(value, str):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return datetime.datetime.combine(value, datetime.time())
    return value


def _csv_rows(content: bytes) -> Iterator[list]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(str(UNREADABLE)) from exc
    try:
        yield from csv.reader(io.StringIO(text))
    except csv.Error as exc:  # a field longer than csv's own limit (128 KB) lands here too
        raise ImportRefused(str(UNREADABLE)) from exc


def _bounded_dataset(rows: Iterable) -> tablib.Dataset:
    rows = iter(rows)
    headers = [str(h if h is not None else "").strip() for h in next(rows, None) or ()]
    while headers and not headers[-1]:
        headers.pop()
    width, max_rows = len(headers), settings.IMPORT_MAX_ROWS
    max_chars = settings.IMPORT_MAX_CELL_CHARS
    kept: list[list] = []
    blank: list[list] = []  # empty rows are kept only if a filled row follows them
    for number, cells in enumerate(rows, start=2):
        values = list(cells[:width])
        values += [None] * (width - len(values))
        if not any(v is not None and v != "" for v in values):
            blank.append(values)
            continue
        for column, value in enumerate(values):
            if isinstance(value, str) and len(value) > max_chars:
                raise ImportRefused(
                    _("第 %(row)d 行“%(column)s”列超过 %(limit)d 个字符的上限，未导入。")
                    % {"row": number, "column": headers[column], "limit": max_chars}
                )
        kept += blank
        kept.append(values)
        blank.clear()
        if len(kept) > max_rows:  # stop reading here: the rest of the file is never parsed
            raise ImportRefused(
                _("文件超过 %(limit)d 行数据的上限，未导入：请分成多个文件导入。")
                % {"limit": max_rows}
            )
    return tablib.Dataset(*kept, headers=headers)


def limits() -> dict[str, object]:
    """The bounds, as the import pages state them."""
    return {
        "rows": settings.IMPORT_MAX_ROWS,
        "size": filesizeformat(settings.IMPORT_MAX_BYTES),
        "async": settings.IMPORT_ASYNC_ROWS,
    }


class ImportForm(forms.Form):
    """Upload a sheet: the bounds are checked here, so a refused file never becomes a job."""

    file = forms.FileField(
        label=gettext_lazy("Excel 或 CSV 文件"),
        help_text=gettext_lazy("请使用下载的模板；支持 .xlsx 和 .csv（UTF-8）。"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload(upload.name, upload.size)  # before reading it into memory
        self.cleaned_data["content"] = content = upload.read()
        self.cleaned_data["dataset"] = read_table(content, upload.name)
        return upload


# --- importers ----------------------------------------------------------------------------


class Importer:
    """One kind of import. Subclasses say what a row is: its headers, check and write."""

    kind: str
    title: str  # the import page's heading
    roles: frozenset[str]  # who may import (the pages declare the same roles)
    done_url: str  # where a finished import sends the user (URL name)
    template_url: str  # the blank template's URL name
    upload_url: str  # the upload page's URL name (it declares ``roles``)

    def missing_headers(self, headers: list[str], user) -> list[str]:
        raise NotImplementedError

    def check(self, dataset: tablib.Dataset, user, rows: RowTicker) -> ImportOutcome:
        """Every row's problems and duplicates, and how many rows would be written. No writes."""
        raise NotImplementedError

    def write(self, dataset: tablib.Dataset, user) -> ImportOutcome:
        """Write the rows (inside the caller's transaction), checking them again first."""
        raise NotImplementedError

    def run(
        self, dataset: tablib.Dataset, user, *, dry_run: bool, report: Report | None = None
    ) -> ImportOutcome:
        """Check the rows and, unless ``dry_run``, write them: every row or none."""
        report = report or (lambda progress, step: None)
        missing = self.missing_headers(dataset.headers or [], user)
        if missing:
            return ImportOutcome(
                total=len(dataset),
                header_error=_("表头不正确，缺少列：%(cols)s。请使用下载的模板。")
                % {"cols": "、".join(missing)},
            )
        if len(dataset) == 0:
            return ImportOutcome(total=0, header_error=_("文件中没有数据行。"))
        share = 99 if dry_run else 50
        shown = [0]

        def rows(done: int, total: int) -> None:
            percent = share * done // total
            if percent > shown[0]:
                shown[0] = percent
                report(
                    percent, _("已检查 %(done)d / %(total)d 行") % {"done": done, "total": total}
                )

        outcome = self.check(dataset, user, rows)
        if dry_run or not outcome.ok or not outcome.to_write:
            return outcome
        report(share, _("正在写入 %(n)d 行") % {"n": outcome.to_write})
        with transaction.atomic():
            written = self.write(dataset, user)
            if not written.ok:
                transaction.set_rollback(True)
        return written

    def import_file(self, content: bytes, filename: str, user, *, dry_run: bool) -> ImportOutcome:
        """Read (bounded) and run one file, in the caller's process: scripts and tests."""
        try:
            dataset = read_table(content, filename)
        except ImportRefused as exc:
            return ImportOutcome(total=0, header_error=exc.messages[0])
        return self.run(dataset, user, dry_run=dry_run)


IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    """Called by each app for its imports (the registry the job task reads)."""
    IMPORTERS[importer.kind] = importer
    return importer


# --- jobs ----------------------------------------------------------------------------------

MAX_LISTED = 500  # problems and duplicates kept on the job for the page (all are counted)
PREVIEW_ROWS = 50  # rows the preview shows as they will be written ("and N more" for the rest)


def _cell(value) -> str:
    """A cell as the preview shows it: dates as dates, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def preview_rows(dataset: tablib.Dataset, limit: int = PREVIEW_ROWS) -> dict:
    """The first rows of a file, numbered as in the sheet (the header is row 1)."""
    return {
        "headers": [_cell(h) for h in dataset.headers or []],
        "rows": [
            [number, [_cell(v) for v in row]] for number, row in enumerate(dataset[:limit], start=2)
        ],
    }


def start(importer: Importer, user, name: str, content: bytes, dataset: tablib.Dataset):
    """Record an uploaded file as a job and preview it: now, or in a task if it is long."""
    job = ImportJob.objects.create(
        kind=importer.kind,
        file_name=name[:200],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        total=len(dataset),
        requested_by=user,
    )
    if len(dataset) > settings.IMPORT_ASYNC_ROWS:
        transaction.on_commit(lambda: run_import_task.delay(job.pk))
    else:
        run_job(job.pk, dataset)
    job.refresh_from_db()
    return job


def confirm(job: ImportJob, user) -> bool:
    """Write a previewed file, once: False if it was confirmed already (or cannot be)."""
    claimed = (
        ImportJob.objects.filter(
            pk=job.pk,
            requested_by=user,
            phase=ImportJob.Phase.PREVIEW,
            state=ImportJob.State.DONE,
            error="",
            problem_count=0,
        )
        .filter(Q(created__gt=0) | Q(updated__gt=0))
        .update(phase=ImportJob.Phase.IMPORT, state=ImportJob.State.QUEUED, progress=0, step="")
    )
    if not claimed:
        return False
    if job.total > settings.IMPORT_ASYNC_ROWS:
        transaction.on_commit(lambda: run_import_task.delay(job.pk))
    else:
        run_job(job.pk)
    job.refresh_from_db()
    return True


def run_job(job_id: int, dataset: tablib.Dataset | None = None) -> None:
    """Run a queued job's phase (preview or import) and record what it found on the row."""
    if not ImportJob.claim(job_id):
        return  # another worker has it, or it ran already
    job = ImportJob.objects.select_related("requested_by").get(pk=job_id)
    preview = job.phase == ImportJob.Phase.PREVIEW
    try:
        if dataset is None:
            dataset = read_table(bytes(job.content), job.file_name)
        outcome = IMPORTERS[job.kind].run(
            dataset, job.requested_by, dry_run=preview, report=job.report
        )
    except ImportRefused as exc:
        job.fail(exc.messages[0], content=b"")
        return
    except Exception:
        job.fail(_("导入失败，未写入任何数据。请稍后重试或联系管理员。"), content=b"")
        raise
    recorded = {
        "total": outcome.total,
        "created": outcome.created,
        "updated": outcome.updated,
        "duplicates": len(outcome.duplicates),
        "problem_count": len(outcome.problems),
        "problems": [[p.number, p.messages] for p in outcome.problems[:MAX_LISTED]],
        "duplicate_rows": [[p.number, p.messages] for p in outcome.duplicates[:MAX_LISTED]],
    }
    if preview and outcome.ok:
        recorded["preview_rows"] = preview_rows(dataset)
    if not (preview and outcome.ok and outcome.to_write):
        recorded["content"] = b""  # nothing more will be done with the file
    if outcome.header_error:
        job.fail(outcome.header_error, **recorded)
    elif not outcome.ok and not preview:
        job.fail(_("导入时发现问题，未写入任何数据。"), **recorded)
    else:
        job.finish(**recorded)


@shared_task(name="workflow.run_import", acks_late=True)
def run_import_task(job_id: int) -> int:
    run_job(job_id)
    return job_id
