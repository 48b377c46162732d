"""Deadlines of every kind, per-deadline offsets, extension requests, notifications, calendar."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation
from icalendar import Calendar

from notifications import extensions, inbox
from notifications.models import ExtensionRequest, Notification, ReminderLog
from notifications.obligations import everything_owed
from notifications.services import sweep
from planning.models import Deadline
from provinces.models import DeadlineReport, Registration
from provinces.services import report_on_deadline, return_registration
from tests.reminders.test_reminders import at
from workflow.machine import TransitionRefused, history

pytestmark = pytest.mark.django_db
KEY = "registration:2018:360000"


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


def jiangxi_keys(plan):
    return {o.key: o for o in everything_owed(plan) if o.province.short_name == "江西"}


# --- one notion of a deadline -------------------------------------------------------------


def test_offsets_configurable_per_deadline(plan_2018, jiangxi_staff, outbox):
    deadline = plan_2018.deadlines.get(kind="registration")
    deadline.reminder_offsets = "14, 2"
    deadline.full_clean()
    deadline.save()
    for day in (date(2018, 6, 6), date(2018, 6, 13), date(2018, 6, 18)):
        with at(day):
            sweep()
    offsets = set(ReminderLog.objects.filter(deadline_key=KEY).values_list("offset", flat=True))
    assert offsets == {14, 2}  # not the default 7


def test_bad_offsets_are_refused(plan_2018):
    from django.core.exceptions import ValidationError

    deadline = plan_2018.deadlines.get(kind="registration")
    deadline.reminder_offsets = "7,三"
    with pytest.raises(ValidationError):
        deadline.full_clean()


def test_year_end_summary_is_owed_until_submitted(plan_2018, jiangxi_staff):
    from reporting.models import AnnualSummary

    key = "summary:2018:360000"
    owed = jiangxi_keys(plan_2018)
    assert owed[key].due == plan_2018.deadlines.get(kind="summary").due_date
    summary = AnnualSummary.objects.create(plan=plan_2018, province=jiangxi_staff.province)
    assert key in jiangxi_keys(plan_2018)  # a draft still owes
    AnnualSummary.objects.filter(pk=summary.pk).update(state="submitted")
    assert key not in jiangxi_keys(plan_2018)


def test_project_deliverables_rectification_and_acceptance_are_owed(
    plan_2018, jiangxi_staff, hq_reviewer
):
    from django.utils import timezone

    from projects import services
    from projects.models import Call
    from tests.projects.test_pages_api import make_app

    call = Call.objects.create(
        plan=plan_2018,
        task=plan_2018.tasks.get(number=4),
        project_type="enterprise_pilot",
        title="试点",
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=1),
        reviews_required=0,  # this test is about deadlines, not the review minimum
    )
    app = make_app(call, "江西", jiangxi_staff)
    services.approve(app, hq_reviewer, app.applicant, Decimal("10"))
    services.sign_agreement(
        app,
        hq_reviewer,
        number="N1",
        budget=Decimal("10"),
        starts_on=date(2018, 8, 1),
        ends_on=date(2018, 12, 31),
        deliverables=[services.DeliverableLine("流程", date(2018, 11, 30))],
    )
    deliverable = app.deliverables.get()
    owed = jiangxi_keys(plan_2018)
    assert owed[f"deliverable:{deliverable.pk}"].due == date(2018, 11, 30)
    assert f"acceptance:{app.pk}" in owed
    services.report_progress(
        deliverable, jiangxi_staff, percent=100, note="完成", done_on=date(2018, 11, 29)
    )
    services.request_acceptance(app, jiangxi_staff, "完成")
    services.require_rectification(app, hq_reviewer, "补数据", date(2019, 3, 31))
    owed = jiangxi_keys(plan_2018)
    assert f"deliverable:{deliverable.pk}" not in owed and f"acceptance:{app.pk}" not in owed
    assert owed[f"rectification:{app.pk}:20190331"].due == date(2019, 3, 31)


def test_hq_adds_a_deadline_and_units_report(
    as_user, plan_2018, hq_reviewer, jiangxi_staff, guizhou_staff, outbox
):
    task5 = plan_2018.tasks.get(number=5)
    response = as_user(hq_reviewer).post(
        "/plans/deadlines/new/",
        {
            "task": task5.pk,
            "description": "第三季度工作进展报告",
            "due_date": "2018-09-30",
            "reminder_offsets": "7,0",
        },
    )
    assert response.status_code == 302
    deadline = Deadline.objects.get(kind="other")
    owing = {
        o.province.short_name for o in everything_owed(plan_2018) if o.key.startswith("deadline:")
    }
    assert owing == {"贵州", "甘肃", "青海", "宁夏", "西藏", "新疆", "新疆生产建设兵团"}
    with at(date(2018, 9, 23)):
        sweep()
    assert ReminderLog.objects.filter(deadline_key=f"deadline:{deadline.pk}", offset=7).exists()
    # 江西 does not carry task 5: nothing to report
    with pytest.raises(TransitionRefused, match="不承担"):
        report_on_deadline(deadline, jiangxi_staff.province, jiangxi_staff, "x")
    as_user(guizhou_staff).post(f"/provinces/deadlines/{deadline.pk}/report/", {"note": "已报送"})
    assert DeadlineReport.objects.get().province.short_name == "贵州"
    assert "贵州" not in {
        o.province.short_name for o in everything_owed(plan_2018) if o.key.startswith("deadline:")
    }


# --- extension requests -------------------------------------------------------------------


def test_extension_moves_the_due_date_and_the_reminders(
    plan_2018, jiangxi_staff, henan_staff, hq_reviewer, outbox
):
    with at(date(2018, 6, 10)):
        ext = extensions.request_extension(
            jiangxi_staff.province,
            jiangxi_staff,
            key=KEY,
            requested_due=date(2018, 6, 30),
            reason="处室人员调整",
        )
    extensions.approve_extension(ext, hq_reviewer, "同意")
    owed = jiangxi_keys(plan_2018)
    moved = owed["registration:2018:360000~20180630"]
    assert (moved.due, moved.extended_from) == (date(2018, 6, 30), date(2018, 6, 20))
    with at(date(2018, 6, 20)):  # the old due date: others are reminded, 江西 is not
        sweep()
    assert not ReminderLog.objects.filter(province__short_name="江西").exists()
    assert ReminderLog.objects.filter(province__short_name="河南", offset=0).exists()
    with at(date(2018, 6, 23)):  # 7 days before the new date
        sweep()
    log = ReminderLog.objects.get(province__short_name="江西")
    assert (log.offset, log.due_date) == (7, date(2018, 6, 30))
    assert [t.transition for t in history(ext)] == ["approve_extension"]
    assert Notification.objects.filter(user=jiangxi_staff, kind="decision").exists()


def test_extension_refusals(plan_2018, jiangxi_staff, hq_reviewer):
    def ask(day, due, reason="理由"):
        with at(day):
            return extensions.request_extension(
                jiangxi_staff.province, jiangxi_staff, key=KEY, requested_due=due, reason=reason
            )

    with pytest.raises(TransitionRefused, match="截止后不能申请延期"):
        ask(date(2018, 6, 21), date(2018, 6, 30))
    with pytest.raises(TransitionRefused, match="应晚于"):
        ask(date(2018, 6, 10), date(2018, 6, 20))
    with pytest.raises(TransitionRefused, match="最多延期"):
        ask(date(2018, 6, 10), date(2018, 12, 31))
    with pytest.raises(TransitionRefused, match="延期理由"):
        ask(date(2018, 6, 10), date(2018, 6, 30), reason=" ")
    ext = ask(date(2018, 6, 10), date(2018, 6, 30))
    with pytest.raises(TransitionRefused, match="待审批"):
        ask(date(2018, 6, 11), date(2018, 7, 5))
    with pytest.raises(TransitionRefused, match="理由"):
        extensions.refuse_extension(ext, hq_reviewer, "")
    ext.refresh_from_db()
    assert ext.state == "pending"
    extensions.refuse_extension(ext, hq_reviewer, "节点不能推迟")
    with pytest.raises(TransitionRefused):
        extensions.approve_extension(ext, hq_reviewer)
    ext.refresh_from_db()
    assert ext.state == "refused"
    assert jiangxi_keys(plan_2018)[KEY].due == date(2018, 6, 20)
    assert ExtensionRequest.objects.count() == 1


def test_extension_pages(as_user, plan_2018, jiangxi_staff, henan_staff, hq_reviewer):
    from django.utils import timezone

    deadline = plan_2018.deadlines.get(kind="registration")
    deadline.due_date = timezone.localdate() + timedelta(days=10)
    deadline.save()
    page = as_user(jiangxi_staff).get("/provinces/deadlines/").content.decode()
    assert "申请延期" in page and KEY in page
    as_user(jiangxi_staff).post(
        "/notifications/deadlines/extend/",
        {
            "key": KEY,
            "requested_due": (deadline.due_date + timedelta(days=5)).isoformat(),
            "reason": "人员调整",
        },
    )
    ext = ExtensionRequest.objects.get()
    assert as_user(henan_staff).get(f"/notifications/extensions/{ext.pk}/").status_code == 404
    assert (
        as_user(jiangxi_staff).post(f"/notifications/extensions/{ext.pk}/approve/").status_code
        == 404
    )
    assert "人员调整" in as_user(hq_reviewer).get("/notifications/extensions/").content.decode()
    as_user(hq_reviewer).post(f"/notifications/extensions/{ext.pk}/approve/")
    ext.refresh_from_db()
    assert ext.state == "approved" and ext.decided_by == hq_reviewer
    page = as_user(jiangxi_staff).get("/provinces/deadlines/").content.decode()
    assert "已延期" in page


# --- in-app notifications -------------------------------------------------------------------


def submitted_registration(plan, staff):
    from provinces.models import Assignment
    from workflow.machine import apply_transition

    a = Assignment.objects.get(task__number=2, province=staff.province)
    reg = Registration.objects.create(assignment=a)
    apply_transition(reg, name="submit", source=["draft"], target="submitted", actor=staff)
    return reg


def test_returned_notifies_with_immediate_mail(
    plan_2018, jiangxi_staff, hq_reviewer, outbox, django_capture_on_commit_callbacks
):
    # Celery runs in-process here (autouse fixture); the mail task runs after commit.
    reg = submitted_registration(plan_2018, jiangxi_staff)
    with django_capture_on_commit_callbacks(execute=True):
        return_registration(reg, hq_reviewer, "进度安排过于笼统")
    n = Notification.objects.get(user=jiangxi_staff)
    assert n.kind == "returned" and "进度安排过于笼统" in n.text and n.emailed_at
    assert [m.to for m in outbox] == [[jiangxi_staff.email]]
    assert "进度安排过于笼统" in outbox[0].subject


def test_daily_digest_is_one_mail_and_only_once(
    plan_2018, jiangxi_staff, hq_reviewer, outbox, django_capture_on_commit_callbacks
):
    jiangxi_staff.notify_by = "daily"
    jiangxi_staff.save()
    with django_capture_on_commit_callbacks(execute=True):
        inbox.notify([jiangxi_staff], "decision", "第一条")
        inbox.notify([jiangxi_staff], "confirmed", "第二条")
    assert outbox == []
    assert inbox.send_daily_digests() == 1
    assert len(outbox) == 1 and "第一条" in outbox[0].body and "第二条" in outbox[0].body
    assert "2 条新通知" in outbox[0].subject
    assert inbox.send_daily_digests() == 0 and len(outbox) == 1


def test_failed_mail_stays_pending_and_is_retried(plan_2018, jiangxi_staff, outbox, monkeypatch):
    inbox.notify([jiangxi_staff], "decision", "要重试的通知")
    from django.core.mail import EmailMultiAlternatives

    def broken(self, fail_silently=False):
        raise OSError("smtp down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", broken)
    with pytest.raises(OSError):
        inbox.mail_pending(jiangxi_staff)
    assert Notification.objects.get().emailed_at is None
    monkeypatch.undo()
    assert inbox.mail_pending(jiangxi_staff) == 1 and len(outbox) == 1


def test_unread_count_open_and_mark_read(as_user, plan_2018, jiangxi_staff):
    inbox.notify([jiangxi_staff], "decision", "甲", link="/provinces/todo/")
    inbox.notify([jiangxi_staff], "decision", "乙")
    client = as_user(jiangxi_staff)
    assert (
        '<span class="badge" id="unread-count">2</span>' in client.get("/plans/").content.decode()
    )
    first = Notification.objects.get(msgid="甲")
    assert client.get(f"/notifications/{first.pk}/open/")["Location"] == "/provinces/todo/"
    assert inbox.unread_count(jiangxi_staff) == 1
    client.post("/notifications/read/")
    assert inbox.unread_count(jiangxi_staff) == 0
    client.post("/notifications/", {"notify_by": "daily", "language": "zh-hans"})
    jiangxi_staff.refresh_from_db()
    assert jiangxi_staff.notify_by == "daily"


def test_reminders_appear_in_the_inbox_without_a_second_mail(plan_2018, jiangxi_staff, outbox):
    with at(date(2018, 6, 13)):
        sweep()
    n = Notification.objects.get(user=jiangxi_staff)
    assert n.kind == "reminder" and n.emailed_at is not None
    assert n.msgid == "【%(days)s 天后截止】%(what)s" and n.params["days"] == 7
    with translation.override("en"):
        assert n.text.startswith("[Due in 7 days] ")
    assert len([m for m in outbox if m.to == [jiangxi_staff.email]]) == 1


# --- calendar ---------------------------------------------------------------------------------


def test_calendar_feed_is_private_and_lists_what_the_unit_owes(
    client, as_user, plan_2018, jiangxi_staff
):
    page = as_user(jiangxi_staff).get("/notifications/").content.decode()
    jiangxi_staff.refresh_from_db()
    token = jiangxi_staff.calendar_token
    assert token and token in page
    response = client.get(f"/notifications/calendar/{token}.ics")
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    event = events[f"{KEY}.360000@workplan"]
    assert event.decoded("dtstart") == date(2018, 6, 20)
    assert "任务分解报送" in str(event["summary"])
    assert not any("410000" in uid for uid in events)  # not 河南's
    as_user(jiangxi_staff).post("/notifications/calendar/renew/")
    assert client.get(f"/notifications/calendar/{token}.ics").status_code == 404
    assert client.get("/notifications/calendar/short.ics").status_code == 404


def test_remind_all_late_units_of_one_task(
    as_user, plan_2018, hq_reviewer, jiangxi_staff, guizhou_staff, outbox
):
    with at(date(2018, 6, 25)):
        as_user(hq_reviewer).post(
            "/notifications/remind/late/", {"year": "2018", "task": "5", "confirm": "1"}
        )
    reminded = set(
        ReminderLog.objects.filter(kind="manual").values_list("province__short_name", flat=True)
    )
    assert reminded == {"贵州"}  # 江西 is late too, but does not carry task 5
    assert "（五）" in as_user(hq_reviewer).get("/provinces/board/?year=2018").content.decode()


def test_year_end_outcomes_are_owed_until_a_case_linked_to_the_assignment_is_submitted(
    plan_2018,
):
    from provinces.models import Assignment, Case

    beijing = Assignment.objects.get(
        task__plan=plan_2018, task__number=1, province__short_name="北京"
    )
    key = "outcomes:2018:1:110000"
    owed = {o.key: o for o in everything_owed(plan_2018)}
    assert owed[key].due == plan_2018.deadlines.get(kind="outcomes").due_date
    assert owed[key].tasks == (1,)
    unlinked = Case.objects.create(
        plan=plan_2018, province=beijing.province, title="案例", summary="s", state="submitted"
    )
    assert key in {o.key for o in everything_owed(plan_2018)}  # not about task 1
    case = Case.objects.create(
        plan=plan_2018, province=beijing.province, assignment=beijing, title="基地案例", summary="s"
    )
    assert key in {o.key for o in everything_owed(plan_2018)}  # a draft case is not an outcome
    Case.objects.filter(pk=case.pk).update(state="submitted")
    assert key not in {o.key for o in everything_owed(plan_2018)}
    assert unlinked.assignment is None


def test_outcomes_sweep_reminds_only_the_units_carrying_the_task(
    plan_2018, jiangxi_staff, henan_staff, hq_reviewer, outbox
):
    """Issue 13: a sweep at 2018-12-24 sent outcome reminders to every unit with any task."""
    from accounts.models import Role, User
    from notifications.models import SummaryLog
    from provinces.models import Assignment, Province

    bases = set(
        Assignment.objects.filter(task__plan=plan_2018, task__number=1, taken_up=True).values_list(
            "province__short_name", flat=True
        )
    )
    assert bases == {"北京", "江苏", "天津", "浙江", "山东"}
    for name in ("北京", "天津"):
        User.objects.create_user(
            username=f"staff-{name}",
            email=f"{name}@example.cn",
            role=Role.PROVINCE_STAFF,
            province=Province.objects.get(short_name=name),
        )
    with at(date(2018, 12, 24)):  # 7 days before the year-end outcomes are due
        sweep()
    reminded = set(
        ReminderLog.objects.filter(deadline_key__startswith="outcomes:").values_list(
            "province__short_name", flat=True
        )
    )
    assert reminded == {"北京", "天津"}  # 江西 and 河南 carry tasks, but not task 1
    overdue = [
        o
        for o in everything_owed(plan_2018)
        if o.key.startswith("outcomes:") and o.due < date(2019, 1, 2)
    ]
    assert {o.province.short_name for o in overdue} == bases
    with at(date(2019, 1, 2)):
        sweep()
    summary = SummaryLog.objects.get(day=date(2019, 1, 2))
    owed_then = [o for o in everything_owed(plan_2018) if o.due < date(2019, 1, 2)]
    assert summary.overdue == len(owed_then)
    assert sum(o.key.startswith("outcomes:") for o in owed_then) == len(bases)


def test_sweep_reads_only_steps_that_can_fire_but_follows_extensions(
    plan_2018, jiangxi_staff, hq_reviewer, outbox
):
    from provinces.models import Assignment, Milestone

    assignment = Assignment.objects.filter(province=jiangxi_staff.province).first()
    reg = Registration.objects.create(assignment=assignment)
    soon = Milestone.objects.create(
        registration=reg, due_date=date(2018, 9, 10), description="培训班"
    )
    later = Milestone.objects.create(
        registration=reg, due_date=date(2018, 11, 30), description="年终评估"
    )
    keys = {o.key for o in everything_owed(plan_2018, due_by=date(2018, 9, 10))}
    assert f"milestone:{soon.pk}" in keys and f"milestone:{later.pk}" not in keys
    assert f"milestone:{later.pk}" in jiangxi_keys(plan_2018)  # pages still see everything
    with at(date(2018, 9, 1)):
        ext = extensions.request_extension(
            jiangxi_staff.province,
            jiangxi_staff,
            key=f"milestone:{soon.pk}",
            requested_due=date(2018, 9, 20),
            reason="场地调整",
        )
    extensions.approve_extension(ext, hq_reviewer, "同意")
    with at(date(2018, 9, 10)):  # the old date: nothing for the moved step
        sweep()
    assert not ReminderLog.objects.filter(deadline_key__startswith="milestone:").exists()
    with at(date(2018, 9, 13)):  # 7 days before the new date
        sweep()
    log = ReminderLog.objects.get(deadline_key__startswith="milestone:")
    assert (log.deadline_key, log.offset) == (f"milestone:{soon.pk}~20180920", 7)


def test_year_end_reminders_go_to_the_units_official_and_contact(plan_2018, jiangxi_staff, outbox):
    from provinces.models import Assignment
    from tests.loop.conftest import fill

    fill(
        Registration.objects.create(
            assignment=Assignment.objects.get(province=jiangxi_staff.province, task__number=2)
        )
    )
    with at(date(2018, 12, 24)):  # 7 days before the summary is due
        sweep()
    recipients = set(
        ReminderLog.objects.filter(deadline_key="summary:2018:360000").values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {"li@jxipo.gov.cn", "wang@jxipo.gov.cn"}
    # 河南 has no registration contacts: its staff logins are reminded instead
    assert not ReminderLog.objects.filter(
        deadline_key="summary:2018:410000", recipient__endswith="jxipo.gov.cn"
    ).exists()
