"""Reminders: each offset, chasing, submitted units left alone, exactly once, a real worker."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import time_machine
from django.core import mail
from django.db import connections
from django.utils import timezone

from notifications.models import ReminderLog, SummaryLog
from notifications.services import reminder_offset, sweep
from provinces.models import Assignment, Registration
from provinces.services import submit_registration
from tests.loop.conftest import fill

DUE = date(2018, 6, 20)


def at(day: date):
    return time_machine.travel(
        timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 8, 30)), tick=False
    )


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


def registration_mails(outbox, province: str):
    return [m for m in outbox if province in m.body and "任务分解报送" in m.subject]


@pytest.mark.parametrize(
    ("day", "offset"),
    [
        (date(2018, 6, 13), 7),
        (date(2018, 6, 17), 3),
        (date(2018, 6, 19), 1),
        (date(2018, 6, 20), 0),
    ],
)
@pytest.mark.django_db
def test_reminders_on_each_offset(plan_2018, jiangxi_staff, outbox, day, offset):
    with at(day):
        sweep()
    logs = ReminderLog.objects.filter(deadline_key="registration:2018:360000")
    assert {(log.kind, log.offset) for log in logs} == {("reminder", offset)}
    assert [log.recipient for log in logs] == ["jiangxi_staff@example.cn"]
    mails = [m for m in outbox if m.to == ["jiangxi_staff@example.cn"]]
    assert len(mails) == 1
    assert "江西省知识产权局" in mails[0].body and "/provinces/todo/" in mails[0].body
    assert mails[0].alternatives and "立即办理" in mails[0].alternatives[0][0]


@pytest.mark.django_db
def test_no_reminder_between_offsets(plan_2018, jiangxi_staff, outbox):
    with at(date(2018, 6, 15)):  # 5 days before
        sweep()
    assert not ReminderLog.objects.filter(province__short_name="江西").exists()


@pytest.mark.django_db
def test_chasing_every_three_days_while_overdue(plan_2018, jiangxi_staff, outbox):
    sent = []
    for day in range(21, 31):
        with at(date(2018, 6, day)):
            sweep()
    sent = sorted(
        ReminderLog.objects.filter(deadline_key="registration:2018:360000").values_list(
            "offset", flat=True
        )
    )
    assert sent == [-9, -6, -3]
    assert set(
        ReminderLog.objects.filter(province__short_name="江西").values_list("kind", flat=True)
    ) == {"chase"}


def test_offsets_rule():
    assert reminder_offset(DUE, date(2018, 6, 13)) == ("reminder", 7)
    assert reminder_offset(DUE, date(2018, 6, 14)) is None
    assert reminder_offset(DUE, date(2018, 6, 23)) == ("chase", -3)
    assert reminder_offset(DUE, date(2018, 12, 1)) is None  # no chasing after 60 days


@pytest.mark.django_db
def test_submitted_units_are_not_reminded(plan_2018, jiangxi_staff, henan_staff, outbox):
    for a in Assignment.objects.filter(province__short_name="江西", taken_up=True):
        reg = fill(Registration.objects.create(assignment=a))
        submit_registration(reg, jiangxi_staff)
    with at(date(2018, 6, 17)):
        sweep()
    assert not ReminderLog.objects.filter(deadline_key="registration:2018:360000").exists()
    # 河南 has submitted nothing and is reminded on the same day, so the sweep did run.
    assert ReminderLog.objects.filter(
        deadline_key="registration:2018:410000", recipient=henan_staff.email, offset=3
    ).exists()


@pytest.mark.django_db
def test_contacts_of_the_registration_receive_it(plan_2018, jiangxi_staff, outbox):
    for a in Assignment.objects.filter(province__short_name="江西", taken_up=True):
        fill(Registration.objects.create(assignment=a))  # drafts with contacts, not submitted
    with at(date(2018, 6, 19)):
        sweep()
    recipients = set(
        ReminderLog.objects.filter(deadline_key="registration:2018:360000").values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {"li@jxipo.gov.cn", "wang@jxipo.gov.cn"}


@pytest.mark.django_db
def test_running_twice_sends_nothing_the_second_time(
    plan_2018, jiangxi_staff, henan_staff, hq_reviewer, outbox
):
    with at(date(2018, 6, 17)):
        first = sweep()
        count = len(outbox)
        second = sweep()
    assert first.sent >= 2 and first.summary_sent
    assert second.sent == 0 and not second.summary_sent
    assert len(outbox) == count
    assert SummaryLog.objects.count() == 1


@pytest.mark.django_db
def test_hq_gets_one_summary_per_run(plan_2018, jiangxi_staff, hq_reviewer, hq_reviewer_2, outbox):
    with at(date(2018, 6, 17)):
        sweep()
    summaries = [m for m in outbox if "每日汇总" in m.subject]
    assert len(summaries) == 1
    assert sorted(summaries[0].to) == ["hq_reviewer@example.cn", "hq_reviewer_2@example.cn"]
    assert "江西" in summaries[0].body


@pytest.mark.django_db
def test_hq_summary_lists_a_few_items_per_province_and_counts_the_rest(
    plan_2018, jiangxi_staff, hq_reviewer, outbox
):
    from provinces.models import Assignment, Milestone, Registration

    assignment = Assignment.objects.filter(province=jiangxi_staff.province).first()
    reg = Registration.objects.create(assignment=assignment)
    Milestone.objects.bulk_create(
        Milestone(registration=reg, due_date=date(2018, 7, 2), description=f"步骤{i:02d}")
        for i in range(25)
    )
    with at(date(2018, 7, 1)):
        sweep()
    (summary,) = [m for m in outbox if "每日汇总" in m.subject]
    assert "步骤00" in summary.body and "步骤09" in summary.body
    assert "步骤10" not in summary.body and "及其他 15 项" in summary.body
    html = summary.alternatives[0][0]
    assert "及其他 15 项" in html


@pytest.mark.django_db
def test_transport_failure_is_retried_without_duplicates(
    plan_2018, jiangxi_staff, outbox, settings, monkeypatch
):
    from django.core.mail import EmailMultiAlternatives

    real_send = EmailMultiAlternatives.send
    monkeypatch.setattr(
        EmailMultiAlternatives,
        "send",
        lambda self, *a, **k: (_ for _ in ()).throw(ConnectionError("smtp down")),
    )
    with at(date(2018, 6, 17)):
        result = sweep()
    assert result.failed >= 1
    log = ReminderLog.objects.get(deadline_key="registration:2018:360000")
    assert log.state == "pending" and "smtp down" in log.error
    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    with time_machine.travel(timezone.make_aware(timezone.datetime(2018, 6, 17, 9, 0)), tick=False):
        sweep()  # 30 minutes later: the pending reminder is reclaimed and sent
    log.refresh_from_db()
    assert log.state == "sent"
    assert len([m for m in outbox if m.to == ["jiangxi_staff@example.cn"]]) == 1


@pytest.mark.django_db
def test_hq_summary_that_fails_to_send_goes_out_on_the_retry(
    plan_2018, jiangxi_staff, hq_reviewer, outbox, monkeypatch
):
    from django.core.mail import EmailMultiAlternatives

    from notifications import tasks

    real_send = EmailMultiAlternatives.send

    def summary_fails(self, *a, **k):
        if "每日汇总" in self.subject:
            raise ConnectionRefusedError("smtp down")
        return real_send(self, *a, **k)

    monkeypatch.setattr(EmailMultiAlternatives, "send", summary_fails)
    with at(date(2018, 6, 17)), pytest.raises(ConnectionRefusedError):
        sweep()
    assert not SummaryLog.objects.exists()  # the claim was given back
    assert issubclass(ConnectionRefusedError, OSError)  # so the periodic task retries on it
    assert OSError in tasks.send_reminders.autoretry_for
    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    with at(date(2018, 6, 17)):
        sweep()
        sweep()
    assert len([m for m in outbox if "每日汇总" in m.subject]) == 1
    assert SummaryLog.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_reminder_once(plan_2018, jiangxi_staff, henan_staff, outbox):
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            with at(date(2018, 6, 17)):
                sweep()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    per_recipient = [m.to[0] for m in outbox if "任务分解报送" in m.subject]
    assert per_recipient.count("jiangxi_staff@example.cn") == 1
    assert per_recipient.count("henan_staff@example.cn") == 1
    assert len(per_recipient) == len(set(per_recipient))
    assert len([m for m in outbox if "每日汇总" in m.subject]) <= 1


@pytest.mark.django_db
def test_remind_now_is_hq_only(as_user, plan_2018, jiangxi_staff):
    assert as_user(jiangxi_staff).post("/notifications/remind/360000/").status_code == 404
    assert as_user(jiangxi_staff).get("/notifications/reminders/").status_code == 404


@pytest.mark.django_db
def test_reminder_log_query_count_is_fixed(
    as_user,
    plan_2018,
    hq_reviewer,
    jiangxi_staff,
    henan_staff,
    outbox,
    django_assert_max_num_queries,
):
    client = as_user(hq_reviewer)
    with at(date(2018, 6, 17)):
        sweep()
    few = ReminderLog.objects.count()
    assert few
    with django_assert_max_num_queries(8):
        assert client.get("/notifications/reminders/").status_code == 200
    with at(date(2018, 6, 19)):
        sweep()
    assert ReminderLog.objects.count() > few
    with django_assert_max_num_queries(8):
        assert client.get("/notifications/reminders/").status_code == 200


@pytest.mark.django_db
def test_send_reminders_command_twice(plan_2018, jiangxi_staff, outbox, capsys):
    from django.core.management import call_command

    with at(date(2018, 6, 17)):
        call_command("send_reminders")
        first = capsys.readouterr().out
        call_command("send_reminders")
        second = capsys.readouterr().out
    assert "新发送 0 封" not in first
    assert "新发送 0 封" in second
