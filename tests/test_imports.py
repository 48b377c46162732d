"""Spreadsheet imports are bounded, confirmed once, idempotent, and long files leave the request.

Each hostile file is made here: the zip bomb, the 100,000-row file, the over-long cell.
"""

from __future__ import annotations

import io
import resource
import struct
import threading
import zipfile
import zlib

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from provinces.models import Contact, LedgerEntry
from provinces.resources import LEDGER_HEADERS, LEDGER_IMPORT, import_contacts, import_ledger
from workflow import imports
from workflow.imports import ImportRefused, read_table
from workflow.models import ImportJob

GOOD = [2018, 2, "江西", "2018-07-15", "培训班", "举办培训班", "李江", 1, 100, 0]
OTHER = [2018, 2, "江西", "2018-08-01", "企业服务", "走访企业", "王", 0, 0, 5]
CONTACT_HEADERS = ["年度", "任务序号", "省份", "角色", "姓名", "职务", "电话", "邮箱"]
CONTACT = [2018, 2, "江西", "工作联系人", "王五", "科员", "0791-86000000", "wang@example.cn"]


def xlsx(rows, headers=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers or list(LEDGER_HEADERS.values()))
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_file(rows: int) -> bytes:
    header = ",".join(LEDGER_HEADERS.values())
    line = ",".join(str(v) for v in GOOD)
    return (header + "\n" + (line + "\n") * rows).encode("utf-8")


def zip_bomb(unzipped: int = 420 * 1024 * 1024) -> bytes:
    """An .xlsx-shaped zip whose sheet really inflates to ``unzipped`` bytes (~410 KB packed).

    Packed the quick way: once the window is all spaces, every further megabyte of spaces
    deflates to the same bytes, so the stream is one chunk's output repeated.
    """
    chunk = b" " * (1024 * 1024)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    assert again == packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    count = unzipped // len(chunk)
    sheet = first + again * (count - 1) + packer.flush()
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    members = [(b"[Content_Types].xml", b"<Types/>", 0, zlib.crc32(b"<Types/>"), 8)]
    members.append((b"xl/worksheets/sheet1.xml", sheet, 8, crc, count * len(chunk)))
    out, directory = io.BytesIO(), b""
    for name, data, method, crc, size in members:
        offset = out.tell()
        fields = (20, 0, method, 0, 0, crc, len(data), size, len(name))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + name + data)
        directory += (
            struct.pack("<IH", 0x02014B50, 20)
            + struct.pack("<HHHHHIIIHHHHHII", *fields, 0, 0, 0, 0, 0, offset)
            + name
        )
    start = out.tell()
    out.write(directory)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 2, 2, len(directory), start, 0))
    return out.getvalue()


def upload(client, content: bytes, name: str = "l.xlsx", url: str = "/provinces/ledger/import/"):
    return client.post(url, {"file": SimpleUploadedFile(name, content)}, follow=True)


# --- bounds -------------------------------------------------------------------------------


def test_zip_bomb_is_refused_before_it_is_opened(plan_2018, jiangxi_staff, as_user, monkeypatch):
    bomb = zip_bomb()
    assert len(bomb) < 500 * 1024
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:  # a real bomb: it does inflate
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size == 420 * 1024 * 1024
        assert zf.open("xl/worksheets/sheet1.xml").read(1024 * 1024) == b" " * 1024 * 1024
    grown_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    opened = []  # from the zip's directory alone: the sheet is never opened
    monkeypatch.setattr(imports, "_xlsx_rows", lambda content: opened.append(1) or iter(()))
    with pytest.raises(ImportRefused) as refused:
        read_table(bomb, "bomb.xlsx")
    assert "文件解压后超过 50.0\xa0MB 的上限" in refused.value.messages[0]
    assert not opened
    page = upload(as_user(jiangxi_staff), bomb, "bomb.xlsx")
    assert "解压后超过 50.0\xa0MB 的上限" in page.content.decode()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - grown_before
    assert peak_kb < 50 * 1024  # the bomb grew the process by 400 MB before
    assert not ImportJob.objects.exists() and not LedgerEntry.objects.exists()


def test_highly_compressed_file_is_refused_by_its_ratio(settings):
    settings.IMPORT_MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
    with pytest.raises(ImportRefused, match="压缩比超过 100 倍"):
        read_table(zip_bomb(20 * 1024 * 1024), "bomb.xlsx")


