"""Year end: summaries (transitions, ledger figures, scoping) and the digest PDF itself."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from provinces.models import Assignment, Case, LedgerEntry, Province
from reporting import services
from reporting.demo import TEXT
from reporting.digest import (
    RECENT_PER_UNIT,
    MissingCJKFont,
    build_digest,
    recent_ledger_entries,
    require_fonts,
)
from reporting.models import AnnualSummary, DigestBuild
from tests.conftest import make_user
from tests.network.conftest import training
from workflow.machine import TransitionRefused

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "digest"


def summary_for(plan, short: str, **fields) -> AnnualSummary:
    return AnnualSummary.objects.create(
        plan=plan, province=Province.objects.get(short_name=short), **{**TEXT, **fields}
    )


def test_submit_fills_figures_from_the_ledger_and_the_training_classes(plan_2018, jiangxi_staff):
    a = Assignment.objects.get(task__number=2, province__short_name="江西")
    LedgerEntry.objects.create(
        assignment=a,
        date="2018-07-01",
        kind="training",
        description="培训",
        responsible_person="李",
        classes_held=7,  # typed on the ledger line: not what the summary counts
        trainees=999,
        enterprises_served=3,
    )
    training(plan_2018, "江西", 2, attendee_count=100)
    training(plan_2018, "江西", 4, attendee_count=80)
    training(plan_2018, "河南", 2, attendee_count=50)  # another unit's
    training(plan_2018, None, 8, attendee_count=120)  # HQ's own
    from decimal import Decimal

    from django.utils import timezone

    from projects.models import Application, Call

    call = Call.objects.create(
        plan=plan_2018,
        task=plan_2018.tasks.get(number=4),
        project_type="enterprise_pilot",
        title="试点",
        opens_at=timezone.now(),
        closes_at=timezone.now(),
    )
    for state in ("accepted", "accepted", "failed"):  # 江西's; one 河南 project below
        Application.objects.create(
            call=call,
            province=a.province,
            applicant="企业",
            contact_name="刘",
            contact_phone="13800138000",
            budget_requested=Decimal("5"),
            plan_text="x",
            state=state,
        )
    Application.objects.create(
        call=call,
        province=Province.objects.get(short_name="河南"),
        applicant="企业",
        contact_name="张",
        contact_phone="13800138000",
        budget_requested=Decimal("5"),
        plan_text="x",
        state="accepted",
    )
    s = summary_for(plan_2018, "江西")
    services.submit_summary(s, jiangxi_staff)
    s.refresh_from_db()
    assert (
        s.state,
        s.classes_held,
        s.trainees,
        s.enterprises_served,
        s.ledger_entries,
        s.projects_accepted,
    ) == ("submitted", 2, 180, 3, 1, 2)


def test_incomplete_summary_is_refused(plan_2018, jiangxi_staff):
    s = summary_for(plan_2018, "江西", talent="")
    with pytest.raises(TransitionRefused, match="人才队伍建设"):
        services.submit_summary(s, jiangxi_staff)
    s.refresh_from_db()
    assert s.state == "draft"


def test_return_needs_reason_and_confirm_locks(plan_2018, jiangxi_staff, hq_reviewer, as_user):
    s = summary_for(plan_2018, "江西")
    services.submit_summary(s, jiangxi_staff)
    with pytest.raises(TransitionRefused):
        services.return_summary(s, hq_reviewer, "")
    services.return_summary(s, hq_reviewer, "请补充数据")
    services.submit_summary(s, jiangxi_staff)
    assert s.state == "resubmitted"
    services.confirm_summary(s, hq_reviewer)
    response = as_user(jiangxi_staff).post(
        "/reporting/2018/summaries/360000/", {**TEXT, "talent": "改"}, follow=True
    )
    assert "已锁定" in response.content.decode()
    s.refresh_from_db()
    assert s.talent == TEXT["talent"]


def test_other_province_summary_is_404(plan_2018, jiangxi_staff, henan_staff, as_user):
    summary_for(plan_2018, "江西")
    assert as_user(henan_staff).get("/reporting/2018/summaries/360000/").status_code == 404
    assert as_user(jiangxi_staff).get("/reporting/2018/summaries/360000/").status_code == 200


def test_summary_list_query_count_is_fixed(
    plan_2018, hq_reviewer, as_user, django_assert_max_num_queries
):
    client = as_user(hq_reviewer)
    summary_for(plan_2018, "江西")
    with django_assert_max_num_queries(8):
        assert client.get("/reporting/2018/summaries/").status_code == 200
    for short in ["河南", "贵州", "陕西", "北京", "天津"]:
        summary_for(plan_2018, short)
    with django_assert_max_num_queries(8):
        assert client.get("/reporting/2018/summaries/").status_code == 200


@pytest.fixture
def digest_year(plan_2018, jiangxi_staff, hq_reviewer):
    """A realistic year: ledgers everywhere, confirmed summaries for some, a selected case."""
    entries = []
    for i, a in enumerate(
        Assignment.objects.filter(task__plan=plan_2018, taken_up=True).select_related("province")
    ):
        entries.append(
            LedgerEntry(
                assignment=a,
                date="2018-08-01",
                kind="training",
                description=f"{a.province.short_name}举办专利信息利用培训班",
                responsible_person="张",
                classes_held=1,
                trainees=40 + i,
            )
        )
    LedgerEntry.objects.bulk_create(entries)
    for i, short in enumerate(["江西", "河南", "贵州", "北京"]):
        training(plan_2018, short, 2, f"{short}专利信息利用培训班", attendee_count=40 + i)
    confirmed = ["江西", "河南", "贵州", "新疆生产建设兵团"]
    for number, short in enumerate(confirmed):
        s = summary_for(plan_2018, short)
        services.submit_summary(s, make_user(f"staff-{number}", "province_staff", short))
        services.confirm_summary(s, hq_reviewer)
    draft = summary_for(plan_2018, "陕西")  # not confirmed: no chapter
    assert draft.state == "draft"
    Case.objects.create(
        plan=plan_2018,
        province=Province.objects.get(short_name="江西"),
        title="依托服务站点帮助中小企业开展专利预警",
        summary="案例摘要",
        state="confirmed",
        selected_for_digest=True,
    )
    return confirmed


def test_every_unit_chapter_shows_its_own_newest_ledger_entries(plan_2018):
    """A unit that keeps a long ledger must not crowd the others out of the excerpts (the
    digest once read the plan's first 2,000 entries by unit, which at a real year's size held
    one or two units)."""
    first, later = sorted(
        Province.objects.filter(short_name__in=["江西", "河南"]), key=lambda p: p.pk
    )

    def assignment(province):
        return Assignment.objects.get(task__plan=plan_2018, task__number=3, province=province)

    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            assignment=assignment(first),
            date=f"2018-{1 + i % 12:02d}-{1 + i % 28:02d}",
            kind="training",
            description=f"台账 {i}",
            responsible_person="张",
        )
        for i in range(2_001)
    )
    for day in (3, 9, 5):
        LedgerEntry.objects.create(
            assignment=assignment(later),
            date=f"2018-07-{day:02d}",
            kind="training",
            description=f"七月{day}日培训",
            responsible_person="李",
        )

    by_unit = {}
    for entry in recent_ledger_entries(plan_2018):
        by_unit.setdefault(entry.assignment.province_id, []).append(entry)
    assert [e.description for e in by_unit[later.pk]] == [
        "七月9日培训",
        "七月5日培训",
        "七月3日培训",
    ]
    newest_first = [e.date for e in by_unit[first.pk]]
    assert len(newest_first) == RECENT_PER_UNIT and newest_first == sorted(
        newest_first, reverse=True
    )
    assert str(newest_first[0]) == "2018-12-28"


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF's objects, with compressed object streams inflated (the catalog lives there)."""
    import re
    import zlib

    out = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(out)


