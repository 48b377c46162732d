"""The main journeys in a real browser, with screenshots of the key pages kept as artifacts."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from planning.models import Plan
from provinces.models import Assignment, LedgerEntry, Registration
from provinces.resources import LEDGER_HEADERS
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(plan_2018):
    return {
        "jiangxi": make_user("jx_browser", "province_staff", "江西"),
        "hq": make_user("hq_browser", "hq_reviewer"),
    }


def test_registration_returned_fixed_and_confirmed(journey, people):
    a = Assignment.objects.get(task__number=2, province__short_name="江西")
    # The journey runs today, on a plan of this year: a schedule must lie within its plan's
    # years, and a step already past would rightly turn the board cell red once confirmed.
    this_year = timezone.localdate().year
    Plan.objects.filter(pk=a.task.plan_id).update(year=this_year)
    page = journey.login("jx_browser")
    journey.go(f"/provinces/assignments/{a.pk}/")
    page.fill("#id_work_content", "在全省设立专利信息服务站点，组织培训。")
    page.fill("#id_expected_results", "举办培训班 2 期")
    for role, name, phone, email in [
        ("responsible", "李处长", "0791-86000000", "li@jx.example.cn"),
        ("liaison", "王联络", "13800138000", "wang@jx.example.cn"),
    ]:
        page.fill(f"#id_{role}-name", name)
        page.fill(f"#id_{role}-title", "处长")
        page.fill(f"#id_{role}-phone", phone)
        page.fill(f"#id_{role}-email", email)
    soon, later = (f"{timezone.localdate() + timedelta(days=d):%Y-%m-%d}" for d in (60, 90))
    page.fill("#id_ms-0-due_date", soon)
    page.fill("#id_ms-0-description", "完成站点建设")
    journey.shot("filled")
    page.click("button[name=submit]")
    assert page.inner_text("#state") == "已报送"

    page = journey.login("hq_browser")
    journey.go(f"/provinces/assignments/{a.pk}/")
    page.fill("#return-reason-input", "请把进度安排细化到月")
    page.click("text=退回修改")
    assert page.inner_text("#state") == "已退回"
    journey.shot("returned")

    page = journey.login("jx_browser")
    journey.go("/provinces/todo/")
    assert "请把进度安排细化到月" in page.inner_text("#todo")
    journey.go(f"/provinces/assignments/{a.pk}/")
    assert "请把进度安排细化到月" in page.inner_text("#return-reason")
    page.fill("#id_ms-1-due_date", later)
    page.fill("#id_ms-1-description", "举办第一期培训班")
    page.click("button[name=submit]")
    assert page.inner_text("#state") == "已重新报送", page.inner_text("main")[:1500]

    page = journey.login("hq_browser")
    journey.go(f"/provinces/assignments/{a.pk}/")
    page.click("#review button.primary")
    assert page.inner_text("#state") == "已确认"
    journey.go(f"/provinces/board/?year={this_year}")
    cell = page.locator(f'#board a[href="/provinces/assignments/{a.pk}/"]').locator("xpath=..")
    assert cell.get_attribute("data-light") == "green"
    journey.shot("board")
    assert Registration.objects.get(assignment=a).state == "confirmed"


def xlsx(tmp_path, name, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(LEDGER_HEADERS.values()))
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return path


def test_ledger_import_bad_then_fixed(journey, people, tmp_path):
    good = [2018, 2, "江西", "2018-07-15", "培训班", "举办专利信息利用培训班", "李江", 1, 120, 0]
    bad = xlsx(
        tmp_path, "bad.xlsx", [good, [2018, 2, "江西", "2018-13-45", "培训班", "x", "李", 1, 1, 0]]
    )
    fixed = xlsx(
        tmp_path,
        "fixed.xlsx",
        [good, [2018, 2, "江西", "2018-08-15", "企业服务", "走访企业", "王", 0, 0, 6]],
    )
    page = journey.login("jx_browser")
    journey.go("/provinces/ledger/import/")
    page.set_input_files("#id_file", str(bad))
    page.click("text=上传并检查")
    errors = page.inner_text("#import-errors")
    assert "第 3 行" in errors and "日期格式不正确" in errors
    journey.shot("errors")
    assert not LedgerEntry.objects.exists()
    page.set_input_files("#id_file", str(fixed))
    page.click("text=上传并检查")
    assert "检查通过" in page.inner_text("#import-preview")
    page.click("#import-preview button")
    page.wait_for_url("**/provinces/ledger/")
    assert "已导入 2 行" in page.content()
    journey.shot("imported")
    assert LedgerEntry.objects.count() == 2


@pytest.mark.xdist_group("celery-worker")  # a real worker on the shared Redis broker
def test_administrator_generates_and_downloads_the_digest(journey, people):
    admin = make_user("admin_browser", "administrator")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    from config.celery import app
    from tests.conftest import set_eager, worker_thread

    page = journey.login("admin_browser")
    journey.go("/reporting/2018/digest/")
    set_eager(app, False)  # a real worker on Redis, started once the job is queued
    try:
        page.click("#generate")
        page.wait_for_selector("#progress-card")
        # Record every width the bar takes while the administrator watches.
        page.evaluate(
            """() => {
              const bar = document.getElementById("progress-bar");
              window.widths = [bar.style.width];
              new MutationObserver(() => window.widths.push(bar.style.width))
                .observe(bar, {attributes: true, attributeFilter: ["style"]});
            }"""
        )
        page.wait_for_function("document.getElementById('progress-text').textContent.length > 0")
        assert "排队" in page.inner_text("#progress-text")  # queued, nothing done yet
        journey.shot("digest-queued")
        with worker_thread():
            page.wait_for_selector("#download:not([hidden])", timeout=120000)
    finally:
        set_eager(app, True)
    widths = [int(w.rstrip("%")) for w in page.evaluate("window.widths") if w]
    assert widths[0] < 100 and widths[-1] == 100 and widths == sorted(widths), widths
    assert len(set(widths)) >= 2, widths  # the bar moved in front of the administrator
    assert page.locator("#progress-bar").get_attribute("style").replace(" ", "") == "width:100%;"
    journey.shot("digest")
    with page.expect_download() as info:
        page.click("#download")
    download = info.value
    path = download.path()
    assert open(path, "rb").read(4) == b"%PDF"
    assert download.suggested_filename.endswith(".pdf")
