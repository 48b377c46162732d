"""Typical cases and progress bulletins (task 9)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from provinces.models import Assignment, Case, LedgerEntry, Province
from reporting.models import Bulletin

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_case_submit_review_select(as_user, plan_2018, jiangxi_staff, henan_staff, hq_reviewer):
    client = as_user(jiangxi_staff)
    task2 = Assignment.objects.get(task__number=2, province=jiangxi_staff.province)
    client.post(
        "/reporting/cases/new/",
        {
            "assignment": task2.pk,
            "kind": "typical_case",
            "title": "站点帮助企业开展专利预警",
            "summary": "摘要",
            "body": "",
            "files": [SimpleUploadedFile("材料.pdf", PDF)],
            "submit": "1",
        },
    )
    case = Case.objects.get()
    assert (
        case.state == "submitted"
        and case.province.short_name == "江西"
        and case.evidence.count() == 1
    )
    assert case.assignment == task2 and case.plan == plan_2018  # filed under the task's plan
    assert as_user(henan_staff).get(f"/reporting/cases/{case.pk}/").status_code == 404
    assert (
        as_user(henan_staff).get(f"/reporting/case-evidence/{case.evidence.get().pk}/").status_code
        == 404
    )
    hq = as_user(hq_reviewer)
    hq.post(f"/reporting/cases/{case.pk}/return/", {"reason": ""})
    case.refresh_from_db()
    assert case.state == "submitted"
    hq.post(f"/reporting/cases/{case.pk}/confirm/")
    hq.post(f"/reporting/cases/{case.pk}/select/", {"digest": "1"})
    case.refresh_from_db()
    assert (
        case.state == "confirmed" and case.selected_for_digest and not case.selected_for_publication
    )


def test_published_cases_are_read_by_every_unit_and_only_confirmed_ones_are_selected(
    as_user, plan_2018, jiangxi_staff, henan_staff, hq_reviewer, expert
):
    case = Case.objects.create(
        plan=plan_2018,
        province=jiangxi_staff.province,
        title="专利导航助力产业升级",
        summary="摘要",
        state="submitted",
    )
    hq = as_user(hq_reviewer)
    hq.post(f"/reporting/cases/{case.pk}/select/", {"publication": "1"})  # not confirmed yet
    case.refresh_from_db()
    assert not case.selected_for_publication
    henan = as_user(henan_staff)
    assert henan.get(f"/reporting/cases/{case.pk}/").status_code == 404
    hq.post(f"/reporting/cases/{case.pk}/confirm/")
    hq.post(f"/reporting/cases/{case.pk}/select/", {"publication": "1"})
    case.refresh_from_db()
    assert case.selected_for_publication and not case.selected_for_digest
    page = henan.get(f"/reporting/cases/{case.pk}/")
    assert page.status_code == 200 and "专利导航助力产业升级" in page.content.decode()
    assert 'id="history"' not in page.content.decode()  # HQ's handling stays with 江西 and HQ
    assert "专利导航助力产业升级" in henan.get("/reporting/cases/").content.decode()
    assert henan.get(f"/reporting/cases/{case.pk}/edit/").status_code == 404
    assert as_user(expert).get(f"/reporting/cases/{case.pk}/").status_code == 404
    mine = as_user(jiangxi_staff).get(f"/reporting/cases/{case.pk}/").content.decode()
    assert 'id="history"' in mine


def test_case_form_asks_for_one_of_the_units_own_tasks(as_user, plan_2018, jiangxi_staff):
    client = as_user(jiangxi_staff)
    other = Assignment.objects.get(task__number=1, province__short_name="北京")
    form = {"kind": "typical_case", "title": "t", "summary": "s"}
    assert "所属任务" in client.get("/reporting/cases/new/").content.decode()
    missing = client.post("/reporting/cases/new/", form)
    foreign = client.post("/reporting/cases/new/", {**form, "assignment": other.pk})
    assert missing.status_code == 200 and foreign.status_code == 200
    assert "assignment" in missing.context["form"].errors
    assert "assignment" in foreign.context["form"].errors  # another unit's task is no choice
    assert not Case.objects.exists()


def test_renamed_executable_case_evidence_refused(as_user, plan_2018, jiangxi_staff):
    response = as_user(jiangxi_staff).post(
        "/reporting/cases/new/",
        {
            "assignment": Assignment.objects.get(
                task__number=2, province=jiangxi_staff.province
            ).pk,
            "kind": "typical_case",
            "title": "t",
            "summary": "s",
            "files": [SimpleUploadedFile("a.pdf", b"MZ" + b"\x00" * 100)],
        },
    )
    assert "内容与扩展名不符" in response.content.decode()
    assert not Case.objects.exists()


def test_bulletin_compose_publish_and_units_see_it(as_user, plan_2018, hq_reviewer, jiangxi_staff):
    a = Assignment.objects.get(task__number=2, province__short_name="江西")
    entry = LedgerEntry.objects.create(
        assignment=a,
        date="2018-07-10",
        kind="training",
        description="江西举办培训班",
        responsible_person="李",
    )
    case = Case.objects.create(
        plan=plan_2018,
        province=Province.objects.get(short_name="江西"),
        title="案例一",
        summary="摘要",
        state="confirmed",
    )
    hq = as_user(hq_reviewer)
    hq.post(
        "/reporting/bulletins/new/",
        {
            "title": "2018年第三季度工作进展",
            "period_start": "2018-07-01",
            "period_end": "2018-09-30",
            "introduction": "导语",
        },
    )
    bulletin = Bulletin.objects.get()
    assert (
        as_user(jiangxi_staff).get(f"/reporting/bulletins/{bulletin.pk}/").status_code == 404
    )  # draft: HQ only
    hq.post(
        f"/reporting/bulletins/{bulletin.pk}/edit/",
        {
            "title": bulletin.title,
            "period_start": "2018-07-01",
            "period_end": "2018-09-30",
            "introduction": "导语",
            "entries": [entry.pk],
            "cases": [case.pk],
        },
    )
    hq.post(f"/reporting/bulletins/{bulletin.pk}/publish/")
    bulletin.refresh_from_db()
    assert bulletin.state == "published" and bulletin.published_at
    page = as_user(jiangxi_staff).get(f"/reporting/bulletins/{bulletin.pk}/").content.decode()
    assert "江西举办培训班" in page and "案例一" in page
    assert (
        "2018年第三季度工作进展"
        in as_user(jiangxi_staff).get("/reporting/bulletins/").content.decode()
    )
    pdf = as_user(jiangxi_staff).get(f"/reporting/bulletins/{bulletin.pk}/pdf/")
    assert pdf.content.startswith(b"%PDF")


def test_bulletin_period_must_be_ordered(as_user, plan_2018, hq_reviewer):
    response = as_user(hq_reviewer).post(
        "/reporting/bulletins/new/",
        {"title": "x", "period_start": "2018-09-30", "period_end": "2018-07-01"},
    )
    assert "起始日期不能晚于截止日期" in response.content.decode()
    assert not Bulletin.objects.exists()
