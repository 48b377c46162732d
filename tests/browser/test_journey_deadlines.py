"""Journey 5: a unit asks for more time, HQ approves, the unit sees the new date and is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import ExtensionRequest
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_extension_request_and_notification(journey, plan_2018):
    make_user("d_jx", "province_staff", "江西")
    make_user("d_hq", "hq_reviewer")
    deadline = plan_2018.deadlines.get(kind="registration")
    deadline.due_date = timezone.localdate() + timedelta(days=5)
    deadline.save()
    new_due = deadline.due_date + timedelta(days=10)

    page = journey.login("d_jx")
    journey.go("/provinces/deadlines/")
    row = page.locator("#owed tr", has_text="任务分解报送")
    row.locator("input[name=requested_due]").fill(new_due.isoformat())
    row.locator("input[name=reason]").fill("处室人员调整，联系人变更")
    row.locator("button:text-is('申请延期')").click()
    assert "延期申请已提交" in page.content()
    journey.shot("requested")

    page = journey.login("d_hq")
    journey.go("/notifications/extensions/")
    assert "处室人员调整" in page.inner_text("#extensions")
    page.click("#extensions button:text-is('批准')")
    assert ExtensionRequest.objects.get().state == "approved"

    page = journey.login("d_jx")
    journey.go("/provinces/deadlines/")
    assert new_due.isoformat() in page.inner_text("#owed")
    assert "已延期" in page.inner_text("#owed")
    assert page.inner_text("#unread-count") == "1"
    page.click("#inbox-link")
    assert "延期申请已批准" in page.inner_text("#notifications")
    journey.shot("notified")
