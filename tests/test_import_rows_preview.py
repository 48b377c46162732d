"""The import preview lists the rows it will write (the first 50), duplicates marked."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from provinces.models import LedgerEntry
from tests.test_imports import GOOD, OTHER, upload, xlsx
from workflow.imports import PREVIEW_ROWS

pytestmark = pytest.mark.django_db


def rows_of(html: str) -> list[str]:
    table = html.split('id="import-rows"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr[^>]*><td>(\d+)</td>", table)


def test_preview_lists_each_row_it_will_write(plan_2018, jiangxi_staff, as_user):
    page = upload(as_user(jiangxi_staff), xlsx([GOOD, OTHER]))
    html = page.content.decode()
    assert page.status_code == 200
    assert rows_of(html) == ["2", "3"]
    assert "<td>举办培训班</td>" in html and "<td>走访企业</td>" in html
    assert "<td>2018-07-15</td>" in html  # a date as a date, not 2018-07-15 00:00:00
    assert 'id="import-rows-more"' not in html
    assert LedgerEntry.objects.count() == 0  # a preview writes nothing


def test_duplicates_are_marked_in_the_rows(plan_2018, jiangxi_staff, as_user):
    html = upload(as_user(jiangxi_staff), xlsx([GOOD, OTHER, GOOD])).content.decode()
    duplicate = re.search(r'<tr class="muted duplicate"><td>(\d+)</td>.*?</tr>', html, re.S)
    assert duplicate and duplicate.group(1) == "4"
    assert "重复，不导入" in duplicate.group(0) and "与第 2 行相同" in duplicate.group(0)
    assert html.count('class="muted duplicate"') == 1


def test_a_long_file_lists_the_first_rows_and_counts_the_rest(plan_2018, jiangxi_staff, as_user):
    first = date(2018, 7, 1)
    rows = [[*GOOD[:3], str(first + timedelta(days=i)), *GOOD[4:]] for i in range(60)]
    html = upload(as_user(jiangxi_staff), xlsx(rows)).content.decode()
    assert len(rows_of(html)) == PREVIEW_ROWS == 50
    assert "另有 10 行未列出" in html
