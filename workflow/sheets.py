"""The one spreadsheet writer: every export and template the app offers is written here.

What it promises, whatever the caller hands it:
- text stays text. A value such as ``=HYPERLINK(…)``, ``+1``, ``@SUM(…)`` or ``#N/A`` is
  stored as a string cell (never a formula or an error), kept exactly, and marked with a
  quote prefix so that editing the cell in Excel does not turn it into a formula either;
- dates are dates and numbers are numbers (so sums and sorting work);
- columns are wide enough for Chinese text (a CJK character counts two units);
- each sheet has a real name (Excel allows 31 characters and no ``[]:*?/\\``).
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = "0.00"  # a Decimal (万元) is a number cell shown with its two places
# Text a spreadsheet program may read as the start of a formula (or a DDE call).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
MAX_CELL_TEXT = 32767  # Excel's limit per cell
MIN_WIDTH, MAX_WIDTH = 6, 60
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Sheet:
    """One worksheet: a title, a header row and rows of plain Python values."""

    title: str
    headers: Sequence[Any]
    rows: list[Sequence[Any]] = field(default_factory=list)

    def append(self, row: Iterable[Any]) -> None:
        self.rows.append(list(row))


def display_width(text: str) -> int:
    """Columns a value needs on screen: wide (CJK, full-width) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def sheet_title(title: Any) -> str:
    cleaned = _BAD_TITLE.sub("", str(title)).strip("'")[:31]
    return cleaned or "Sheet"


def _native(value: Any) -> Any:
    """The value as a cell should hold it: text as str, dates naive in local time."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, bool | int | float | date):
        return value
    return str(value)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return "0000-00-00 00:00"
    if isinstance(value, date):
        return "0000-00-00"
    return str(value)


def _write(ws, row: int, column: int, value: Any, bold: bool = False):
    money = isinstance(value, Decimal) and value.is_finite()
    value = _native(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_TEXT]
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        # Assigning a string makes "=…" a formula and "#N/A" an error: it is text.
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    elif isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif money:
        cell.number_format = MONEY_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return value


def workbook(*sheets: Sheet) -> bytes:
    """An .xlsx file with one worksheet per sheet, in order."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet_title(sheet.title))
        widths: dict[int, int] = {}
        for r, values in enumerate([sheet.headers, *sheet.rows], start=1):
            for c, value in enumerate(values, start=1):
                stored = _write(ws, r, c, value, bold=r == 1)
                longest = max((display_width(p) for p in _shown(stored).splitlines()), default=0)
                widths[c] = max(widths.get(c, 0), longest)
        for c, width in widths.items():
            ws.column_dimensions[get_column_letter(c)].width = min(
                max(width + 2, MIN_WIDTH), MAX_WIDTH
            )
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def from_dataset(dataset, title: Any) -> Sheet:
    """A tablib dataset (what django-import-export's resources export) as a sheet."""
    return Sheet(title=title, headers=list(dataset.headers or []), rows=[list(r) for r in dataset])


def download(filename: str, *sheets: Sheet) -> HttpResponse:
    """The workbook as an attachment named ``filename``."""
    response = HttpResponse(workbook(*sheets), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
