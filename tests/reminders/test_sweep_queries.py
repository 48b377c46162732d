"""The sweep is set-based (issue 17): every source is asked once for all published plans, for
what can matter today, so its queries stay the same however many rows and plans there are,
and HQ's summary still counts every item it does not list."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import ReminderLog, SummaryLog
from notifications.obligations import everything_owed
from notifications.services import SUMMARY_ITEMS_PER_PROVINCE, sweep
from planning.models import Plan
from provinces.models import Assignment, Milestone, Registration
from provinces.plans import rollover_plan

pytestmark = pytest.mark.django_db

TODAY = date(2018, 9, 1)
LONG_OVERDUE = date(2018, 6, 1)  # past the chasing period: only HQ's summary lists these
IN_A_WEEK = TODAY + timedelta(days=7)  # the 7-day reminder fires today


def at(day: date):
    return time_machine.travel(
        timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 8, 30)), tick=False
    )


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


def add_steps(plan: Plan, per_unit: int, provinces: list[str]) -> None:
    """``per_unit`` long-overdue schedule steps and one due in a week, for each unit."""
    steps = []
    for name in provinces:
        assignment = Assignment.objects.filter(
            task__plan=plan, province__short_name=name, taken_up=True
        ).first()
        registration, _ = Registration.objects.get_or_create(assignment=assignment)
        steps.extend(
            Milestone(
                registration=registration,
                due_date=LONG_OVERDUE + timedelta(days=i % 20),
                description=f"{name}步骤{i:03d}",
            )
            for i in range(per_unit)
        )
        steps.append(Milestone(registration=registration, due_date=IN_A_WEEK, description="周报"))
    Milestone.objects.bulk_create(steps)


def swept(outbox) -> tuple[int, SummaryLog]:
    """The queries of one sweep today, and its summary (a fresh day: yesterday's logs gone)."""
    ReminderLog.objects.all().delete()
    SummaryLog.objects.all().delete()
    outbox.clear()
    with at(TODAY), CaptureQueriesContext(connection) as queries:
        result = sweep()
    assert result.summary_sent and result.claimed
    return len(queries), SummaryLog.objects.get(day=TODAY)


def overdue_in_full() -> int:
    """What every published plan has overdue today, read in full (as the pages read it)."""
    return sum(
        1 for plan in Plan.objects.published() for o in everything_owed(plan) if o.due < TODAY
    )


def test_sweep_queries_do_not_grow_with_rows_or_plans(
    plan_2018, jiangxi_staff, henan_staff, hq_reviewer, administrator, outbox
):
    add_steps(plan_2018, 2, ["江西"])
    small, summary = swept(outbox)
    assert summary.overdue == overdue_in_full()

    add_steps(plan_2018, 3 * SUMMARY_ITEMS_PER_PROVINCE, ["江西", "河南", "江苏"])
    many_rows, summary = swept(outbox)
    assert summary.overdue == overdue_in_full()
    assert many_rows == small

    with at(date(2018, 8, 1)):
        plan_2019 = rollover_plan(plan_2018, 2019, administrator)
        plan_2019.publish(administrator)
    add_steps(plan_2019, 5, ["江西"])
    two_plans, summary = swept(outbox)
    assert Plan.objects.published().count() == 2
    assert two_plans == small


def test_hq_summary_counts_every_overdue_step_it_does_not_list(
    plan_2018, jiangxi_staff, hq_reviewer, outbox
):
    add_steps(plan_2018, 3 * SUMMARY_ITEMS_PER_PROVINCE, ["江西"])
    _queries, summary = swept(outbox)
    jiangxi_overdue = sum(
        1 for o in everything_owed(plan_2018) if o.due < TODAY and o.province.short_name == "江西"
    )
    assert summary.overdue == overdue_in_full() > jiangxi_overdue > SUMMARY_ITEMS_PER_PROVINCE
    (mail_,) = [m for m in outbox if "每日汇总" in m.subject]
    listed = re.findall(r"江西步骤\d{3}", mail_.body)
    assert 0 < len(listed) <= SUMMARY_ITEMS_PER_PROVINCE
    assert "江西步骤000" in listed and "江西步骤019" not in listed  # the oldest first
    assert f"及其他 {jiangxi_overdue - SUMMARY_ITEMS_PER_PROVINCE} 项" in mail_.body


def test_steps_due_in_a_week_are_reminded_beside_the_summary(
    plan_2018, jiangxi_staff, hq_reviewer, outbox
):
    add_steps(plan_2018, 3 * SUMMARY_ITEMS_PER_PROVINCE, ["江西"])
    swept(outbox)
    (log,) = ReminderLog.objects.filter(deadline_key__startswith="milestone:")
    assert (log.kind, log.offset, log.due_date) == ("reminder", 7, IN_A_WEEK)


def test_summary_counts_follow_an_extension_of_a_step(
    plan_2018, jiangxi_staff, hq_reviewer, outbox
):
    """An extended step leaves the week's count it was in (its group is counted apart)."""
    from notifications import extensions

    registration = Registration.objects.create(
        assignment=Assignment.objects.filter(province=jiangxi_staff.province).first()
    )
    soon = Milestone.objects.bulk_create(
        Milestone(
            registration=registration, due_date=TODAY + timedelta(days=3), description=f"周{i}"
        )
        for i in range(2 * SUMMARY_ITEMS_PER_PROVINCE)
    )
    with at(TODAY - timedelta(days=1)):
        ext = extensions.request_extension(
            jiangxi_staff.province,
            jiangxi_staff,
            key=f"milestone:{soon[0].pk}",
            requested_due=TODAY + timedelta(days=40),
            reason="场地调整",
        )
    extensions.approve_extension(ext, hq_reviewer, "同意")
    _queries, summary = swept(outbox)
    due_soon = [o for o in everything_owed(plan_2018) if 0 <= (o.due - TODAY).days <= 7]
    assert summary.due_soon == len(due_soon)
    assert f"milestone:{soon[0].pk}" not in {o.key for o in due_soon}
    assert sum(o.key.startswith("milestone:") for o in due_soon) == len(soon) - 1
