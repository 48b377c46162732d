"""The unit's to-do page runs a fixed number of queries whatever it owes."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from planning.models import Deadline
from provinces.models import (
    Assignment,
    FieldKind,
    LedgerEntry,
    TaskReportDefinition,
    TaskReportField,
)

pytestmark = pytest.mark.django_db


def _grow(plan, hq_reviewer, n: int) -> None:
    """n more HQ deadlines and n more task reports on 江西's tasks, and ledger lines."""
    jiangxi_tasks = list(plan.tasks.filter(assignments__province__short_name="江西").distinct()[:3])
    for i in range(n):
        task = jiangxi_tasks[i % len(jiangxi_tasks)]
        Deadline.objects.create(
            plan=plan,
            task=task,
            kind=Deadline.Kind.OTHER,
            description=f"第{i + 1}次工作进展报告",
            due_date=date(2018, 7 + i % 5, 10 + i),
        )
        definition = TaskReportDefinition.objects.create(
            task=task,
            title=f"专项报送{n}-{i + 1}",
            due_date=date(2018, 11, 1 + i),
            created_by=hq_reviewer,
        )
        TaskReportField.objects.create(
            definition=definition, label="数量", kind=FieldKind.INTEGER, required=True, order=0
        )
    for a in Assignment.objects.filter(task__plan=plan, province__short_name="江西"):
        for day in range(1, n + 1):
            LedgerEntry.objects.create(
                assignment=a, date=date(2018, 5, day), kind=LedgerEntry.Kind.OTHER, description="x"
            )


def test_todo_query_count_does_not_grow(as_user, plan_2018, jiangxi_staff, hq_reviewer):
    client = as_user(jiangxi_staff)
    url = "/provinces/todo/?year=2018"
    _grow(plan_2018, hq_reviewer, 1)
    client.get(url)  # warm the session and the content types
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(plan_2018, hq_reviewer, 6)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert "第6次工作进展报告" in response.content.decode()
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]
    # The to-do sources and the carrying sources ask once each, for this unit only (was 38
    # when the page computed every unit's obligations to find the carried ones).
    assert len(small) <= 18, len(small)
