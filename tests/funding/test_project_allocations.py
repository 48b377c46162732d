"""A project's allocation (经费下达 to a project): only once approved or under agreement, and
never above its granted budget; one rule for the model, the API and the import (issue 14)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from funding import services
from funding.models import Allocation, SpendingCategory
from funding.resources import import_allocations
from projects import services as project_services
from projects.models import Application, Call
from tests.conftest import province

pytestmark = pytest.mark.django_db

HEADERS = [
    "年度",
    "任务序号",
    "省份",
    "项目编号",
    "下达经费（万元）",
    "下达文号",
    "下达日期",
    "备注",
]


@pytest.fixture
def task4_call(plan_2018) -> Call:
    now = timezone.now()
    return Call.objects.create(
        plan=plan_2018,
        task=plan_2018.tasks.get(number=4),
        project_type="enterprise_pilot",
        title="试点申报",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
        reviews_required=0,
    )


def application(call, staff, applicant="某机电公司") -> Application:
    app = Application.objects.create(
        call=call,
        province=staff.province,
        applicant=applicant,
        contact_name="刘",
        contact_phone="13800138000",
        budget_requested=Decimal("20"),
        plan_text="方案",
        created_by=staff,
    )
    return app


@pytest.fixture
def approved(task4_call, jiangxi_staff, hq_reviewer) -> Application:
    app = application(task4_call, jiangxi_staff)
    project_services.submit_application(app, jiangxi_staff)
    project_services.approve(app, hq_reviewer, app.applicant, Decimal("15"))
    app.refresh_from_db()
    return app


def allocate(app, amount, by):
    return services.allocate(
        app.call.task,
        app.province,
        project=app,
        amount=Decimal(amount),
        date=date(2018, 8, 1),
        by=by,
    )


def sheet(rows) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(HEADERS)
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_draft_or_rejected_application_gets_no_money(task4_call, jiangxi_staff, hq_reviewer):
    draft = application(task4_call, jiangxi_staff)
    with pytest.raises(ValidationError, match="立项或签订协议后才能下达经费"):
        allocate(draft, "5", hq_reviewer)
    project_services.submit_application(draft, jiangxi_staff)
    project_services.reject(draft, hq_reviewer, "不符合要求。")
    draft.refresh_from_db()
    with pytest.raises(ValidationError, match="未立项"):
        allocate(draft, "5", hq_reviewer)
    assert not Allocation.objects.exists()


def test_an_approved_project_gets_up_to_its_granted_budget(approved, hq_reviewer):
    with pytest.raises(ValidationError, match="超过项目“某机电公司”的资助经费 15.00 万元"):
        allocate(approved, "15.01", hq_reviewer)
    allocation, created = allocate(approved, "15", hq_reviewer)
    assert created and allocation.project == approved


def test_the_agreement_budget_is_the_ceiling_once_signed(approved, hq_reviewer):
    project_services.sign_agreement(
        approved,
        hq_reviewer,
        number="WX-1",
        budget=Decimal("12"),
        starts_on=date(2018, 7, 1),
        ends_on=date(2018, 12, 31),
        deliverables=[project_services.DeliverableLine("分析报告", date(2018, 11, 30))],
    )
    approved.refresh_from_db()
    with pytest.raises(ValidationError, match="12.00 万元"):
        allocate(approved, "13", hq_reviewer)
    assert allocate(approved, "12", hq_reviewer)[1]


def test_the_api_refuses_with_the_same_message(as_user, approved, hq_reviewer):
    body = {
        "task": approved.call.task_id,
        "province": approved.province.code,
        "project": approved.pk,
        "amount": "30.00",
        "date": "2018-08-01",
    }
    response = as_user(hq_reviewer).post(
        "/api/v1/allocations/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "超过项目“某机电公司”的资助经费 15.00 万元" in str(response.json())
    body["amount"] = "15.00"
    response = as_user(hq_reviewer).post(
        "/api/v1/allocations/", body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert Allocation.objects.get().project_id == approved.pk


def test_import_rows_by_project_number(approved, task4_call, jiangxi_staff, hq_reviewer):
    draft = application(task4_call, jiangxi_staff, "另一家企业")
    good = [2018, 4, "江西", approved.pk, 15, "国知办函〔2018〕40号", date(2018, 8, 1), ""]
    over = [2018, 4, "江西", approved.pk, 16, "国知办函〔2018〕40号", date(2018, 8, 1), ""]
    unapproved = [2018, 4, "江西", draft.pk, 5, "国知办函〔2018〕40号", date(2018, 8, 1), ""]
    outcome = import_allocations(sheet([over, unapproved]), "a.xlsx", hq_reviewer, dry_run=True)
    assert not outcome.ok
    problems = {p.number: " ".join(p.messages) for p in outcome.problems}
    assert "超过项目“某机电公司”的资助经费 15.00 万元" in problems[2]
    assert "另一家企业" in problems[3] and "立项或签订协议后才能下达经费" in problems[3]
    outcome = import_allocations(sheet([good]), "a.xlsx", hq_reviewer, dry_run=False)
    assert outcome.ok and outcome.created == 1
    allocation = Allocation.objects.get()
    assert (allocation.project, allocation.province, allocation.amount) == (
        approved,
        province("江西"),
        Decimal("15.00"),
    )


def test_the_allocation_import_page_shows_the_refusal(as_user, approved, hq_reviewer):
    over = [2018, 4, "江西", approved.pk, 16, "文1", date(2018, 8, 1), ""]
    upload = io.BytesIO(sheet([over]))
    upload.name = "a.xlsx"
    client = as_user(hq_reviewer)
    response = client.post("/funding/allocations/import/?year=2018", {"file": upload})
    assert response.status_code == 302
    page = client.get(response.url)  # the preview lists every bad row
    assert page.status_code == 200
    assert "超过项目“某机电公司”的资助经费 15.00 万元" in page.content.decode()
    assert not Allocation.objects.exists()


# --- the money on the acceptance page ------------------------------------------------------


def test_acceptance_shows_the_allocation_payments_and_spending_by_category(
    as_user, approved, jiangxi_staff, hq_reviewer, django_assert_num_queries
):
    project_services.sign_agreement(
        approved,
        hq_reviewer,
        number="WX-2",
        budget=Decimal("15"),
        starts_on=date(2018, 7, 1),
        ends_on=date(2018, 12, 31),
        deliverables=[project_services.DeliverableLine("分析报告", date(2018, 11, 30))],
        report_frequency="final",
    )
    allocation, _ = services.allocate(
        approved.call.task,
        approved.province,
        project=approved,
        amount=Decimal("15"),
        date=date(2018, 8, 1),
        document_number="国知办函〔2018〕40号",
        by=hq_reviewer,
    )
    services.record_payment(
        allocation, amount=Decimal("9"), date=date(2018, 8, 10), note="首期拨付", by=hq_reviewer
    )
    categories = dict(SpendingCategory.objects.values_list("name", "pk"))
    report = services.save_spending(
        services.report_for(allocation),
        jiangxi_staff,
        note="按协议使用",
        amounts={categories["劳务"]: Decimal("3.5"), categories["会议"]: Decimal("2")},
    )
    report.submit(jiangxi_staff)
    approved.refresh_from_db()
    project_services.request_acceptance(approved, jiangxi_staff, "已完成。")
    client = as_user(hq_reviewer)
    url = f"/projects/applications/{approved.pk}/acceptance/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    money = html[html.index('id="project-money"') :]
    money = money[: money.index("</section>")]
    assert "15.00" in money and "国知办函〔2018〕40号" in money  # allocated
    assert "9.00" in money and "首期拨付" in money  # paid
    assert "已报送" in money  # the spending report's state
    assert "劳务" in money and "3.50" in money and "会议" in money and "5.50" in money
    assert f"/funding/allocations/{allocation.pk}/spending/" in money
    with django_assert_num_queries(count := len(queries_of(client, url))):
        assert client.get(url).status_code == 200
    for day in (11, 12):  # more payments, the same number of queries
        services.record_payment(
            allocation, amount=Decimal("1"), date=date(2018, 8, day), by=hq_reviewer
        )
    with django_assert_num_queries(count):
        assert client.get(url).status_code == 200


def test_acceptance_of_an_unfunded_project_says_so(as_user, approved, jiangxi_staff, hq_reviewer):
    page = as_user(hq_reviewer).get(f"/projects/applications/{approved.pk}/acceptance/")
    assert page.status_code == 200
    assert "本项目暂无经费下达。" in page.content.decode()
    assert as_user(jiangxi_staff).get(
        f"/projects/applications/{approved.pk}/acceptance/"
    ).status_code in (403, 404)  # HQ's page


def queries_of(client, url) -> list:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return captured.captured_queries


def test_hq_allocates_to_a_project_on_its_page(as_user, approved, hq_reviewer):
    client = as_user(hq_reviewer)
    url = f"/funding/allocations/project/{approved.pk}/"
    page = client.get(url).content.decode()
    assert 'data-confirm="确定向项目“某机电公司”下达经费吗？"' in page
    response = client.post(
        url, {"amount": "12.50", "document_number": "国知办函〔2018〕9号", "date": "2018-08-01"}
    )
    allocation = Allocation.objects.get(project=approved)
    assert response.status_code == 302 and response["Location"] == allocation.get_absolute_url()
    assert (allocation.amount, allocation.document_number, allocation.date) == (
        Decimal("12.50"),
        "国知办函〔2018〕9号",
        date(2018, 8, 1),
    )
    assert allocation.task == approved.call.task and allocation.province == approved.province
    assert allocation.created_by == hq_reviewer
    shown = client.get(response["Location"]).content.decode()
    assert "已向项目“某机电公司”下达经费 12.50 万元。" in shown
    client.post(url, {"amount": "15", "document_number": "", "date": "2018-08-02"})
    assert Allocation.objects.get(project=approved).amount == Decimal("15")
    # the project's page shows the money with the link back to this page
    assert url in client.get(approved.get_absolute_url()).content.decode()
    assert url in client.get("/funding/?year=2018").content.decode()


def test_the_page_refuses_over_the_ceiling_and_writes_nothing(as_user, approved, hq_reviewer):
    response = as_user(hq_reviewer).post(
        f"/funding/allocations/project/{approved.pk}/",
        {"amount": "15.01", "document_number": "", "date": "2018-08-01"},
    )
    assert response.status_code == 200
    assert "超过项目“某机电公司”的资助经费 15.00 万元" in response.content.decode()
    assert not Allocation.objects.exists()


def test_the_page_says_why_a_draft_gets_no_money(as_user, task4_call, jiangxi_staff, hq_reviewer):
    draft = application(task4_call, jiangxi_staff)
    client = as_user(hq_reviewer)
    url = f"/funding/allocations/project/{draft.pk}/"
    assert "立项或签订协议后才能下达经费" in client.get(url).content.decode()
    client.post(url, {"amount": "1", "document_number": "", "date": "2018-08-01"})
    assert not Allocation.objects.exists()
