"""Next year's plan in the summary: work ideas, key points and a plan per task, which
pre-fill the unit's registrations when the next year's plan is published."""

from __future__ import annotations

import pytest
from django.db.models import F

from planning.models import Plan
from provinces.models import Assignment, Registration
from provinces.plans import rollover_plan
from reporting import services
from reporting.demo import TEXT
from reporting.models import AnnualSummary, NextYearTaskPlan
from workflow.machine import TransitionRefused, history
from workflow.review import save_draft

pytestmark = pytest.mark.django_db
URL = "/reporting/2018/summaries/360000/"


def formset(rows: list[dict], prefix: str = "tp", initial: int = 0) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial)}
    data.update({f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def jiangxi_tasks(plan) -> list[int]:
    return list(
        Assignment.objects.filter(task__plan=plan, province__short_name="江西", taken_up=True)
        .order_by("task__number")
        .values_list("task__number", flat=True)
    )


def handed_in_summary(plan, staff, rows: list[tuple[int, str, str]]) -> AnnualSummary:
    tasks = {t.number: t for t in plan.tasks.all()}
    summary = save_draft(
        AnnualSummary(plan=plan, province=staff.province),
        staff,
        TEXT,
        {
            "task_plans": [
                NextYearTaskPlan(
                    task_number=n,
                    task_title=tasks[n].title,
                    work_content=content,
                    expected_results=results,
                    schedule="上半年启动，下半年总结",
                )
                for n, content, results in rows
            ]
        },
    )
    services.submit_summary(summary, staff)
    return summary


def test_the_summary_page_saves_ideas_key_points_and_a_plan_per_task(
    plan_2018, jiangxi_staff, as_user
):
    client = as_user(jiangxi_staff)
    page = client.get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-formset-add="tp"' in body and "task-plan-row-template" in body
    first, second = plan_2018.tasks.order_by("number")[:2]
    rows = [
        {
            "choice": first.pk,
            "work_content": "继续建设服务站点",
            "expected_results": "新增站点 3 个",
        },
        {"choice": second.pk, "work_content": "举办培训班", "expected_results": "", "schedule": ""},
        {"choice": "", "work_content": "", "expected_results": "", "schedule": ""},  # an empty row
    ]
    response = client.post(URL, {**TEXT, **formset(rows), "save": "1"}, follow=True)
    assert response.status_code == 200 and "已保存草稿" in response.content.decode()
    summary = AnnualSummary.objects.get(plan=plan_2018, province=jiangxi_staff.province)
    assert summary.next_year_ideas == TEXT["next_year_ideas"]
    assert summary.next_year_key_points == TEXT["next_year_key_points"]
    saved = list(
        summary.task_plans.values_list("task_number", "task_title", "task", "work_content")
    )
    assert saved == [
        (first.number, first.title, None, "继续建设服务站点"),  # no 2019 plan yet: 2018's task
        (second.number, second.title, None, "举办培训班"),
    ]
    # Saved again with the first row deleted: the rows are replaced as the formset says.
    kept = list(summary.task_plans.order_by("task_number"))
    rows = [
        {"id": kept[0].pk, "choice": first.pk, "work_content": "x", "DELETE": "on"},
        {"id": kept[1].pk, "choice": second.pk, "work_content": "举办培训班 4 期"},
    ]
    client.post(URL, {**TEXT, **formset(rows, initial=2), "save": "1"})
    assert list(summary.task_plans.values_list("task_number", "work_content")) == [
        (second.number, "举办培训班 4 期")
    ]


def test_a_task_plan_without_work_content_is_refused_and_nothing_is_saved(
    plan_2018, jiangxi_staff, as_user
):
    task = plan_2018.tasks.order_by("number").first()
    rows = [{"choice": task.pk, "work_content": "", "expected_results": "成果"}]
    response = as_user(jiangxi_staff).post(URL, {**TEXT, **formset(rows), "save": "1"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "请填写该任务的工作内容" in body and "请更正下面标出的错误" in body
    assert not AnnualSummary.objects.exists() and not NextYearTaskPlan.objects.exists()


def test_task_plans_of_a_submitted_summary_are_locked(plan_2018, jiangxi_staff):
    n = jiangxi_tasks(plan_2018)[0]
    summary = handed_in_summary(plan_2018, jiangxi_staff, [(n, "内容", "成果")])
    with pytest.raises(TransitionRefused, match="已锁定"):
        save_draft(summary, jiangxi_staff, {}, {"task_plans": []})
    assert summary.task_plans.count() == 1


def test_publishing_next_year_prefills_empty_registrations_and_keeps_written_ones(
    plan_2018, jiangxi_staff, henan_staff, administrator
):
    first, second, *_ = jiangxi_tasks(plan_2018)
    handed_in_summary(
        plan_2018,
        jiangxi_staff,
        [(first, "继续建设服务站点", "新增站点 3 个"), (second, "举办培训班", "培训 200 人次")],
    )
    # 河南's summary is a draft: it pre-fills nothing.
    henan_task = Assignment.objects.filter(task__plan=plan_2018, province=henan_staff.province)[0]
    save_draft(
        AnnualSummary(plan=plan_2018, province=henan_staff.province),
        henan_staff,
        TEXT,
        {
            "task_plans": [
                NextYearTaskPlan(
                    task_number=henan_task.task.number,
                    task_title=henan_task.task.title,
                    work_content="草稿中的计划",
                )
            ]
        },
    )
    plan_2019 = rollover_plan(plan_2018, 2019, administrator)
    written = Assignment.objects.get(
        task__plan=plan_2019, task__number=second, province__short_name="江西"
    )
    # 江西 already wrote its second task's registration while 2019 was a draft (as the system
    # would for a demo); it must be kept as it is.
    save_draft(Registration(assignment=written), None, {"work_content": "本单位自己写的"})

    plan_2019.publish(administrator)

    filled = Registration.objects.get(
        assignment__task__plan=plan_2019,
        assignment__task__number=first,
        assignment__province__short_name="江西",
    )
    assert (filled.state, filled.work_content, filled.expected_results) == (
        "draft",
        "继续建设服务站点",
        "新增站点 3 个",
    )
    assert [h.transition for h in history(filled)] == ["prefill"]
    assert "2018年度工作总结" in history(filled)[0].reason
    kept = Registration.objects.get(assignment=written)
    assert (kept.work_content, kept.expected_results) == ("本单位自己写的", "")
    assert not Registration.objects.filter(
        assignment__task__plan=plan_2019, assignment__province=henan_staff.province
    ).exists()
    assert not Registration.objects.filter(assignment__task__plan=plan_2018).exists()
    # Again (idempotent): nothing empty is left to fill, nothing is overwritten.
    again = services.prefill_registrations(plan_2019)
    assert again.filled == [] and {r.pk for r in again.kept} == {filled.pk, kept.pk}


def test_a_renumbered_task_is_found_by_its_title(plan_2018, jiangxi_staff, administrator):
    first = jiangxi_tasks(plan_2018)[0]
    handed_in_summary(plan_2018, jiangxi_staff, [(first, "按名称找到的任务", "")])
    plan_2019 = rollover_plan(plan_2018, 2019, administrator)
    moved = plan_2019.tasks.get(number=first)
    plan_2019.tasks.filter(number__gte=first).update(
        number=F("number") + 20
    )  # a new notice renumbers
    moved.refresh_from_db()
    plan_2019.publish(administrator)
    registration = Registration.objects.get(
        assignment__task=moved, assignment__province__short_name="江西"
    )
    assert registration.work_content == "按名称找到的任务"


def test_once_next_year_is_published_the_summary_page_offers_its_tasks(
    plan_2018, jiangxi_staff, administrator, as_user
):
    plan_2019 = rollover_plan(plan_2018, 2019, administrator)
    plan_2019.publish(administrator)
    page = as_user(jiangxi_staff).get(URL)
    assert page.status_code == 200
    choices = page.context["task_plans"].forms[0].fields["choice"].choices
    assert {pk for pk, _label in choices if pk} == set(plan_2019.tasks.values_list("pk", flat=True))
    assert Plan.objects.preceding(2019) == plan_2018 and Plan.objects.preceding(2018) is None