def test_chart_labels_too_long_end_in_an_ellipsis_and_keep_the_full_name():
    from reporting.digest import bar_chart, fit_label

    assert fit_label("江西", 140) == "江西"
    cut = fit_label("（一）推进国家级专利信息传播利用基地建设", 140)
    assert cut == "（一）推进国家级专利信息传…"  # 14 em in a 140-unit column
    assert fit_label("Patent information outreach and use", 100).endswith("…")
    svg = bar_chart([("（一）推进国家级专利信息传播利用基地建设", 3), ("江西", 1)], "条")
    assert ">（一）推进国家级专利信息传…</text>" in svg
    assert "<title>（一）推进国家级专利信息传播利用基地建设</title>" in svg
    assert 'font-family="Noto Sans CJK SC"' in svg and 'xml:lang="zh-Hans"' in svg


def test_digest_pdf_is_real_chinese(plan_2018, digest_year, tmp_path):
    pdf, pages = build_digest(plan_2018)
    path = tmp_path / "digest.pdf"
    path.write_bytes(pdf)
    text = pdf_text(path)
    # Chinese headings are there as text, not as boxes.
    for heading in [
        "全国专利信息传播利用2018",
        "目录",
        "一、全国概况",
        "二、各项任务完成情况",
        "三、各省（区、市）工作总结",
        "四、典型案例",
        "附录一 通讯录",
    ]:
        assert heading in text, heading
    # Every province with a confirmed summary has its chapter; the unconfirmed one has none.
    for name in ["江西省", "河南省", "贵州省", "新疆生产建设兵团"]:
        assert name in text
    assert "陕西省\n" not in text and "依托服务站点帮助中小企业开展专利预警" in text
    # Fonts embedded, and they are the CJK ones.
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all("yes" in row[-5:-2][0:1] or row[-5] == "yes" for row in rows)
    assert any("Noto-Sans-CJK-SC" in row[0] for row in rows)
    assert any("Noto-Serif-CJK-SC" in row[0] for row in rows)
    # Simplified-Chinese glyphs everywhere, chart labels included: no Japanese face.
    assert not any("JP" in row[0] or "KR" in row[0] or "TC" in row[0] for row in rows), fonts
    # Document metadata: title, author and language.
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Title:           全国专利信息传播利用2018" in info
    assert "Author:          国家知识产权局专利局专利文献部" in info
    assert b"/Lang (zh-Hans)" in pdf_objects(pdf)
    # Page numbers: the last page's number is printed at its foot; the TOC points at pages.
    last_page = subprocess.run(
        ["pdftotext", "-f", str(pages), "-l", str(pages), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(pages) in last_page.split()
    assert pages >= 8
    # Pages as pictures, for a person to look at (kept as CI artifacts).
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, ARTIFACTS / "digest-2018.pdf")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "4", str(path), str(ARTIFACTS / "page")],
        check=True,
    )
    assert len(list(ARTIFACTS.glob("page-*.png"))) >= 4