def test_a_100000_row_file_is_refused_early(plan_2018, jiangxi_staff, as_user, monkeypatch):
    content = csv_file(100_000)
    pulled = []  # it stops reading at the first row beyond the limit
    rows = imports._csv_rows

    def counted(data):
        for row in rows(data):
            pulled.append(1)
            yield row

    monkeypatch.setattr(imports, "_csv_rows", counted)
    with pytest.raises(ImportRefused, match="超过 20000 行数据的上限"):
        read_table(content, "big.csv")
    assert len(pulled) <= 20_000 + 2  # the header, the 20,000 allowed, the one refused
    monkeypatch.undo()
    page = upload(as_user(jiangxi_staff), content, "big.csv")
    assert "文件超过 20000 行数据的上限" in page.content.decode()
    assert not ImportJob.objects.exists() and not LedgerEntry.objects.exists()


def test_a_large_xlsx_stops_at_the_row_limit(settings):
    settings.IMPORT_MAX_ROWS = 50
    with pytest.raises(ImportRefused, match="超过 50 行"):
        read_table(xlsx([GOOD] * 51), "l.xlsx")
    assert len(read_table(xlsx([GOOD] * 50 + [[None] * 10] * 30), "l.xlsx")) == 50


def test_file_size_and_cell_length_are_bounded(settings, plan_2018, jiangxi_staff, as_user):
    settings.IMPORT_MAX_BYTES = 4096
    page = upload(as_user(jiangxi_staff), csv_file(200), "l.csv")
    assert "文件过大：不能超过 4.0\xa0KB" in page.content.decode()
    settings.IMPORT_MAX_BYTES = 10 * 1024 * 1024
    long = [*GOOD[:5], "长" * 10_001, *GOOD[6:]]
    with pytest.raises(ImportRefused, match="第 3 行“工作内容”列超过 10000 个字符的上限"):
        read_table(xlsx([GOOD, long]), "l.xlsx")
    assert not ImportJob.objects.exists()


def test_unreadable_and_wrong_kind_of_file(plan_2018, jiangxi_staff, as_user):
    client = as_user(jiangxi_staff)
    assert "无法读取文件" in upload(client, b"PK\x03\x04 not a zip").content.decode()
    assert "只支持 .xlsx 或 .csv" in upload(client, b"x", "l.xls").content.decode()
    assert (
        "无法读取文件"
        in upload(client, "年度\n".encode("gbk") + b"\xff\xfe", "l.csv").content.decode()
    )


# --- confirm once, duplicates ---------------------------------------------------------------


def test_a_preview_is_confirmed_once(plan_2018, jiangxi_staff, as_user):
    client = as_user(jiangxi_staff)
    page = upload(client, xlsx([GOOD, OTHER]))
    job = page.context["job"]
    assert job.is_confirmable and job.created == 2
    assert client.post(f"/imports/{job.pk}/confirm/").status_code == 302
    again = client.post(f"/imports/{job.pk}/confirm/", follow=True)
    assert "已确认导入过" in again.content.decode()
    assert LedgerEntry.objects.count() == 2
    job.refresh_from_db()
    assert (job.phase, job.state, job.created, job.content) == ("import", "done", 2, b"")


@pytest.mark.django_db(transaction=True)
def test_three_concurrent_confirms_write_the_rows_once(plan_2018, jiangxi_staff):
    content = xlsx([GOOD, OTHER])
    job = imports.start(
        LEDGER_IMPORT, jiangxi_staff, "l.xlsx", content, read_table(content, "l.xlsx")
    )
    assert job.is_confirmable
    results, barrier = [], threading.Barrier(3)

    def confirm():
        barrier.wait()
        try:
            results.append(imports.confirm(ImportJob.objects.get(pk=job.pk), jiangxi_staff))
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, True]
    assert LedgerEntry.objects.count() == 2


def test_rows_already_in_the_ledger_are_duplicates(plan_2018, jiangxi_staff, as_user):
    client = as_user(jiangxi_staff)
    content = xlsx([GOOD, OTHER, GOOD])
    first = upload(client, content).context["job"]
    assert (first.created, first.duplicates) == (2, 1)  # row 4 repeats row 2
    assert first.duplicate_rows == [[4, ["与第 2 行相同，只导入一次。"]]]
    client.post(f"/imports/{first.pk}/confirm/")
    assert LedgerEntry.objects.count() == 2
    second = upload(client, content)  # the same file again
    job = second.context["job"]
    assert (job.created, job.duplicates, job.is_confirmable) == (0, 3, False)
    text = second.content.decode()
    assert "无需导入，未写入任何数据" in text and "与台账中已有的记录相同" in text
    assert not client.post(f"/imports/{job.pk}/confirm/", follow=True).context["job"].created
    assert LedgerEntry.objects.count() == 2
    # a changed figure is a new row; the same row on the writing path is skipped too
    changed = [*GOOD[:8], 101, 0]
    assert import_ledger(xlsx([GOOD, changed]), "l.xlsx", jiangxi_staff, dry_run=False).created == 1
    assert LedgerEntry.objects.count() == 3


