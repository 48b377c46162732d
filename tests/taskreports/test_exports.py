"""HQ's workbooks: a task report's submissions (one row per unit, one typed column per
field) and a notice's read receipts (a date-time cell); HQ only."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from provinces import services
from provinces.models import Province, TaskReport, clean_report_values
from tests.conftest import client_for

from .conftest import good_values

pytestmark = pytest.mark.django_db


def workbook(user, url: str):
    response = client_for(user).get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def test_a_task_reports_submissions_as_typed_cells(task7_report, jiangxi_staff, hq_reviewer):
    report = services.save_task_report(
        TaskReport(definition=task7_report, province=jiangxi_staff.province),
        jiangxi_staff,
        clean_report_values(task7_report.fields.all(), good_values(task7_report)),
    )
    services.submit_task_report(report, jiangxi_staff)
    book = workbook(hq_reviewer, f"/provinces/task-reports/{task7_report.pk}/export.xlsx")
    ws = book.active
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["单位", "状态", "报送时间", "逾期报送"]
    assert headers[4:] == [f.label for f in task7_report.fields.all()]
    rows = {row[0].value: row for row in ws.iter_rows(min_row=2)}
    carrying = {"天津", "重庆", "江苏", "江西"}
    assert carrying <= set(rows)  # one row per unit of task 7, filed or not
    jiangxi = rows["江西"]
    assert jiangxi[1].value == "已报送"
    assert isinstance(jiangxi[2].value, datetime) and jiangxi[2].is_date
    count, money, day, text = jiangxi[4:8]
    assert count.value == 12 and count.data_type == "n"
    assert money.value == pytest.approx(float(Decimal("35.50"))) and money.data_type == "n"
    assert day.value == datetime(2018, 11, 20) and day.is_date
    assert text.value == "服务效果良好。" and text.data_type == "s"
    assert rows["天津"][1].value == "未填报" and rows["天津"][4].value is None


def test_a_draft_is_not_shown_to_hq(task7_report, jiangxi_staff, hq_reviewer):
    services.save_task_report(
        TaskReport(definition=task7_report, province=jiangxi_staff.province),
        jiangxi_staff,
        {task7_report.fields.first().key: 3},
    )
    ws = workbook(hq_reviewer, f"/provinces/task-reports/{task7_report.pk}/export.xlsx").active
    jiangxi = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "江西")
    assert jiangxi[1].value == "草稿" and jiangxi[4].value is None


def test_a_notices_read_receipts(draft_notice, hq_reviewer, jiangxi_staff):
    services.send_notice(draft_notice, hq_reviewer)
    client_for(jiangxi_staff).get(f"/provinces/notices/{draft_notice.pk}/")  # read
    ws = workbook(hq_reviewer, f"/provinces/notices/{draft_notice.pk}/receipts.xlsx").active
    assert [c.value for c in ws[1]] == ["单位", "首次阅读时间", "阅读人"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert set(rows) == {
        p.short_name for p in Province.objects.filter(receipts__notice=draft_notice)
    }
    read = rows["江西"]
    assert isinstance(read[1].value, datetime) and read[1].is_date
    assert read[1].number_format == "yyyy-mm-dd hh:mm"
    assert read[2].value == jiangxi_staff.display_name()
    unread = next(r for name, r in rows.items() if name != "江西")
    assert unread[1].value is None and unread[2].value is None


def test_the_exports_are_hqs(task7_report, draft_notice, hq_reviewer, jiangxi_staff, expert):
    services.send_notice(draft_notice, hq_reviewer)
    for user in (jiangxi_staff, expert):
        for url in (
            f"/provinces/task-reports/{task7_report.pk}/export.xlsx",
            f"/provinces/notices/{draft_notice.pk}/receipts.xlsx",
        ):
            assert client_for(user).get(url).status_code == 404
