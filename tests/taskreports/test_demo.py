"""The demo has 2018's three task reports (one returned with a reason) and a notice half read,
and the current year has its reports and a notice too."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from provinces.models import Notice, TaskReport, TaskReportDefinition
from workflow.machine import history

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_notices_three_reports_and_a_notice_half_read():
    call_command("seed_demo", verbosity=0)
    titles = set(
        TaskReportDefinition.objects.filter(task__plan__year=2018).values_list("title", flat=True)
    )
    assert titles == {
        "网点开展专利信息服务情况",
        "企业应用成果报告",
        "众创空间专利信息服务效果评价指标",
    }
    returned = TaskReport.objects.filter(
        definition__task__plan__year=2018, state=TaskReport.State.RETURNED
    ).first()
    assert returned is not None and history(returned).last().reason
    assert TaskReport.objects.filter(state=TaskReport.State.CONFIRMED).exists()
    notice = Notice.objects.get(plan__year=2018)
    read = notice.receipts.filter(read_at__isnull=False).count()
    assert 0 < read < notice.receipts.count()
    this_year = timezone.localdate().year
    assert TaskReportDefinition.objects.filter(task__plan__year=this_year).count() == 3
    assert Notice.objects.filter(plan__year=this_year, state="sent").exists()
    call_command("seed_demo", verbosity=0)  # a second run adds nothing
    assert Notice.objects.count() == 2
