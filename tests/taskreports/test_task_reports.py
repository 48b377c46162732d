"""Typed task reports: defined by HQ, owed by the task's units, reminded, submitted,
returned with a reason, resubmitted and confirmed; values checked alike on page and API."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail

from notifications.obligations import everything_owed
from notifications.services import sweep
from provinces import services
from provinces.models import TaskReport
from tests.conftest import client_for, make_user

from .conftest import good_values, keys

pytestmark = pytest.mark.django_db


def owed_keys(plan, short_name: str) -> set[str]:
    return {o.key for o in everything_owed(plan) if o.province.short_name == short_name}


def reminded_about_task7(user) -> list:
    return [
        m
        for m in mail.outbox
        if user.email in m.to and "众创空间专利信息服务效果评价指标" in m.body
    ]


def form_data(definition, values: dict[str, str]) -> dict[str, str]:
    return {f"f{key}": value for key, value in values.items()}


def test_the_whole_loop_from_definition_to_confirmation(
    plan_2018, task7_report, jiangxi_staff, hq_reviewer
):
    key = f"task-report:{task7_report.pk}"
    assert key in owed_keys(plan_2018, "江西")
    assert key not in owed_keys(plan_2018, "河南")  # 河南 does not carry task 7

    mail.outbox.clear()
    sweep(today=date(2018, 11, 23))  # 7 days before: the definition's own offsets
    assert reminded_about_task7(jiangxi_staff)
    mail.outbox.clear()
    sweep(today=date(2018, 11, 27))  # 3 days before: not one of "7,1"
    assert not reminded_about_task7(jiangxi_staff)

    staff = client_for(jiangxi_staff)
    url = f"/provinces/task-reports/{task7_report.pk}/"
    response = staff.post(
        url, {**form_data(task7_report, good_values(task7_report)), "submit": "1"}
    )
    assert response.status_code == 302
    report = TaskReport.objects.get(definition=task7_report, province=jiangxi_staff.province)
    assert report.state == "submitted"
    assert report.values[keys(task7_report)[0]] == 12
    assert report.values[keys(task7_report)[1]] == "35.50"  # a decimal kept as text, exactly
    assert key not in owed_keys(plan_2018, "江西")

    hq = client_for(hq_reviewer)
    action = f"/provinces/task-reports/submissions/{report.pk}/"
    hq.post(action + "return/", {"reason": ""})
    report.refresh_from_db()
    assert report.state == "submitted"  # a return needs a reason
    hq.post(action + "return/", {"reason": "请补充服务经费的来源。"})
    report.refresh_from_db()
    assert report.state == "returned"
    assert key in owed_keys(plan_2018, "江西")  # owed again
    page = staff.get(url)
    assert "请补充服务经费的来源。" in page.content.decode()
    assert jiangxi_staff.notifications.filter(kind="returned").exists()

    staff.post(url, {**form_data(task7_report, good_values(task7_report)), "submit": "1"})
    report.refresh_from_db()
    assert report.state == "resubmitted"
    hq.post(action + "confirm/", {})
    report.refresh_from_db()
    assert report.state == "confirmed" and report.confirmed_at is not None
    page = staff.get(url)
    assert page.status_code == 200 and 'id="task-report-form"' not in page.content.decode()


def test_a_required_field_is_asked_at_submission_not_for_a_draft(task7_report, jiangxi_staff):
    staff = client_for(jiangxi_staff)
    url = f"/provinces/task-reports/{task7_report.pk}/"
    count = keys(task7_report)[0]
    staff.post(url, {f"f{count}": "3"})
    report = TaskReport.objects.get(definition=task7_report)
    assert report.state == "draft" and report.values == {count: 3}
    response = staff.post(url, {f"f{count}": "3", "submit": "1"}, follow=True)
    report.refresh_from_db()
    assert report.state == "draft"
    assert "服务经费（万元）" in response.content.decode()


BAD = [
    (0, "12.5", "请填写整数。"),
    (0, "-1", "不能为负数。"),
    (1, "abc", "请填写数字"),
    (1, "1e400", "数值超出范围"),
    (2, "2018/11/20", "请按“2018-11-30”的格式填写日期。"),
]


@pytest.mark.parametrize("index,value,message", BAD)
def test_field_validation_is_the_same_on_the_page_and_the_api(
    task7_report, jiangxi_staff, index, value, message
):
    key = keys(task7_report)[index]
    page = client_for(jiangxi_staff).post(
        f"/provinces/task-reports/{task7_report.pk}/", {f"f{key}": value}
    )
    assert page.status_code == 200
    assert message in page.content.decode()
    api = client_for(jiangxi_staff).post(
        "/api/v1/task-report-submissions/",
        {"definition": task7_report.pk, "values": {key: value}},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert message in str(api.json()["values"][key])
    assert not TaskReport.objects.exists()


def test_the_api_refuses_a_field_the_definition_does_not_have(task7_report, jiangxi_staff):
    api = client_for(jiangxi_staff).post(
        "/api/v1/task-report-submissions/",
        {"definition": task7_report.pk, "values": {"999999": "1"}},
        content_type="application/json",
    )
    assert api.status_code == 400


def test_the_api_loop_submit_return_confirm(task7_report, jiangxi_staff, hq_reviewer):
    staff, hq = client_for(jiangxi_staff), client_for(hq_reviewer)
    created = staff.post(
        "/api/v1/task-report-submissions/",
        {"definition": task7_report.pk, "values": good_values(task7_report)},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    base = f"/api/v1/task-report-submissions/{pk}/"
    assert staff.post(base + "submit/").json()["state"] == "submitted"
    assert hq.post(base + "return/", {}, content_type="application/json").status_code == 409
    returned = hq.post(base + "return/", {"reason": "请补充"}, content_type="application/json")
    assert returned.json()["state"] == "returned"
    assert staff.post(base + "submit/").json()["state"] == "resubmitted"
    assert hq.post(base + "confirm/").json()["state"] == "confirmed"
    assert staff.patch(base, {"values": {}}, content_type="application/json").status_code == 409
    assert staff.post(base + "return/").status_code == 403  # HQ's verb


def test_another_units_submission_answers_404(task7_report, jiangxi_staff, henan_staff):
    report = services.save_task_report(
        TaskReport(definition=task7_report, province=jiangxi_staff.province),
        jiangxi_staff,
        good_values(task7_report),
    )
    other = client_for(henan_staff)
    assert other.get(f"/provinces/task-reports/submissions/{report.pk}/").status_code == 404
    assert other.get(f"/api/v1/task-report-submissions/{report.pk}/").status_code == 404
    # 河南 may take task 7 up (voluntary) and so sees the definition, but has nothing to file
    page = other.get(f"/provinces/task-reports/{task7_report.pk}/")
    assert page.status_code == 200
    assert 'id="task-report-form"' not in page.content.decode()


def test_a_unit_that_does_not_carry_the_task_cannot_file(task7_report, henan_staff):
    response = client_for(henan_staff).post(
        "/api/v1/task-report-submissions/",
        {"definition": task7_report.pk, "values": {}},
        content_type="application/json",
    )
    assert response.status_code == 409  # 河南 has not taken task 7 up
    assert "未开展该任务" in response.json()["detail"]


def test_defining_a_report_is_hqs(plan_2018, hq_reviewer, jiangxi_staff):
    data = {
        "year": "2018",
        "task": plan_2018.tasks.get(number=3).pk,
        "title": "网点开展专利信息服务情况",
        "due_date": "2018-12-15",
        "reminder_offsets": "14,7,1",
        "fields-TOTAL_FORMS": "2",
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "1",
        "fields-MAX_NUM_FORMS": "1000",
        "fields-0-label": "服务人次",
        "fields-0-kind": "integer",
        "fields-0-required": "on",
        "fields-0-order": "1",
        "fields-1-label": "",
        "fields-1-kind": "text",
        "fields-1-order": "2",
    }
    assert client_for(jiangxi_staff).post("/provinces/task-reports/new/", data).status_code == 404
    response = client_for(hq_reviewer).post("/provinces/task-reports/new/", data)
    assert response.status_code == 302, [
        (f.errors, f.non_field_errors()) for f in response.context["fields"]
    ] + [response.context["form"].errors, response.context["fields"].non_form_errors()]
    definition = plan_2018.tasks.get(number=3).report_definitions.get()
    assert [f.label for f in definition.fields.all()] == ["服务人次"]
    assert definition.offsets == (14, 7, 1)


def test_the_todo_and_the_board_show_what_is_owed(
    plan_2018, task7_report, jiangxi_staff, hq_reviewer
):
    todo = client_for(jiangxi_staff).get("/provinces/todo/?year=2018")
    assert "众创空间专利信息服务效果评价指标" in todo.content.decode()
    board = client_for(hq_reviewer).get("/provinces/board/?year=2018")
    assert "众创空间专利信息服务效果评价指标" in board.content.decode()


def test_an_expert_sees_no_task_reports(task7_report, expert):
    assert client_for(expert).get("/api/v1/task-reports/").status_code == 403
    assert client_for(expert).get("/provinces/task-reports/").status_code == 404


@pytest.mark.parametrize("units", [2, 4])
def test_the_lists_take_a_fixed_number_of_queries(
    task7_report, hq_reviewer, django_assert_max_num_queries, units
):
    from provinces.models import Assignment

    carrying = list(Assignment.objects.filter(task=task7_report.task, taken_up=True)[:units])
    for a in carrying:
        staff = make_user(f"s{a.province.code}", "province_staff", a.province.short_name)
        services.save_task_report(
            TaskReport(definition=task7_report, province=a.province),
            staff,
            good_values(task7_report),
        )
    hq = client_for(hq_reviewer)
    with django_assert_max_num_queries(12):
        assert hq.get("/provinces/task-reports/?year=2018").status_code == 200
    with django_assert_max_num_queries(12):
        assert hq.get(f"/provinces/task-reports/{task7_report.pk}/").status_code == 200
    with django_assert_max_num_queries(8):
        response = hq.get("/api/v1/task-report-submissions/?year=2018")
    assert response.status_code == 200 and response.json()["count"] == units
    with django_assert_max_num_queries(8):
        assert hq.get("/api/v1/task-reports/?year=2018").status_code == 200
