"""Allocations, payments and spending reports: the rules, the pages and the API."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from funding import services
from funding.models import Allocation, Payment, SpendingCategory, SpendingReport
from funding.obligations import spending_reports_owed
from funding.resources import import_allocations
from funding.services import FundingMode, funding_mode
from notifications.obligations import Span
from provinces.models import Assignment
from tests.conftest import province
from tests.test_permission_matrix import PNG
from workflow.machine import TransitionRefused

pytestmark = pytest.mark.django_db


def categories() -> dict[str, int]:
    return dict(SpendingCategory.objects.values_list("name", "pk"))


def test_categories_are_seeded_in_order():
    assert list(SpendingCategory.objects.values_list("name", flat=True)) == [
        "劳务",
        "会议",
        "培训",
        "资料",
        "差旅",
        "其他",
    ]


def test_2018_tasks_funded_directly_and_by_projects(plan_2018):
    modes = {t.number: funding_mode(t) for t in plan_2018.tasks.all()}
    assert [n for n, m in sorted(modes.items()) if m == FundingMode.DIRECT] == [1, 2, 5, 6, 7]
    assert [n for n, m in sorted(modes.items()) if m == FundingMode.PROJECTS] == [4, 8]


def test_payments_never_exceed_the_allocation(jiangxi_allocation, hq_reviewer):
    services.record_payment(
        jiangxi_allocation, amount=Decimal("15"), date=date(2018, 6, 1), by=hq_reviewer
    )
    with pytest.raises(ValidationError) as refused:
        services.record_payment(
            jiangxi_allocation, amount=Decimal("5.01"), date=date(2018, 9, 1), by=hq_reviewer
        )
    assert "最多还可拨付 5.00 万元" in refused.value.messages[0]
    assert Payment.objects.filter(allocation=jiangxi_allocation).count() == 1
    services.record_payment(
        jiangxi_allocation, amount=Decimal("5"), date=date(2018, 9, 1), by=hq_reviewer
    )
    assert Allocation.objects.get(pk=jiangxi_allocation.pk).paid == Decimal("20.00")


def test_allocation_cannot_drop_below_what_was_paid(paid_jiangxi, task2, hq_reviewer):
    with pytest.raises(ValidationError) as refused:
        services.allocate(
            task2, province("江西"), amount=Decimal("10"), date=date(2018, 5, 1), by=hq_reviewer
        )
    assert "不能改为少于已拨付" in refused.value.messages[0]
    assert Allocation.objects.get(pk=paid_jiangxi.pk).amount == Decimal("20.00")


def test_overspending_is_refused_and_nothing_is_written(paid_jiangxi, jiangxi_staff):
    report = services.report_for(paid_jiangxi)
    with pytest.raises(ValidationError) as refused:
        services.save_spending(
            report, jiangxi_staff, note="", amounts={categories()["会议"]: Decimal("12.01")}
        )
    assert "超过已拨付的 12.00 万元" in refused.value.messages[0]
    assert not SpendingReport.objects.exists()


def test_spending_report_is_submitted_returned_with_a_reason_and_confirmed(
    paid_jiangxi, jiangxi_staff, hq_reviewer
):
    c = categories()
    report = services.save_spending(
        services.report_for(paid_jiangxi),
        jiangxi_staff,
        note="培训与资料",
        amounts={c["培训"]: Decimal("8"), c["资料"]: Decimal("2.5")},
    )
    assert report.total == Decimal("10.50")
    report.submit(jiangxi_staff)
    with pytest.raises(TransitionRefused):
        report.return_for_revision(hq_reviewer, "")
    report.return_for_revision(hq_reviewer, "请补充差旅凭证")
    assert report.state == SpendingReport.State.RETURNED
    services.save_spending(
        report,
        jiangxi_staff,
        note="补充",
        amounts={c["差旅"]: Decimal("1"), c["培训"]: Decimal("8")},
    )
    report.submit(jiangxi_staff)
    report.confirm(hq_reviewer)
    assert SpendingReport.objects.get().state == SpendingReport.State.CONFIRMED


def test_a_reopened_spending_report_is_no_longer_confirmed(
    paid_jiangxi, jiangxi_staff, hq_reviewer
):
    c = categories()
    report = services.save_spending(
        services.report_for(paid_jiangxi),
        jiangxi_staff,
        note="x",
        amounts={c["培训"]: Decimal("1")},
    )
    report.submit(jiangxi_staff)
    report.confirm(hq_reviewer)
    assert SpendingReport.objects.get().confirmed_at is not None
    report.reopen(hq_reviewer, "金额有误")
    reopened = SpendingReport.objects.get()
    assert reopened.state == SpendingReport.State.RETURNED and reopened.confirmed_at is None


def test_another_unit_cannot_write_the_report(paid_jiangxi, henan_staff):
    with pytest.raises(TransitionRefused):
        services.save_spending(services.report_for(paid_jiangxi), henan_staff, note="", amounts={})


def test_an_empty_report_cannot_be_submitted(paid_jiangxi, jiangxi_staff):
    report = services.save_spending(
        services.report_for(paid_jiangxi), jiangxi_staff, note="x", amounts={}
    )
    with pytest.raises(TransitionRefused) as refused:
        report.submit(jiangxi_staff)
    assert "支出明细" in refused.value.message


def test_visibility_units_see_their_own_experts_none(
    jiangxi_allocation, henan_allocation, jiangxi_staff, hq_reviewer, expert
):
    assert list(Allocation.objects.visible_to(jiangxi_staff)) == [jiangxi_allocation]
    assert Allocation.objects.visible_to(hq_reviewer).count() == 2
    assert not Allocation.objects.visible_to(expert).exists()


def test_other_province_gets_404(as_user, henan_allocation, jiangxi_staff, expert):
    assert (
        as_user(jiangxi_staff).get(f"/funding/allocations/{henan_allocation.pk}/").status_code
        == 404
    )
    assert (
        as_user(jiangxi_staff).get(f"/api/v1/allocations/{henan_allocation.pk}/").status_code == 404
    )
    assert as_user(expert).get("/funding/").status_code == 404


def test_hq_enters_a_whole_task_on_one_grid(as_user, task2, hq_reviewer):
    units = list(Assignment.objects.filter(task=task2, taken_up=True).select_related("province"))
    client = as_user(hq_reviewer)
    page = client.get("/funding/allocations/task/2/?year=2018")
    assert page.status_code == 200
    assert page.content.decode().count('name="amount_') == len(units)
    body = {"year": 2018, "date": "2018-05-10", "document_number": "国知办函〔2018〕9号"}
    body.update({f"amount_{a.province_id}": "10.50" for a in units[:3]})
    response = client.post("/funding/allocations/task/2/", body)
    assert response.status_code == 302
    assert Allocation.objects.filter(task=task2).count() == 3
    assert {a.amount for a in Allocation.objects.all()} == {Decimal("10.50")}


def test_grid_refuses_all_rows_when_one_is_below_paid(as_user, paid_jiangxi, task2, hq_reviewer):
    henan = province("河南")
    body = {
        "year": 2018,
        "date": "2018-05-10",
        "document_number": "",
        f"amount_{henan.pk}": "5",
        f"amount_{paid_jiangxi.province_id}": "1",
    }
    response = as_user(hq_reviewer).post("/funding/allocations/task/2/", body, follow=True)
    assert "不能改为少于已拨付" in response.content.decode()
    assert not Allocation.objects.filter(province=henan).exists()


def test_payment_page_refuses_overpayment_with_the_reason(as_user, paid_jiangxi, hq_reviewer):
    response = as_user(hq_reviewer).post(
        f"/funding/allocations/{paid_jiangxi.pk}/pay/",
        {"amount": "9", "date": "2018-09-01"},
        follow=True,
    )
    assert "最多还可拨付 8.00 万元" in response.content.decode()
    assert Payment.objects.count() == 1


def test_unit_submits_a_report_with_evidence_on_the_page(as_user, paid_jiangxi, jiangxi_staff):
    c = categories()
    response = as_user(jiangxi_staff).post(
        f"/funding/allocations/{paid_jiangxi.pk}/spending/",
        {
            "note": "已使用",
            f"amount_{c['会议']}": "3",
            "files": [SimpleUploadedFile("发票.png", PNG)],
            "submit": "1",
        },
    )
    assert response.status_code == 302
    report = SpendingReport.objects.get()
    assert report.state == SpendingReport.State.SUBMITTED
    assert report.evidence.count() == 1


def import_sheet(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        ["年度", "任务序号", "省份", "项目编号", "下达经费（万元）", "下达文号", "下达日期", "备注"]
    )
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_is_all_or_nothing_and_idempotent(plan_2018, hq_reviewer):
    good = [2018, 2, "江西", None, 20, "文1", date(2018, 5, 1), ""]
    bad = [2018, 3, "河南", None, 5, "文1", date(2018, 5, 1), ""]  # task 3 is not funded
    outcome = import_allocations(import_sheet([good, bad]), "a.xlsx", hq_reviewer, dry_run=False)
    assert not outcome.ok and outcome.problems[0].number == 3
    assert not Allocation.objects.exists()
    outcome = import_allocations(import_sheet([good]), "a.xlsx", hq_reviewer, dry_run=False)
    assert outcome.ok and outcome.created == 1
    again = import_allocations(import_sheet([good]), "a.xlsx", hq_reviewer, dry_run=False)
    assert again.created == 0 and len(again.duplicates) == 1
    assert Allocation.objects.get().amount == Decimal("20.00")


def test_export_imports_back_as_duplicates(as_user, paid_jiangxi, henan_allocation, hq_reviewer):
    content = as_user(hq_reviewer).get("/funding/export.xlsx?year=2018").content
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb.worksheets[0]
    assert ws.cell(2, 5).data_type == "n"  # the amount is a number cell, with two places
    assert ws.cell(2, 5).number_format == "0.00"
    outcome = import_allocations(content, "export.xlsx", hq_reviewer, dry_run=True)
    assert outcome.ok and len(outcome.duplicates) == 2 and outcome.to_write == 0


def test_overview_rates_and_totals(as_user, paid_jiangxi, henan_allocation, hq_reviewer):
    page = as_user(hq_reviewer).get("/funding/?year=2018")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text and "下达 35.00 万元，拨付 12.00 万元" in text
    summary = as_user(hq_reviewer).get("/api/v1/allocations/summary/?year=2018").json()
    assert summary["total"]["allocated"] == "35.00"
    assert summary["total"]["paid_rate"] == "34.3"
    assert sum(Decimal(r["allocated"]) for r in summary["by_unit"]) == Decimal("35.00")


def test_a_paid_allocation_owes_a_spending_report_until_handed_in(
    paid_jiangxi, henan_allocation, jiangxi_staff, as_user
):
    owed = list(spending_reports_owed([paid_jiangxi.plan], Span()))
    assert [o.province.short_name for o in owed] == ["江西"]  # 河南 has not been paid
    assert (
        "经费使用情况" in as_user(jiangxi_staff).get("/provinces/todo/?year=2018").content.decode()
    )
    report = services.save_spending(
        services.report_for(paid_jiangxi),
        jiangxi_staff,
        note="",
        amounts={categories()["其他"]: Decimal("1")},
    )
    report.submit(jiangxi_staff)
    assert not list(spending_reports_owed([paid_jiangxi.plan], Span()))


def test_api_payment_over_the_allocation_is_a_400(as_user, paid_jiangxi, hq_reviewer):
    response = as_user(hq_reviewer).post(
        "/api/v1/payments/",
        {"allocation": paid_jiangxi.pk, "amount": "8.01", "date": "2018-09-01"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "最多还可拨付" in str(response.json())


def test_api_lists_are_scoped_and_by_year(as_user, paid_jiangxi, henan_allocation, jiangxi_staff):
    data = as_user(jiangxi_staff).get("/api/v1/allocations/?year=2018").json()
    assert [r["province"] for r in data["results"]] == ["360000"]
    assert as_user(jiangxi_staff).get("/api/v1/allocations/?year=2017").json()["count"] == 0


def _many(task2, hq_reviewer, n: int) -> None:
    units = Assignment.objects.filter(task=task2, taken_up=True).order_by("province__sort_order")
    for a in units[:n]:
        allocation, _ = services.allocate(
            task2, a.province, amount=Decimal("10"), date=date(2018, 5, 1), by=hq_reviewer
        )
        services.record_payment(
            allocation, amount=Decimal("4"), date=date(2018, 6, 1), by=hq_reviewer
        )
        SpendingReport.objects.get_or_create(allocation=allocation)  # a row shows its state


PAGES = [
    ("/funding/?year=2018", 10),
    ("/funding/allocations/?year=2018", 10),
    ("/funding/payments/?year=2018", 9),
    ("/funding/spending/?year=2018", 9),
    ("/funding/export.xlsx?year=2018", 10),
    ("/funding/allocations/task/2/?year=2018", 10),
    ("/api/v1/allocations/?year=2018", 6),
    ("/api/v1/allocations/summary/?year=2018", 6),
    ("/api/v1/payments/?year=2018", 6),
    ("/api/v1/spending-reports/?year=2018", 6),
]


@pytest.mark.parametrize("path,most", PAGES)
def test_query_counts_are_fixed(
    as_user, task2, hq_reviewer, path, most, django_assert_max_num_queries
):
    client = as_user(hq_reviewer)
    _many(task2, hq_reviewer, 2)
    with django_assert_max_num_queries(most):
        assert client.get(path).status_code == 200
    _many(task2, hq_reviewer, 12)
    with django_assert_max_num_queries(most):
        assert client.get(path).status_code == 200


def test_underspending_is_flagged_once_the_year_has_ended(
    as_user, paid_jiangxi, hq_reviewer, jiangxi_staff, monkeypatch
):
    report = services.save_spending(
        services.report_for(paid_jiangxi),
        jiangxi_staff,
        note="",
        amounts={categories()["会议"]: Decimal("5")},
    )
    report.submit(jiangxi_staff)
    monkeypatch.setattr("funding.views.allocations.year_end", lambda plan: date(2099, 12, 31))
    during = as_user(hq_reviewer).get("/funding/allocations/?year=2018").content.decode()
    monkeypatch.setattr("funding.views.allocations.year_end", lambda plan: date(2017, 12, 31))
    after = as_user(hq_reviewer).get("/funding/allocations/?year=2018").content.decode()
    assert "有结余" in after and 'class="flagged"' in after
    assert 'class="flagged"' not in during


def test_api_another_units_allocation_is_no_such_object(
    as_user, henan_allocation, paid_jiangxi, jiangxi_staff
):
    """The allocation a spending report names is among those the user sees (400, not made)."""
    client = as_user(jiangxi_staff)
    refused = client.post(
        "/api/v1/spending-reports/",
        {"allocation": henan_allocation.pk, "note": ""},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "allocation" in refused.json()
    assert not SpendingReport.objects.filter(allocation=henan_allocation).exists()
    own = client.post(
        "/api/v1/spending-reports/",
        {"allocation": paid_jiangxi.pk, "note": ""},
        content_type="application/json",
    )
    assert own.status_code == 201, own.json()
