"""Registration (任务分解报送): transitions, refusals, validation, pages and API."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from provinces import services
from provinces.models import Registration
from tests.loop.conftest import fill
from tests.loop.test_api import PAYLOAD
from workflow.machine import TransitionRefused, history
from workflow.models import TransitionLog
from workflow.validation import normalise_phone as validate_phone

pytestmark = pytest.mark.django_db

BEFORE_DEADLINE = timezone.make_aware(timezone.datetime(2018, 6, 18, 10, 0))
AFTER_DEADLINE = timezone.make_aware(timezone.datetime(2018, 6, 25, 10, 0))


def test_submit_records_who_and_when(jiangxi_registration, jiangxi_staff):
    with time_machine.travel(BEFORE_DEADLINE):
        services.submit_registration(jiangxi_registration, jiangxi_staff)
    jiangxi_registration.refresh_from_db()
    assert jiangxi_registration.state == Registration.State.SUBMITTED
    assert not jiangxi_registration.is_late
    log = history(jiangxi_registration).get()
    assert (log.transition, log.actor, log.to_state) == ("submit", jiangxi_staff, "submitted")


def test_late_submission_is_allowed_and_recorded(jiangxi_registration, jiangxi_staff):
    with time_machine.travel(AFTER_DEADLINE):
        services.submit_registration(jiangxi_registration, jiangxi_staff)
    jiangxi_registration.refresh_from_db()
    assert jiangxi_registration.state == "submitted" and jiangxi_registration.is_late


def test_incomplete_registration_cannot_be_submitted(jiangxi_task2, jiangxi_staff):
    reg = Registration.objects.create(assignment=jiangxi_task2, work_content="x")
    with pytest.raises(TransitionRefused, match="处级具体负责人"):
        services.submit_registration(reg, jiangxi_staff)
    reg.refresh_from_db()
    assert reg.state == "draft"


def test_return_requires_a_reason(submitted, hq_reviewer):
    with pytest.raises(TransitionRefused, match="理由"):
        services.return_registration(submitted, hq_reviewer, "  ")
    submitted.refresh_from_db()
    assert submitted.state == "submitted"
    assert not TransitionLog.objects.filter(transition="return").exists()


def test_full_cycle_return_resubmit_confirm(submitted, jiangxi_staff, hq_reviewer):
    services.return_registration(submitted, hq_reviewer, "进度安排过于笼统，请细化到月。")
    assert submitted.state == "returned"
    services.submit_registration(submitted, jiangxi_staff)
    assert submitted.state == "resubmitted"
    services.confirm_registration(submitted, hq_reviewer)
    submitted.refresh_from_db()
    assert submitted.state == "confirmed" and submitted.confirmed_at
    assert [h.transition for h in history(submitted)] == ["submit", "return", "submit", "confirm"]
    assert history(submitted)[1].reason == "进度安排过于笼统，请细化到月。"


def test_cannot_submit_twice(submitted, jiangxi_staff):
    with pytest.raises(TransitionRefused):
        services.submit_registration(submitted, jiangxi_staff)


def test_cannot_confirm_a_draft(jiangxi_registration, hq_reviewer):
    with pytest.raises(TransitionRefused, match="草稿"):
        services.confirm_registration(jiangxi_registration, hq_reviewer)
    jiangxi_registration.refresh_from_db()
    assert jiangxi_registration.state == "draft"


def test_reopen_requires_reason_and_confirmed_state(submitted, hq_reviewer):
    with pytest.raises(TransitionRefused):
        services.reopen_registration(submitted, hq_reviewer, "需要修改")
    services.confirm_registration(submitted, hq_reviewer)
    with pytest.raises(TransitionRefused):
        services.reopen_registration(submitted, hq_reviewer, "")
    services.reopen_registration(submitted, hq_reviewer, "联系人已调整，请更新")
    assert submitted.state == "returned"


def test_stale_object_cannot_double_transition(submitted, hq_reviewer, hq_reviewer_2):
    stale = Registration.objects.get(pk=submitted.pk)
    services.confirm_registration(submitted, hq_reviewer)
    with pytest.raises(TransitionRefused, match="已确认"):
        services.return_registration(stale, hq_reviewer_2, "晚了一步")
    assert Registration.objects.get(pk=submitted.pk).state == "confirmed"


@pytest.mark.parametrize(
    "phone", ["13800138000", "010-62086172", "0791-86123456", "01062086172", "010-62086172-123"]
)
def test_valid_phones(phone):
    assert validate_phone(phone)


@pytest.mark.parametrize("phone", ["12345", "62086172", "1380013800", "abc", "010-123"])
def test_invalid_phones(phone):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_phone(phone)


# --- pages --------------------------------------------------------------------------


def form_data(**override):
    data = {
        "work_content": "建设站点",
        "expected_results": "培训 2 期",
        "responsible-name": "李处长",
        "responsible-title": "处长",
        "responsible-phone": "0791-86000000",
        "responsible-email": "li@jxipo.gov.cn",
        "liaison-name": "王联络",
        "liaison-title": "科员",
        "liaison-phone": "13800138000",
        "liaison-email": "wang@jxipo.gov.cn",
        "ms-TOTAL_FORMS": "2",
        "ms-INITIAL_FORMS": "0",
        "ms-MIN_NUM_FORMS": "0",
        "ms-MAX_NUM_FORMS": "1000",
        "ms-0-due_date": "2018-09-30",
        "ms-0-description": "完成站点建设",
        "ms-1-due_date": "",
        "ms-1-description": "",
    }
    data.update(override)
    return data


def test_staff_fill_and_submit_on_the_page(as_user, jiangxi_task2, jiangxi_staff):
    client = as_user(jiangxi_staff)
    url = f"/provinces/assignments/{jiangxi_task2.pk}/"
    response = client.post(url, form_data(submit="1"))
    assert response.status_code == 302
    reg = Registration.objects.get(assignment=jiangxi_task2)
    assert reg.state == "submitted"
    assert reg.contacts.count() == 2 and reg.milestones.count() == 1


def test_bad_phone_and_email_are_explained_and_nothing_saved(as_user, jiangxi_task2, jiangxi_staff):
    client = as_user(jiangxi_staff)
    url = f"/provinces/assignments/{jiangxi_task2.pk}/"
    response = client.post(
        url, form_data(**{"liaison-phone": "12345", "liaison-email": "not-an-email", "submit": "1"})
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "电话号码格式不正确" in page and "邮箱格式不正确" in page
    reg = Registration.objects.filter(assignment=jiangxi_task2).first()
    assert reg is None or (reg.state == "draft" and not reg.contacts.exists())


def test_confirmed_registration_cannot_be_edited(as_user, submitted, jiangxi_staff, hq_reviewer):
    services.confirm_registration(submitted, hq_reviewer)
    client = as_user(jiangxi_staff)
    url = f"/provinces/assignments/{submitted.assignment_id}/"
    response = client.post(url, form_data(work_content="偷偷修改"), follow=True)
    assert "已锁定" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.work_content != "偷偷修改"


def test_other_province_registration_is_404(as_user, submitted, henan_staff):
    client = as_user(henan_staff)
    url = f"/provinces/assignments/{submitted.assignment_id}/"
    assert client.get(url).status_code == 404
    assert client.post(url, form_data()).status_code == 404


def test_staff_cannot_review(as_user, submitted, jiangxi_staff):
    url = f"/provinces/assignments/{submitted.assignment_id}/confirm/"
    assert as_user(jiangxi_staff).post(url).status_code == 404
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_hq_returns_with_reason_and_staff_see_it(as_user, submitted, hq_reviewer, jiangxi_staff):
    url = f"/provinces/assignments/{submitted.assignment_id}/return/"
    as_user(hq_reviewer).post(url, {"reason": ""})
    submitted.refresh_from_db()
    assert submitted.state == "submitted"
    as_user(hq_reviewer).post(url, {"reason": "请补充预期成果的量化指标"})
    submitted.refresh_from_db()
    assert submitted.state == "returned"
    todo = as_user(jiangxi_staff).get("/provinces/todo/").content.decode()
    assert "请补充预期成果的量化指标" in todo
    page = as_user(jiangxi_staff).get(f"/provinces/assignments/{submitted.assignment_id}/")
    assert "请补充预期成果的量化指标" in page.content.decode()


def test_a_returned_registration_shows_one_labelled_schedule(
    as_user, submitted, hq_reviewer, jiangxi_staff
):
    """One editable 进度安排 (not a second read-only copy), rows added in place, every input
    labelled, no input straight inside a <tr>, and 保存草稿 a real button."""
    import re

    services.return_registration(submitted, hq_reviewer, "请细化进度安排")
    page = as_user(jiangxi_staff).get(f"/provinces/assignments/{submitted.assignment_id}/")
    html = page.content.decode()
    assert html.count(">进度安排</h2>") == 1 and 'id="schedule-status"' not in html
    assert 'data-formset-add="ms"' in html and 'id="schedule-row-template"' in html
    assert "ms-__prefix__-due_date" in html  # the empty row the button copies
    assert not re.search(r"<tr>\s*<input", html)
    schedule = html[
        html.index('id="schedule-rows"') : html.index("</tbody>", html.index("schedule-rows"))
    ]
    visible = [a for a in re.findall(r"<input ([^>]*)>", schedule) if 'type="hidden"' not in a]
    assert len(visible) >= 3 * 3  # the saved step and two empty rows
    for attrs in visible:
        input_id = re.search(r'id="([^"]+)"', attrs).group(1)
        assert f'for="{input_id}"' in schedule, input_id
    assert 'name="save" class="secondary"' in html


def test_voluntary_task_must_be_taken_up_first(as_user, plan_2018, jiangxi_staff):
    from provinces.models import Assignment

    a = Assignment.objects.get(task__number=6, province__short_name="江西")
    assert a.kind == "voluntary" and not a.taken_up
    client = as_user(jiangxi_staff)
    url = f"/provinces/assignments/{a.pk}/"
    # Not taken up yet: the page neither saves nor submits, and offers no form.
    assert 'name="work_content"' not in client.get(url).content.decode()
    page = client.post(url, form_data(submit="1"), follow=True).content.decode()
    assert "请先确认开展" in page
    api = client.post(
        "/api/v1/registrations/", {**PAYLOAD, "assignment": a.pk}, content_type="application/json"
    )
    assert api.status_code == 409 and "请先确认开展" in api.json()["detail"]
    assert not Registration.objects.filter(assignment=a).exists()
    # A draft left from before (e.g. the unit withdrew) cannot be submitted either.
    stale = fill(Registration.objects.create(assignment=a))
    submit = client.post(f"/api/v1/registrations/{stale.pk}/submit/")
    assert submit.status_code == 409 and "请先确认开展" in submit.json()["detail"]
    page = client.post(url, form_data(submit="1"), follow=True).content.decode()
    assert "请先确认开展" in page
    stale.refresh_from_db()
    assert stale.state == "draft" and stale.work_content != "建设站点"
    client.post(f"/provinces/assignments/{a.pk}/take-up/")
    a.refresh_from_db()
    assert a.taken_up
    with pytest.raises(TransitionRefused):
        services.take_up_assignment(a, jiangxi_staff)


def test_review_queue_batch(as_user, plan_2018, hq_reviewer, jiangxi_staff, henan_staff, submitted):
    from tests.loop.conftest import fill

    henan = Registration.objects.create(
        assignment=plan_2018.tasks.get(number=2).assignments.get(province__short_name="河南")
    )
    fill(henan)
    services.submit_registration(henan, henan_staff)
    client = as_user(hq_reviewer)
    page = client.get("/provinces/review/").content.decode()
    assert page.index("江西") < page.index("河南")  # oldest first
    client.post(
        "/provinces/review/",
        {"selected": [submitted.pk, henan.pk], "action": "return", "reason": ""},
    )
    assert Registration.objects.filter(state="returned").count() == 0  # reason required
    response = client.post(
        "/provinces/review/",
        {"selected": [submitted.pk, henan.pk], "action": "confirm"},
        follow=True,
    )
    assert Registration.objects.filter(state="confirmed").count() == 2
    said = response.content.decode()
    assert "已确认 2 项任务分解报送：" in said and str(submitted) in said and str(henan) in said


def test_review_queue_filters_select_all_and_asks_first(
    as_user, plan_2018, hq_reviewer, henan_staff, submitted
):
    from tests.loop.conftest import fill

    henan = fill(
        Registration.objects.create(
            assignment=plan_2018.tasks.get(number=3).assignments.get(province__short_name="河南")
        )
    )
    services.submit_registration(henan, henan_staff)
    client = as_user(hq_reviewer)
    page = client.get("/provinces/review/").content.decode()
    assert 'data-select-all="selected"' in page and page.count('name="selected"') == 2
    assert 'data-confirm="确认所选的报送？' in page and 'data-confirm="退回所选的报送？' in page
    assert '<select name="year"' in page and '<select name="task"' in page
    assert '<option value="3">（三）' in page

    def box(reg):
        return f'name="selected" value="{reg.pk}"'

    by_task = client.get("/provinces/review/?year=2018&task=3").content.decode()
    assert box(henan) in by_task and box(submitted) not in by_task
    by_unit = client.get(f"/provinces/review/?province={submitted.assignment.province.code}")
    assert box(submitted) in by_unit.content.decode()
    assert box(henan) not in by_unit.content.decode()
    bad = client.get("/provinces/review/?task=x")  # said on the page, not a 500
    assert bad.status_code == 200 and 'class="errorlist' in bad.content.decode()


def test_review_queue_query_count_is_fixed(
    as_user, plan_2018, hq_reviewer, django_assert_max_num_queries
):
    from provinces.models import Assignment
    from tests.loop.conftest import fill

    client = as_user(hq_reviewer)

    def submit_n(n):
        for a in Assignment.objects.filter(task__number=3, registration__isnull=True)[:n]:
            reg = fill(Registration.objects.create(assignment=a))
            Registration.objects.filter(pk=reg.pk).update(
                state="submitted", submitted_at=timezone.now()
            )

    submit_n(2)
    # 10: the working plan (the user's year) is read once, besides the queue and its filters.
    with django_assert_max_num_queries(10):
        assert client.get("/provinces/review/").status_code == 200
    submit_n(20)
    with django_assert_max_num_queries(10):
        assert client.get("/provinces/review/").status_code == 200


# --- schedule steps marked done after the registration is locked ----------------------


def test_a_confirmed_registrations_step_is_marked_done_and_recorded(
    submitted, jiangxi_staff, hq_reviewer, as_user
):
    services.confirm_registration(submitted, hq_reviewer)
    step = submitted.milestones.first()
    client = as_user(jiangxi_staff)
    with time_machine.travel(timezone.make_aware(timezone.datetime(2018, 9, 30, 10, 0))):
        page = client.get(f"/provinces/assignments/{submitted.assignment_id}/")
        assert f"/provinces/milestones/{step.pk}/done/" in page.content.decode()
        response = client.post(f"/provinces/milestones/{step.pk}/done/", {"done_on": "2018-09-28"})
    assert response.status_code == 302
    step.refresh_from_db()
    assert str(step.done_on) == "2018-09-28" and step.status() == "done"
    submitted.refresh_from_db()
    assert submitted.state == "confirmed"  # the registration itself stays locked
    log = history(submitted).get(transition="complete_milestone")
    assert (log.transition, log.actor, log.transition_label) == (
        "complete_milestone",
        jiangxi_staff,
        "进度完成",
    )
    assert "2018-09-28" in log.reason


def test_marking_a_step_done_refusals(submitted, jiangxi_staff, henan_staff, hq_reviewer, as_user):
    step = submitted.milestones.first()
    url = f"/provinces/milestones/{step.pk}/done/"
    assert as_user(henan_staff).post(url, {"done_on": "2018-06-01"}).status_code == 404
    assert as_user(hq_reviewer).post(url, {"done_on": "2018-06-01"}).status_code == 404
    with time_machine.travel(BEFORE_DEADLINE):
        with pytest.raises(ValidationError, match="不能晚于今天"):  # a bad date: 400, not 409
            services.complete_milestone(step, jiangxi_staff, timezone.datetime(2018, 7, 1).date())
        services.complete_milestone(step, jiangxi_staff)
        with pytest.raises(TransitionRefused, match="已标记完成"):
            services.complete_milestone(step, jiangxi_staff)
        response = as_user(jiangxi_staff).post(url, {"done_on": "不是日期"})
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.done_on == BEFORE_DEADLINE.date()  # the first one stands
    assert history(submitted).filter(transition="complete_milestone").count() == 1


def test_marking_a_step_done_through_the_api(submitted, jiangxi_staff, henan_staff, hq_reviewer):
    from tests.conftest import client_for

    step = submitted.milestones.first()
    url = f"/api/v1/registrations/{submitted.pk}/milestone-done/"
    body = {"milestone": step.pk, "done_on": "2018-06-10"}
    assert client_for(henan_staff).post(url, body).status_code == 404
    assert client_for(hq_reviewer).post(url, body).status_code == 403
    with time_machine.travel(BEFORE_DEADLINE):
        response = client_for(jiangxi_staff).post(url, body)
        assert response.status_code == 200
        done = {m["id"]: m["done_on"] for m in response.json()["milestones"]}
        assert done[step.pk] == "2018-06-10"
        again = client_for(jiangxi_staff).post(url, body)
        assert again.status_code == 409
        other = client_for(jiangxi_staff).post(url, {"milestone": 999999})
        assert other.status_code == 404


# --- last year's contacts, offered when a unit registers in the next year -----------------


@pytest.fixture
def jiangxi_task2_2019(jiangxi_registration, henan_task2, administrator):
    """2019 rolled over from 2018 and published; 江西 (and 河南) registered task 2 in 2018."""
    from provinces.models import Assignment, Contact
    from provinces.plans import rollover_plan

    fill(Registration.objects.create(assignment=henan_task2))
    Contact.objects.filter(registration__assignment=henan_task2).update(name="河南的人")
    plan = rollover_plan(jiangxi_registration.assignment.task.plan, 2019, administrator)
    plan.publish(administrator)
    return Assignment.objects.get(task__plan=plan, task__number=2, province__short_name="江西")


def test_last_years_contacts_are_offered_not_copied(jiangxi_task2_2019, jiangxi_staff, as_user):
    client = as_user(jiangxi_staff)
    page = client.get(f"/provinces/assignments/{jiangxi_task2_2019.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "上一年度联系人" in body and "沿用上一年度联系人" in body
    assert "李处长" in body and "王联络" in body and "河南的人" not in body
    forms = page.context["contacts"]
    assert forms["responsible"]["name"].value() in (None, "")  # nothing filled unasked
    assert not Registration.objects.filter(assignment=jiangxi_task2_2019).exists()

    asked = client.get(f"/provinces/assignments/{jiangxi_task2_2019.pk}/?contacts=last")
    forms = asked.context["contacts"]
    assert forms["responsible"]["name"].value() == "李处长"
    assert forms["liaison"]["email"].value() == "wang@jxipo.gov.cn"
    assert not Registration.objects.filter(assignment=jiangxi_task2_2019).exists()  # not saved


def test_no_contacts_are_offered_in_the_first_year(jiangxi_registration, jiangxi_staff, as_user):
    from provinces.services import last_years_contacts

    assert last_years_contacts(jiangxi_registration.assignment) == []
    page = as_user(jiangxi_staff).get(
        f"/provinces/assignments/{jiangxi_registration.assignment_id}/"
    )
    assert page.status_code == 200 and "沿用上一年度联系人" not in page.content.decode()
