"""催办: a preview of who gets what, then one message per unit listing all it owes."""

from __future__ import annotations

import re
from datetime import date

import pytest

from accounts.models import Role
from notifications.models import Notification, ReminderLog
from planning.models import Deadline
from tests.conftest import make_user
from tests.reminders.test_reminders import at, outbox  # noqa: F401 - the mail fixture

LATE = date(2018, 6, 25)  # the registration was due 06-20, the added report 06-22


@pytest.fixture
def second_debt(plan_2018):
    return Deadline.objects.create(
        plan=plan_2018, kind="other", due_date=date(2018, 6, 22), description="第二季度进展报告"
    )


def confirm(client, url, callbacks, **data):
    with callbacks(execute=True):
        return client.post(url, {"year": "2018", "confirm": "1", **data}, follow=True)


@pytest.mark.django_db
def test_preview_shows_recipients_and_items_and_sends_nothing(
    as_user,
    plan_2018,
    hq_reviewer,
    jiangxi_staff,
    second_debt,
    outbox,  # noqa: F811
):
    client = as_user(hq_reviewer)
    with at(LATE):
        page = client.get("/notifications/remind/360000/?year=2018")
        posted = client.post("/notifications/remind/360000/", {"year": "2018"})
    assert page.status_code == 200 and posted.status_code == 200  # no confirm: preview again
    html = page.content.decode()
    assert "jiangxi_staff@example.cn" in html
    assert "任务分解报送" in html and "第二季度进展报告" in html
    assert 'name="confirm" value="1"' in html
    assert outbox == [] and not ReminderLog.objects.filter(kind="manual").exists()


@pytest.mark.django_db
def test_one_message_per_unit_lists_everything_it_owes(
    as_user,
    plan_2018,
    hq_reviewer,
    jiangxi_staff,
    second_debt,
    outbox,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    with at(LATE):
        response = confirm(
            as_user(hq_reviewer),
            "/notifications/remind/360000/",
            django_capture_on_commit_callbacks,
        )
    assert response.status_code == 200
    assert "已向 江西 发送催办" in response.content.decode()
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["jiangxi_staff@example.cn"]
    assert "【催办】2 项事项逾期未报送" in message.subject
    assert "任务分解报送" in message.body and "第二季度进展报告" in message.body
    assert "2018-06-20 截止（已逾期 5 天）" in message.body
    assert "2018-06-22 截止（已逾期 3 天）" in message.body
    logs = ReminderLog.objects.filter(kind="manual")
    assert [(log.recipient, log.state, log.requested_by) for log in logs] == [
        ("jiangxi_staff@example.cn", "sent", hq_reviewer)
    ]
    assert Notification.objects.filter(user=jiangxi_staff, kind="reminder").count() == 1


@pytest.mark.django_db
def test_chasing_all_late_units_sends_one_message_each(
    as_user,
    plan_2018,
    hq_reviewer,
    jiangxi_staff,
    henan_staff,
    second_debt,
    outbox,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client = as_user(hq_reviewer)
    with at(LATE):
        preview = client.get("/notifications/remind/late/?year=2018").content.decode()
        response = confirm(
            client, "/notifications/remind/late/", django_capture_on_commit_callbacks
        )
    assert "henan_staff@example.cn" in preview and "jiangxi_staff@example.cn" in preview
    assert sorted(m.to[0] for m in outbox) == ["henan_staff@example.cn", "jiangxi_staff@example.cn"]
    assert all("【催办】2 项" in m.subject for m in outbox)
    text = response.content.decode()
    assert re.search(
        "河北[^<]*没有可接收提醒的账号：请在用户管理中为该单位添加省局工作人员账号", text
    )
    assert not re.search("河北[^<]*今天已经催办过", text)
    assert "今天已经催办过" not in text


@pytest.mark.django_db
def test_a_unit_without_recipients_is_told_how_to_fix_and_never_reported_as_chased(
    as_user,
    plan_2018,
    hq_reviewer,
    outbox,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client = as_user(hq_reviewer)
    with at(LATE):
        preview = client.get("/notifications/remind/130000/?year=2018").content.decode()
        first = confirm(client, "/notifications/remind/130000/", django_capture_on_commit_callbacks)
        second = confirm(
            client, "/notifications/remind/130000/", django_capture_on_commit_callbacks
        )
    hint = "河北没有可接收提醒的账号：请在用户管理中为该单位添加省局工作人员账号"
    assert hint in preview
    assert 'name="confirm"' not in preview  # nothing to send: nothing to confirm
    for response in (first, second):
        text = response.content.decode()
        assert hint in text
        assert "今天已经催办过" not in text and "已向" not in text
    assert outbox == [] and not ReminderLog.objects.exists()


@pytest.mark.django_db
def test_a_second_chase_the_same_day_is_refused(
    as_user,
    plan_2018,
    hq_reviewer,
    jiangxi_staff,
    outbox,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client = as_user(hq_reviewer)
    with at(LATE):
        confirm(client, "/notifications/remind/360000/", django_capture_on_commit_callbacks)
        preview = client.get("/notifications/remind/360000/?year=2018").content.decode()
        again = confirm(client, "/notifications/remind/360000/", django_capture_on_commit_callbacks)
    assert len(outbox) == 1
    assert "江西今天已经催办过，请明天再试。" in preview
    assert "江西今天已经催办过，请明天再试。" in again.content.decode()
    with at(date(2018, 6, 26)):
        confirm(client, "/notifications/remind/360000/", django_capture_on_commit_callbacks)
    assert len(outbox) == 2  # the next day, again


@pytest.mark.django_db
def test_chase_preview_query_count_is_fixed(
    as_user,
    plan_2018,
    hq_reviewer,
    jiangxi_staff,
    second_debt,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    client = as_user(hq_reviewer)
    with at(LATE), django_assert_max_num_queries(40) as few:
        assert client.get("/notifications/remind/late/?year=2018").status_code == 200
    for n in range(3):
        Deadline.objects.create(
            plan=plan_2018, kind="other", due_date=date(2018, 6, 21 + n), description=f"报告{n}"
        )
    make_user("henan_staff", Role.PROVINCE_STAFF, "河南")
    with at(LATE), django_assert_num_queries(len(few.captured_queries)):
        assert client.get("/notifications/remind/late/?year=2018").status_code == 200
