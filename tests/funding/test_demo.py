from __future__ import annotations

import pytest
from django.core.management import call_command

from funding.models import Allocation, Payment, SpendingReport
from workflow.machine import history

pytestmark = pytest.mark.django_db


def test_demo_funds_2018_tasks_pays_and_returns_one_report_with_a_reason():
    call_command("seed_demo", verbosity=0)
    in_2018 = Allocation.objects.filter(plan__year=2018)
    assert set(in_2018.filter(project__isnull=True).values_list("task__number", flat=True)) == {
        1,
        2,
        5,
        6,
        7,
    }
    assert in_2018.filter(project__isnull=False, task__number=4).exists()
    assert Payment.objects.filter(allocation__plan__year=2018).exists()
    for allocation in in_2018:
        assert sum(p.amount for p in allocation.payments.all()) <= allocation.amount
    returned = SpendingReport.objects.get(state=SpendingReport.State.RETURNED)
    assert "凭证" in history(returned).last().reason
    assert SpendingReport.objects.filter(state=SpendingReport.State.CONFIRMED).exists()
    count = Allocation.objects.count()
    call_command("seed_demo", verbosity=0)
    assert Allocation.objects.count() == count
