from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from funding import services
from funding.models import Allocation
from planning.models import Plan
from tests.conftest import province


@pytest.fixture
def task2(plan_2018: Plan):
    return plan_2018.tasks.get(number=2)


@pytest.fixture
def jiangxi_allocation(task2, hq_reviewer) -> Allocation:
    allocation, _ = services.allocate(
        task2,
        province("江西"),
        amount=Decimal("20.00"),
        date=date(2018, 5, 1),
        document_number="国知办函〔2018〕1号",
        by=hq_reviewer,
    )
    return allocation


@pytest.fixture
def henan_allocation(task2, hq_reviewer) -> Allocation:
    allocation, _ = services.allocate(
        task2, province("河南"), amount=Decimal("15.00"), date=date(2018, 5, 1), by=hq_reviewer
    )
    return allocation


@pytest.fixture
def paid_jiangxi(jiangxi_allocation, hq_reviewer) -> Allocation:
    services.record_payment(
        jiangxi_allocation, amount=Decimal("12.00"), date=date(2018, 6, 1), by=hq_reviewer
    )
    return jiangxi_allocation
