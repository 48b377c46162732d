"""A periodic target is owed in each period, due its last day, until its count is met; the
sweep reminds before each period ends, once per period."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail

from notifications.models import ReminderLog
from notifications.obligations import everything_owed
from notifications.services import sweep
from planning.models import Target
from provinces.models import Assignment, LedgerEntry
from tests.reminders.test_reminders import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def quarterly(plan_2018) -> Target:
    return Target.objects.create(
        task=plan_2018.tasks.get(number=2),
        description="每季度至少报送1次工作进展",
        metric=Target.Metric.OTHER,
        minimum=1,
        unit="次",
        period=Target.Period.QUARTER,
    )


def report(short_name: str, day: str) -> None:
    LedgerEntry.objects.create(
        assignment=Assignment.objects.get(task__number=2, province__short_name=short_name),
        date=day,
        kind="other",
        description="报送工作进展",
        responsible_person="张",
    )


def target_logs(quarterly, period: str, province: str):
    return ReminderLog.objects.filter(
        deadline_key=f"target:{quarterly.pk}:{period}", province__short_name=province
    )


def test_each_period_is_owed_until_its_count_is_met(quarterly, jiangxi_staff):
    report("河南", "2018-02-01")
    owed = [o for o in everything_owed(quarterly.task.plan) if o.key.startswith("target:")]
    jiangxi = {o.key: o for o in owed if o.province.short_name == "江西"}
    henan = {o.key: o for o in owed if o.province.short_name == "河南"}
    q1 = f"target:{quarterly.pk}:2018-Q1"
    assert jiangxi[q1].due == date(2018, 3, 31)
    assert "第一季度" in jiangxi[q1].what and "0 / 1" in jiangxi[q1].what
    assert jiangxi[q1].tasks == (2,) and jiangxi[q1].link == "/provinces/ledger/"
    assert len(jiangxi) == 4
    assert q1 not in henan and len(henan) == 3  # Henan met Q1


def q1_mails(outbox, to: str) -> list:
    return [m for m in outbox if m.to == [to] and "第一季度" in m.body]


def test_a_unit_short_in_q1_is_reminded_before_march_31_and_once(
    quarterly, outbox, jiangxi_staff, henan_staff
):
    report("河南", "2018-01-15")  # Henan met Q1
    for _ in range(2):  # the same day's sweep run twice reminds once
        with at(date(2018, 3, 24)):
            sweep()
    assert len(q1_mails(outbox, jiangxi_staff.email)) == 1
    with at(date(2018, 3, 30)):
        sweep()
    assert len(q1_mails(outbox, jiangxi_staff.email)) == 2
    jiangxi = target_logs(quarterly, "2018-Q1", "江西")
    assert sorted(jiangxi.values_list("offset", flat=True)) == [1, 7]
    assert not q1_mails(outbox, henan_staff.email)
    assert not target_logs(quarterly, "2018-Q1", "河南").exists()
    assert not target_logs(quarterly, "2018-Q2", "江西").exists()  # Q2 is not near its end


def test_q2_has_its_own_reminder(quarterly, outbox, jiangxi_staff, henan_staff):
    report("江西", "2018-02-01")  # Q1 met, Q2 not
    with at(date(2018, 6, 23)):
        sweep()
    assert target_logs(quarterly, "2018-Q2", "江西").filter(offset=7).exists()
    assert not target_logs(quarterly, "2018-Q1", "江西").exists()
    report("江西", "2018-06-25")  # now met: no more reminders for Q2
    with at(date(2018, 6, 29)):
        sweep()
    assert not target_logs(quarterly, "2018-Q2", "江西").filter(offset=1).exists()
    assert target_logs(quarterly, "2018-Q2", "河南").filter(offset=1).exists()