def contents_lines_per_page(path: Path, pages: int) -> list[int]:
    """How many contents entries (a leader of dots, then a page number) each page holds."""
    import re

    counts = []
    for page in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        counts.append(sum(bool(re.search(r"\.{5,}\s*\d+\s*$", ln)) for ln in text.splitlines()))
    return counts


def test_digest_contents_never_leave_their_last_line_alone_on_a_page(
    plan_2018, digest_year, tmp_path
):
    """Enough confirmed chapters that the contents run just past one page: without the CSS
    that keeps the last entries together, the last entry alone would start page 3."""
    have = set(digest_year)
    others = iter(p for p in Province.objects.order_by("sort_order") if p.short_name not in have)
    for _ in range(11):  # 4 + 11 chapters: 33 entries, one more than a page holds
        summary_for(plan_2018, next(others).short_name, state="confirmed")
    path = tmp_path / "digest.pdf"
    for _ in range(4):  # should the page hold a few more in some font build, add chapters
        pdf, pages = build_digest(plan_2018)
        path.write_bytes(pdf)
        counts = [n for n in contents_lines_per_page(path, min(pages, 5)) if n]
        if len(counts) > 1:
            break
        summary_for(plan_2018, next(others).short_name, state="confirmed")
    assert len(counts) == 2, counts  # the contents run over two pages
    assert all(n >= 2 for n in counts), counts  # no page holds one contents line alone


def test_missing_cjk_font_is_refused_loudly():
    with pytest.raises(MissingCJKFont, match="fonts-noto-cjk"):
        require_fonts(("No Such CJK Font SC",))


def test_digest_through_the_task_records_progress(
    plan_2018, digest_year, hq_reviewer, as_user, django_capture_on_commit_callbacks
):
    client = as_user(hq_reviewer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/reporting/2018/digest/")
    assert len(callbacks) == 1, callbacks
    build = DigestBuild.objects.get()
    assert response.status_code == 302 and f"build={build.pk}" in response["Location"]
    status = client.get(f"/reporting/digests/{build.pk}/status/").json()
    assert status["state"] == "done" and status["progress"] == 100 and status["download"]
    download = client.get(status["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    page = client.get("/reporting/2018/digest/").content.decode()
    assert "已完成" in page


def test_digest_is_hq_only(plan_2018, jiangxi_staff, expert, as_user):
    for user in (jiangxi_staff, expert):
        assert as_user(user).get("/reporting/2018/digest/").status_code == 404
        assert as_user(user).post("/reporting/2018/digest/").status_code == 404
    assert not DigestBuild.objects.exists()


def test_build_digest_command(plan_2018, digest_year, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "d.pdf"
    call_command("build_digest", "--year", "2018", "--output", str(out))
    assert out.read_bytes().startswith(b"%PDF")


def test_digest_workbook(plan_2018, digest_year, hq_reviewer, as_user):
    import io

    import openpyxl

    content = as_user(hq_reviewer).get("/reporting/2018/digest.xlsx").content
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.sheetnames == [
        "按任务",
        "年度工作总结",
        "典型案例",
        "通讯录",
        "项目",
        "服务网络",
        "专利文献部培训班",
    ]
    assert wb["按任务"].max_row == 11  # header + ten tasks
    names = [row[0].value for row in wb["年度工作总结"].iter_rows(min_row=2)]
    assert sorted(names) == sorted(["江西省", "河南省", "贵州省", "新疆生产建设兵团"])


def test_the_projects_appendix_cannot_vanish_silently(plan_2018, monkeypatch):
    """reporting imports the projects appendix outright: no ImportError guard hides a break."""
    import sys
    from decimal import Decimal

    from django.utils import timezone

    from projects.models import Application, Call
    from reporting.digest import project_rows

    call = Call.objects.create(
        plan=plan_2018,
        task=plan_2018.tasks.get(number=4),
        project_type="enterprise_pilot",
        title="试点",
        opens_at=timezone.now(),
        closes_at=timezone.now(),
    )
    Application.objects.create(
        call=call,
        province=Province.objects.get(short_name="江西"),
        applicant="江西某公司",
        undertaking_unit="江西某公司",
        contact_name="刘",
        contact_phone="13800138000",
        budget_requested=Decimal("20"),
        budget_granted=Decimal("10"),
        plan_text="x",
        state="approved",
    )
    monkeypatch.setitem(sys.modules, "projects.digest", None)  # a late import would now fail
    assert [row["unit"] for row in project_rows(plan_2018)] == ["江西某公司"]