def test_contacts_reimport_writes_nothing(plan_2018, jiangxi_staff):
    file = xlsx([CONTACT], headers=CONTACT_HEADERS)
    assert import_contacts(file, "c.xlsx", jiangxi_staff, dry_run=False).created == 1
    again = import_contacts(file, "c.xlsx", jiangxi_staff, dry_run=True)
    assert (again.created, again.updated, len(again.duplicates)) == (0, 0, 1)
    moved = [*CONTACT[:4], "赵六", *CONTACT[5:]]
    outcome = import_contacts(
        xlsx([moved, moved], headers=CONTACT_HEADERS), "c.xlsx", jiangxi_staff, dry_run=False
    )
    assert (outcome.updated, [d.number for d in outcome.duplicates]) == (1, [3])
    assert Contact.objects.get().name == "赵六"
    clash = import_contacts(
        xlsx([CONTACT, moved], headers=CONTACT_HEADERS), "c.xlsx", jiangxi_staff, dry_run=False
    )
    assert [p.number for p in clash.problems] == [3] and Contact.objects.get().name == "赵六"


# --- long files run as a job --------------------------------------------------------------------


def test_a_long_file_is_previewed_and_written_by_the_task(
    settings, plan_2018, jiangxi_staff, as_user, django_capture_on_commit_callbacks
):
    settings.IMPORT_ASYNC_ROWS = 5
    rows = [[*GOOD[:3], f"2018-07-{d:02d}", *GOOD[4:]] for d in range(1, 13)]
    client = as_user(jiangxi_staff)
    with django_capture_on_commit_callbacks() as queued:
        page = upload(client, xlsx(rows))
    job = page.context["job"]
    assert len(queued) == 1 and job.state == "queued"  # not run in the request
    assert 'id="progress-card"' in page.content.decode()
    assert client.get(f"/imports/{job.pk}/status/").json()["state"] == "queued"
    queued[0]()  # the worker runs it (eager in tests)
    status = client.get(f"/imports/{job.pk}/status/").json()
    assert status["state"] == "done" and status["finished"] and status["progress"] == 100
    with django_capture_on_commit_callbacks() as queued:
        client.post(f"/imports/{job.pk}/confirm/")
    assert not LedgerEntry.objects.exists() and len(queued) == 1
    queued[0]()
    job.refresh_from_db()
    assert (job.phase, job.state, job.created) == ("import", "done", 12)
    assert LedgerEntry.objects.count() == 12
    assert "导入完成" in client.get(f"/imports/{job.pk}/").content.decode()


def test_the_task_records_progress(plan_2018, jiangxi_staff, monkeypatch):
    steps = []
    original = ImportJob.report

    def spy(self, progress, step):
        steps.append((progress, step))
        original(self, progress, step)

    monkeypatch.setattr(ImportJob, "report", spy)
    job = ImportJob.objects.create(
        kind="ledger", file_name="l.xlsx", content=xlsx([GOOD, OTHER]), requested_by=jiangxi_staff
    )
    imports.run_job(job.pk)
    assert steps == [(49, "已检查 1 / 2 行"), (99, "已检查 2 / 2 行")]


def test_a_row_that_turned_bad_before_the_write_rolls_back_everything(plan_2018, jiangxi_staff):
    content = xlsx([GOOD, OTHER])
    job = imports.start(
        LEDGER_IMPORT, jiangxi_staff, "l.xlsx", content, read_table(content, "l.xlsx")
    )
    from provinces.models import Assignment

    Assignment.objects.filter(task__number=2, province__short_name="江西").update(taken_up=False)
    assert imports.confirm(job, jiangxi_staff)
    job.refresh_from_db()
    assert job.state == "failed" and job.problem_count == 2
    assert not LedgerEntry.objects.exists()


def test_another_users_import_answers_404(plan_2018, jiangxi_staff, henan_staff, as_user):
    content = xlsx([GOOD])
    job = imports.start(
        LEDGER_IMPORT, jiangxi_staff, "l.xlsx", content, read_table(content, "l.xlsx")
    )
    other = as_user(henan_staff)
    for url in (f"/imports/{job.pk}/", f"/imports/{job.pk}/status/"):
        assert other.get(url).status_code == 404
    assert other.post(f"/imports/{job.pk}/confirm/").status_code == 404
    assert not LedgerEntry.objects.exists()
