"""Rollover: next year's draft plan made from this year's, by the service, the command and the page."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from planning.models import Deadline, Plan, Target, Task, TaskItem, Track
from planning.services import moved_by_years
from provinces.models import Assignment, PlanUnit
from provinces.plans import RolloverRefused, rollover_plan
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


def snapshot(plan: Plan) -> dict:
    """Everything of a plan a rollover could touch, as plain values."""
    return {
        "plan": Plan.objects.filter(pk=plan.pk).values().get(),
        "tasks": list(Task.objects.filter(plan=plan).values().order_by("pk")),
        "items": list(TaskItem.objects.filter(task__plan=plan).values().order_by("pk")),
        "tracks": list(
            Track.objects.filter(task__plan=plan).values("pk", "code", "items").order_by("pk")
        ),
        "targets": list(Target.objects.filter(task__plan=plan).values().order_by("pk")),
        "deadlines": list(Deadline.objects.filter(plan=plan).values().order_by("pk")),
        "units": list(PlanUnit.objects.filter(plan=plan).values().order_by("pk")),
        "assignments": list(Assignment.objects.filter(task__plan=plan).values().order_by("pk")),
    }


def test_moved_by_years_keeps_the_day_and_turns_29_february_into_28():
    assert moved_by_years(date(2018, 6, 20), 8) == date(2026, 6, 20)
    assert moved_by_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert moved_by_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert moved_by_years(None, 1) is None


def test_rollover_makes_a_draft_with_everything_moved_and_leaves_2018_untouched(
    plan_2018, administrator
):
    before = snapshot(plan_2018)
    plan = rollover_plan(plan_2018, 2019, administrator)

    assert plan.year == 2019 and plan.state == Plan.State.DRAFT
    assert "2019" in plan.title and "2018" not in plan.title
    assert plan.source_text == "" and plan.hand_mappings == []
    assert snapshot(plan_2018) == before

    old_tasks = {t.number: t for t in plan_2018.tasks.all()}
    new_tasks = {t.number: t for t in plan.tasks.all()}
    assert set(new_tasks) == set(old_tasks) and new_tasks
    assert {n for n, t in new_tasks.items() if t.funded} == {1, 2, 4, 5, 6, 7, 8}
    for number, task in new_tasks.items():
        old = old_tasks[number]
        assert task.title == old.title and task.bases_only == old.bases_only
        assert (task.funded, task.guided, task.funding_mode) == (
            old.funded,
            old.guided,
            old.funding_mode,
        )
        assert list(task.items.values_list("number", "text")) == list(
            old.items.values_list("number", "text")
        )
        assert sorted(
            (t.code, t.base_level, sorted(t.items.values_list("number", flat=True)))
            for t in task.tracks.all()
        ) == sorted(
            (t.code, t.base_level, sorted(t.items.values_list("number", flat=True)))
            for t in old.tracks.all()
        )
        # Targets point at the new year's items, never at 2018's.
        assert sorted(
            (t.description, t.minimum, t.item.number if t.item else None)
            for t in task.targets.all()
        ) == sorted(
            (t.description, t.minimum, t.item.number if t.item else None) for t in old.targets.all()
        )
        assert not task.targets.exclude(item__isnull=True).exclude(item__task=task).exists()
        assert not task.tracks.filter(items__task=old).exists()

    old_deadlines = sorted(
        (d.kind, d.task.number if d.task else None, d.due_date, d.description)
        for d in plan_2018.deadlines.all()
    )
    new_deadlines = sorted(
        (d.kind, d.task.number if d.task else None, d.due_date, d.description)
        for d in plan.deadlines.all()
    )
    assert new_deadlines == [
        (kind, task, day.replace(year=day.year + 1), text)
        for kind, task, day, text in old_deadlines
    ]
    assert not plan.deadlines.exclude(task__isnull=True).exclude(task__plan=plan).exists()

    # Bases and executing units come along as the proposal.
    assert PlanUnit.objects.bases(plan) == PlanUnit.objects.bases(plan_2018)
    assert PlanUnit.objects.bases(plan)

    def units(p):
        return sorted(
            Assignment.objects.filter(task__plan=p).values_list(
                "task__number", "province__code", "kind", "track__code"
            )
        )

    assert units(plan) == units(plan_2018) and units(plan)
    assert (
        not Assignment.objects.filter(task__plan=plan)
        .exclude(track__isnull=True)
        .exclude(track__task__plan=plan)
        .exists()
    )
    log = TransitionLog.objects.for_object(plan).get()
    assert log.transition == "rollover" and log.actor == administrator


def test_editing_the_rolled_over_bases_leaves_2018_alone(plan_2018):
    plan = rollover_plan(plan_2018, 2019, None)
    bases_2018 = PlanUnit.objects.bases(plan_2018)
    PlanUnit.objects.filter(plan=plan).update(base_level="")
    assert PlanUnit.objects.bases(plan) == {}
    assert PlanUnit.objects.bases(plan_2018) == bases_2018


def test_rollover_refuses_a_year_that_already_has_a_plan_and_changes_nothing(plan_2018):
    existing = Plan.objects.create(year=2019, title="2019年度计划")
    counts = (Task.objects.count(), Deadline.objects.count(), Assignment.objects.count())
    with pytest.raises(RolloverRefused, match="2019年度工作计划已存在"):
        rollover_plan(plan_2018, 2019, None)
    assert (Task.objects.count(), Deadline.objects.count(), Assignment.objects.count()) == counts
    assert list(Plan.objects.values_list("pk", flat=True).order_by("year")) == [
        plan_2018.pk,
        existing.pk,
    ]
    with pytest.raises(RolloverRefused, match="应晚于2018年"):
        rollover_plan(plan_2018, 2017, None)
    assert Plan.objects.count() == 2


def test_the_command_rolls_over_and_refuses_with_a_clear_message(plan_2018, capsys):
    call_command("rollover_plan", "2018", "2020")
    plan = Plan.objects.get(year=2020)
    assert plan.state == Plan.State.DRAFT
    assert "已由2018年度结转" in capsys.readouterr().out
    assert set(plan.deadlines.values_list("due_date__year", flat=True)) == {2020}
    with pytest.raises(CommandError, match="2020年度工作计划已存在"):
        call_command("rollover_plan", "2018", "2020")
    with pytest.raises(CommandError, match="2017年度工作计划不存在"):
        call_command("rollover_plan", "2017", "2021")
    assert Plan.objects.count() == 2


def test_the_plan_page_rolls_over_for_administrators_after_confirmation(
    as_user, plan_2018, administrator, hq_reviewer
):
    page = as_user(administrator).get("/plans/2018/")
    assert 'id="plan-rollover"' in page.content.decode()
    assert 'id="plan-rollover"' not in as_user(hq_reviewer).get("/plans/2018/").content.decode()

    # Without the confirmation, or with a bad year, nothing is made.
    client = as_user(administrator)
    response = client.post("/plans/2018/rollover/", {"to_year": "2019"}, follow=True)
    assert "请勾选确认后再结转" in response.content.decode()
    response = client.post(
        "/plans/2018/rollover/", {"to_year": "明年", "confirm": "1"}, follow=True
    )
    assert "请填写结转的目标年度" in response.content.decode()
    assert not Plan.objects.filter(year=2019).exists()

    response = client.post("/plans/2018/rollover/", {"to_year": "2019", "confirm": "1"})
    assert response.status_code == 302 and response.url == "/plans/2019/"
    assert Plan.objects.get(year=2019).state == Plan.State.DRAFT

    response = client.post(
        "/plans/2018/rollover/", {"to_year": "2019", "confirm": "1"}, follow=True
    )
    assert "2019年度工作计划已存在" in response.content.decode()
    assert Plan.objects.count() == 2

    # HQ reviewers who are not administrators may not roll over (the house answers 404).
    denied = as_user(hq_reviewer).post("/plans/2018/rollover/", {"to_year": "2020", "confirm": "1"})
    assert denied.status_code == 404
    assert not Plan.objects.filter(year=2020).exists()


def test_importing_the_new_years_notice_after_a_rollover_updates_the_draft_in_place(plan_2018):
    from planning.models import Deadline, Task
    from provinces.plans import import_plan
    from tests.test_plan_import import another_year

    rolled = rollover_plan(plan_2018, 2019, None)
    first_task = rolled.tasks.get(number=1).pk
    result = import_plan(another_year(plan_2018.source_text))
    plan = result.plan
    assert plan.pk == rolled.pk and plan.state == Plan.State.DRAFT
    assert list(Plan.objects.filter(year=2019)) == [plan]
    assert plan.document_number == "国知办函办字〔2019〕17号"
    # the notice's tasks, updated in place (the same rows); nothing points elsewhere
    assert set(range(1, 10)) <= set(plan.tasks.values_list("number", flat=True))
    assert plan.tasks.get(number=1).pk == first_task
    assert not Task.objects.filter(plan__isnull=True).exists()
    assert not Assignment.objects.filter(task__plan=plan).exclude(province__isnull=False).exists()
    assert not Deadline.objects.filter(task__plan=plan).exclude(plan=plan).exists()
    assert (
        not Deadline.objects.filter(plan=plan, task__isnull=False).exclude(task__plan=plan).exists()
    )
    # 2018 untouched
    assert plan_2018.tasks.count() == 10


def test_a_task_the_new_notice_drops_leaves_the_rolled_over_draft(plan_2018):
    from provinces.plans import import_plan
    from tests.test_plan_import import another_year

    rollover_plan(plan_2018, 2019, None)
    plan = import_plan(another_year(plan_2018.source_text)).plan
    assert plan.tasks.count() == 9
    assert plan_2018.tasks.count() == 10  # 2018 keeps its ten
    assert not plan.tasks.filter(number=10).exists()
