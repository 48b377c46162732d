"""Each allocation's kept ``paid`` and ``spent`` always equal a recount of its payments and
of its handed-in report, whichever way the money moves: service, page, API, a refusal, a
return or a reopening, a stale instance saved, two payments at the same moment."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from funding import services
from funding.models import Allocation, Payment, SpendingLine, SpendingReport, recount_money
from workflow.machine import TransitionRefused

from .test_money import categories

pytestmark = pytest.mark.django_db


def counted() -> dict[int, tuple[Decimal, Decimal]]:
    """What the rows say, summed in Python from scratch: {allocation: (paid, spent)}."""
    money = {a: [Decimal(0), Decimal(0)] for a in Allocation.objects.values_list("pk", flat=True)}
    for allocation_id, amount in Payment.objects.values_list("allocation_id", "amount"):
        money[allocation_id][0] += amount
    for allocation_id, amount, state in SpendingLine.objects.values_list(
        "report__allocation_id", "amount", "report__state"
    ):
        if state in SpendingReport.HANDED_IN:
            money[allocation_id][1] += amount
    return {a: (paid, spent) for a, (paid, spent) in money.items()}


def kept() -> dict[int, tuple[Decimal, Decimal]]:
    return {
        a: (paid, spent) for a, paid, spent in Allocation.objects.values_list("pk", "paid", "spent")
    }


def assert_kept_is_a_recount() -> None:
    assert kept() == counted()
    assert recount_money() == 0


def spent(allocation: Allocation) -> Decimal:
    return Allocation.objects.get(pk=allocation.pk).spent


def test_payments_by_service_page_and_api_keep_paid(as_user, jiangxi_allocation, hq_reviewer):
    services.record_payment(
        jiangxi_allocation, amount=Decimal("5"), date=date(2018, 6, 1), by=hq_reviewer
    )
    assert jiangxi_allocation.paid == Decimal("5")  # the caller's instance follows
    client = as_user(hq_reviewer)
    page = client.post(
        f"/funding/allocations/{jiangxi_allocation.pk}/pay/",
        {"amount": "3.5", "date": "2018-07-01"},
    )
    assert page.status_code == 302
    api = client.post(
        "/api/v1/payments/",
        {"allocation": jiangxi_allocation.pk, "amount": "1.25", "date": "2018-08-01"},
        content_type="application/json",
    )
    assert api.status_code == 201, api.content
    assert Allocation.objects.get(pk=jiangxi_allocation.pk).paid == Decimal("9.75")
    assert_kept_is_a_recount()


def test_a_refused_payment_changes_no_figure(jiangxi_allocation, hq_reviewer):
    services.record_payment(
        jiangxi_allocation, amount=Decimal("15"), date=date(2018, 6, 1), by=hq_reviewer
    )
    with pytest.raises(ValidationError):
        services.record_payment(
            jiangxi_allocation, amount=Decimal("6"), date=date(2018, 7, 1), by=hq_reviewer
        )
    assert Allocation.objects.get(pk=jiangxi_allocation.pk).paid == Decimal("15")
    assert_kept_is_a_recount()


def test_spent_follows_the_report_in_and_out_of_review(paid_jiangxi, jiangxi_staff, hq_reviewer):
    c = categories()
    report = services.save_spending(
        services.report_for(paid_jiangxi),
        jiangxi_staff,
        note="培训",
        amounts={c["培训"]: Decimal("8"), c["资料"]: Decimal("2.5")},
    )
    assert spent(paid_jiangxi) == 0  # a draft spends nothing yet
    report.submit(jiangxi_staff)
    assert spent(paid_jiangxi) == Decimal("10.50")
    assert_kept_is_a_recount()
    report.return_for_revision(hq_reviewer, "请补充凭证")
    assert spent(paid_jiangxi) == 0
    services.save_spending(report, jiangxi_staff, note="补充", amounts={c["培训"]: Decimal("9")})
    report.submit(jiangxi_staff)
    report.confirm(hq_reviewer)
    assert spent(paid_jiangxi) == Decimal("9.00")
    assert_kept_is_a_recount()
    report.reopen(hq_reviewer, "金额有误")
    assert spent(paid_jiangxi) == 0
    assert_kept_is_a_recount()


def test_spent_follows_the_page_and_the_api_alike(
    as_user, paid_jiangxi, jiangxi_staff, hq_reviewer
):
    c = categories()
    page = as_user(jiangxi_staff).post(
        f"/funding/allocations/{paid_jiangxi.pk}/spending/",
        {"note": "会议", f"amount_{c['会议']}": "3", "submit": "1"},
    )
    assert page.status_code == 302
    assert spent(paid_jiangxi) == Decimal("3.00")
    report = SpendingReport.objects.get()
    hq = as_user(hq_reviewer)
    url = f"/api/v1/spending-reports/{report.pk}"
    returned = hq.post(f"{url}/return/", {"reason": "缺凭证"}, content_type="application/json")
    assert returned.status_code == 200, returned.content
    assert spent(paid_jiangxi) == 0
    resubmitted = as_user(jiangxi_staff).post(f"{url}/submit/")
    assert resubmitted.status_code == 200, resubmitted.content
    assert hq.post(f"{url}/confirm/", {}, content_type="application/json").status_code == 200
    assert spent(paid_jiangxi) == Decimal("3.00")
    assert_kept_is_a_recount()


def test_a_refused_transition_leaves_spent_as_it_was(paid_jiangxi, jiangxi_staff, hq_reviewer):
    c = categories()
    report = services.save_spending(
        services.report_for(paid_jiangxi),
        jiangxi_staff,
        note="x",
        amounts={c["培训"]: Decimal("4")},
    )
    report.submit(jiangxi_staff)
    with pytest.raises(TransitionRefused):
        report.return_for_revision(hq_reviewer, "")  # a return needs a reason
    assert spent(paid_jiangxi) == Decimal("4.00")
    assert_kept_is_a_recount()


def test_saving_a_stale_allocation_keeps_what_was_paid_since(jiangxi_allocation, hq_reviewer):
    stale = Allocation.objects.get(pk=jiangxi_allocation.pk)
    services.record_payment(
        jiangxi_allocation, amount=Decimal("7"), date=date(2018, 6, 1), by=hq_reviewer
    )
    stale.note = "补记文号"
    stale.save()
    fresh = Allocation.objects.get(pk=jiangxi_allocation.pk)
    assert (fresh.note, fresh.paid) == ("补记文号", Decimal("7.00"))
    # and an allocation may not be cut below it, by the service or the database
    with pytest.raises(ValidationError, match="不能改为少于已拨付"):
        services.allocate(
            jiangxi_allocation.task,
            jiangxi_allocation.province,
            amount=Decimal("6"),
            date=date(2018, 5, 1),
            by=hq_reviewer,
        )
    assert Allocation.objects.get(pk=jiangxi_allocation.pk).amount == Decimal("20.00")


def test_recount_mends_a_figure_written_behind_its_back(paid_jiangxi, henan_allocation, capsys):
    Allocation.objects.filter(pk=paid_jiangxi.pk).update(paid=Decimal("1"), spent=Decimal("1"))
    assert kept() != counted()
    call_command("recount_money")
    assert "更正 1 项" in capsys.readouterr().out
    assert_kept_is_a_recount()


@pytest.mark.django_db(transaction=True)
def test_two_payments_at_the_same_moment_are_both_kept(jiangxi_allocation, hq_reviewer):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def pay(amount: str) -> None:
        try:
            barrier.wait()
            services.record_payment(
                jiangxi_allocation, amount=Decimal(amount), date=date(2018, 6, 1), by=hq_reviewer
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(x,)) for x in ("6", "7")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Allocation.objects.get(pk=jiangxi_allocation.pk).paid == Decimal("13.00")
    assert_kept_is_a_recount()
