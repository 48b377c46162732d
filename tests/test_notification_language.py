"""A notification is stored untranslated and read in the reader's language.

The page shows it in the page's language; the mail in the recipient's ``User.language``,
whatever language the person who acted was using.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext_noop

from accounts.models import Role, User
from notifications import inbox
from notifications.models import Notification
from planning.models import Plan, PlanState
from provinces.models import Assignment, Registration
from provinces.services import return_registration
from tests.conftest import client_for, make_user
from workflow.machine import apply_transition

pytestmark = pytest.mark.django_db

RETURNED_EN = "Registration for task (二) returned for revision: 进度安排过于笼统"
RETURNED_ZH = "任务（二）分解报送被退回修改：进度安排过于笼统"


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def english_reader(db) -> User:
    user = make_user("jiangxi_en", Role.PROVINCE_STAFF, "江西")
    user.language = "en"
    user.save()
    return user


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def returned_registration(plan, staff, hq_reviewer) -> None:
    assignment = Assignment.objects.get(task__number=2, province=staff.province)
    registration = Registration.objects.create(assignment=assignment)
    apply_transition(registration, name="submit", source=["draft"], target="submitted", actor=staff)
    with translation.override("zh-hans"):  # the reviewer works in Chinese
        return_registration(registration, hq_reviewer, "进度安排过于笼统")


def test_one_message_is_read_in_each_readers_language(
    plan_2018,
    jiangxi_staff,
    english_reader,
    hq_reviewer,
    outbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        returned_registration(plan_2018, jiangxi_staff, hq_reviewer)

    stored = Notification.objects.get(user=english_reader)
    assert stored.msgid == "任务（%(task)s）分解报送被退回修改：%(reason)s"
    assert stored.params == {"task": "二", "reason": "进度安排过于笼统"}

    english_page = in_english(client_for(english_reader)).get("/notifications/")
    chinese_page = client_for(jiangxi_staff).get("/notifications/")
    assert english_page.status_code == chinese_page.status_code == 200
    assert RETURNED_EN in english_page.content.decode()
    assert RETURNED_ZH not in english_page.content.decode()
    assert RETURNED_ZH in chinese_page.content.decode()
    assert RETURNED_EN not in chinese_page.content.decode()

    mails = {m.to[0]: m for m in outbox}
    english_mail, chinese_mail = mails[english_reader.email], mails[jiangxi_staff.email]
    assert english_mail.subject == "[Patent information programme] " + RETURNED_EN[:60]
    assert RETURNED_EN in english_mail.body and "All notifications" in english_mail.body
    assert RETURNED_EN in english_mail.alternatives[0][0]
    assert chinese_mail.subject.startswith("【专利信息传播利用】任务（二）分解报送被退回修改")
    assert RETURNED_ZH in chinese_mail.body and RETURNED_ZH in chinese_mail.alternatives[0][0]
    assert "Registration" not in chinese_mail.body


def test_the_mail_follows_the_recipient_not_the_sender(
    english_reader, outbox, django_capture_on_commit_callbacks
):
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        inbox.notify(
            [english_reader],
            "confirmed",
            gettext_noop("任务（%(task)s）分解报送已确认。"),
            params={"task": "一"},
        )
    assert [m.subject for m in outbox] == [
        "[Patent information programme] Registration for task (一) confirmed."
    ]
    english_reader.language = "zh-hans"
    english_reader.save()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        inbox.notify(
            [english_reader],
            "confirmed",
            gettext_noop("任务（%(task)s）分解报送已确认。"),
            params={"task": "三"},
        )
    assert outbox[1].subject == "【专利信息传播利用】任务（三）分解报送已确认。"


def test_a_state_label_is_stored_as_its_value_and_read_as_its_label(jiangxi_staff):
    message = gettext_noop("年度计划状态已改为“%(state)s”。")
    with translation.override("en"):
        inbox.notify(
            [jiangxi_staff],
            "plan",
            message,
            params={"state": inbox.choice(Plan, "state", PlanState.CLOSED)},
        )
        inbox.notify([jiangxi_staff], "plan", message, params={"state": PlanState.PUBLISHED})
    by_label, by_choice = Notification.objects.filter(user=jiangxi_staff).order_by("-pk")
    assert by_label.params == {"state": {"msgid": "已发布"}}
    assert by_choice.params == {"state": {"choice": "planning.plan.state", "value": "closed"}}
    with translation.override("zh-hans"):
        assert by_choice.text == "年度计划状态已改为“已结束”。"
        assert by_label.text == "年度计划状态已改为“已发布”。"
    with translation.override("en"):
        assert by_choice.text == "The plan is now “Closed”."
        assert by_label.text == "The plan is now “Published”."


def test_old_rows_without_a_message_id_still_display(jiangxi_staff):
    old = Notification.objects.create(
        user=jiangxi_staff, kind="decision", message="2018 年度工作总结已确认。"
    )
    with translation.override("en"):
        assert old.text == "2018 年度工作总结已确认。"
    page = in_english(client_for(jiangxi_staff)).get("/notifications/")
    assert page.status_code == 200 and "2018 年度工作总结已确认。" in page.content.decode()


def test_the_reader_chooses_the_mail_language_with_the_notification_preference(
    jiangxi_staff,
):
    assert jiangxi_staff.language == settings.LANGUAGE_CODE == "zh-hans"
    client = client_for(jiangxi_staff)
    response = client.post("/notifications/", {"notify_by": "daily", "language": "en"})
    assert response.status_code == 302
    jiangxi_staff.refresh_from_db()
    assert (jiangxi_staff.notify_by, jiangxi_staff.language) == ("daily", "en")
    refused = client.post("/notifications/", {"notify_by": "daily", "language": "fr"})
    assert refused.status_code == 200
    jiangxi_staff.refresh_from_db()
    assert jiangxi_staff.language == "en"
