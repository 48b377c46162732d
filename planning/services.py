"""Verbs of the planning app on a plan's own content: save what the notice said (the plan, its
tasks, items, tracks, targets and deadlines), copy a plan into a later year.

Planning knows no unit: who carries a plan (bases, assignments) is written by
``provinces.plans``, which composes these verbs with the units' part (the notice import and
the rollover as a whole live there)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import models, transaction
from django.utils.translation import gettext as _

from workflow.machine import TransitionRefused

from .models import Deadline, Plan, Target, Task, TaskItem, Track
from .notice import NoticeError, ParsedPlan

__all__ = [
    "PlanCopy",
    "RolloverRefused",
    "SavedPlan",
    "copy_plan",
    "copy_row",
    "moved_by_years",
    "relink_rolled_tasks",
    "save_plan_content",
    "set_task_support",
]


@dataclass
class SavedPlan:
    """What :func:`save_plan_content` wrote: the plan, and for each task of the notice (by
    number) the task and, by province code, the track that province carries."""

    plan: Plan
    created: bool
    tasks: dict[int, Task]
    tracks_by_province: dict[int, dict[str, Track]]


def save_plan_content(parsed: ParsedPlan) -> SavedPlan:
    """Save the plan's own part of what was understood (not who carries it); refuses while a
    sentence not understood awaits a decision. Call inside a transaction."""
    if parsed.undecided:
        first = parsed.undecided[0]
        raise NoticeError(
            _(
                "有 %(n)d 句未能理解（第一句在%(place)s：%(why)s），须在导入预览中逐句指定为"
                "时间节点、量化指标或执行单位，或标记为无需处理。"
            )
            % {"n": len(parsed.undecided), "place": first.place, "why": first.unclear},
            first.text,
        )
    # A new plan is a draft (the state's default); an existing one keeps its state.
    plan, created = Plan.objects.update_or_create(
        year=parsed.year,
        defaults={
            "title": parsed.title,
            "document_number": parsed.document_number,
            "issuer": parsed.issuer,
            "issue_date": parsed.issue_date,
            "contact_info": parsed.contact_info,
            "overall_goal": parsed.overall_goal,
            "priorities": parsed.priorities,
            "requirements": parsed.requirements,
            "source_text": parsed.source_text,
            "hand_mappings": [m.to_json() for m in parsed.hand_mappings],
        },
    )
    plan.tasks.exclude(number__in=[t.number for t in parsed.tasks]).filter(
        assignments__isnull=True
    ).delete()
    saved_tasks: dict[int, Task] = {}
    saved_tracks: dict[int, dict[str, Track]] = {}
    for pt in parsed.tasks:
        task, _created = Task.objects.update_or_create(
            plan=plan,
            number=pt.number,
            defaults={
                "title": pt.title,
                "goal": pt.goal,
                "content": pt.content,
                "executing_rule": pt.executing_rule,
                "support": pt.support,
                "funded": pt.funded,
                "guided": pt.guided,
                "funding_mode": pt.funding_mode,
                "all_units": pt.all_units,
                "voluntary_others": pt.voluntary_others,
                "bases_only": pt.bases_only,
            },
        )
        items = {}
        for number, text in pt.items:
            items[number], _created = TaskItem.objects.update_or_create(
                task=task, number=number, defaults={"text": text}
            )
        task.items.exclude(number__in=list(items)).delete()

        tracks_by_province: dict[str, Track] = {}
        kept_tracks = []
        for ptr in pt.tracks:
            track, _created = Track.objects.update_or_create(
                task=task,
                code=ptr.code,
                defaults={"name": ptr.name, "base_level": ptr.base_level},
            )
            track.items.set([items[n] for n in ptr.item_numbers if n in items])
            kept_tracks.append(track.pk)
            for code in ptr.provinces:
                tracks_by_province.setdefault(code, track)
        task.tracks.exclude(pk__in=kept_tracks).delete()

        saved_tasks[pt.number] = task
        saved_tracks[pt.number] = tracks_by_province

        task.targets.all().delete()
        Target.objects.bulk_create(
            Target(
                task=task,
                item=items.get(t.item_number) if t.item_number else None,
                description=t.description,
                metric=t.metric,
                minimum=t.minimum,
                unit=t.unit,
                period=t.period,
            )
            for t in pt.targets
        )

    tasks_by_number = {t.number: t for t in plan.tasks.all()}
    kept = []
    for pd in parsed.deadlines:
        task = tasks_by_number.get(pd.task_number) if pd.task_number else None
        if pd.kind == Deadline.Kind.OTHER:
            # A task's own dated reports: one per sentence and date.
            deadline, _created = Deadline.objects.update_or_create(
                plan=plan,
                kind=pd.kind,
                task=task,
                sentence=pd.sentence,
                due_date=pd.due_date,
                defaults={"description": pd.description},
            )
        else:
            deadline, _created = Deadline.objects.update_or_create(
                plan=plan,
                kind=pd.kind,
                task=task,
                defaults={
                    "due_date": pd.due_date,
                    "description": pd.description,
                    "sentence": pd.sentence,
                },
            )
        kept.append(deadline.pk)
    # Deadlines HQ added by hand have no sentence of the notice behind them: they stay.
    plan.deadlines.exclude(pk__in=kept).exclude(kind=Deadline.Kind.OTHER, sentence="").delete()
    relink_rolled_tasks(plan)
    return SavedPlan(plan=plan, created=created, tasks=saved_tasks, tracks_by_province=saved_tracks)


def relink_rolled_tasks(plan: Plan) -> None:
    """Keep each rolled-over task's ``rolled_from`` pointing at the task it continues.

    The notice import updates a rolled-over draft in place, task by number; when a year drops
    a task the numbers shift (the talent project is task 8 in 2018 and task 7 in 2019), so
    task 7 of the draft now holds another task's text. A task whose title no longer matches
    its source is linked to the source year's task of the same title, if there is one;
    otherwise (a reworded task) the link stays.
    """
    tasks = list(plan.tasks.filter(rolled_from__isnull=False).select_related("rolled_from"))
    moved = [t for t in tasks if Task.title_key(t.title) != Task.title_key(t.rolled_from.title)]
    if not moved:
        return
    sources = {
        Task.title_key(t.title): t.pk
        for t in Task.objects.filter(plan_id__in={t.rolled_from.plan_id for t in moved})
    }
    for task in moved:
        match = sources.get(Task.title_key(task.title))
        if match and match != task.rolled_from_id:
            Task.objects.filter(pk=task.pk).update(rolled_from_id=match)


def set_task_support(task: Task, *, funded: bool, guided: bool, funding_mode: str = "") -> Task:
    """Change what HQ gives a task (资金支持, 业务指导, how the money goes) while its plan is a
    draft; a published or closed plan refuses (units already work, and calls, under it).

    Conditional on the plan's state in the database, like a transition.
    """
    if funding_mode not in ("", *Task.FundingMode.values):
        raise TransitionRefused(_("资金支持方式有误。"))
    if not funded:
        funding_mode = ""
    changed = Task.objects.filter(pk=task.pk, plan__state=Plan.State.DRAFT).update(
        funded=funded, guided=guided, funding_mode=funding_mode
    )
    if not changed:
        raise TransitionRefused(
            _("%(year)d年度工作计划已发布或已结束，任务的工作支持不能再修改。")
            % {"year": task.plan.year},
            current_state=task.plan.state,
        )
    task.funded, task.guided, task.funding_mode = funded, guided, funding_mode
    return task


class RolloverRefused(ValueError):
    """A rollover that cannot be made; nothing was written. ``message`` is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def moved_by_years(day: date | None, years: int) -> date | None:
    """The same calendar day ``years`` later; 29 February becomes 28 February."""
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def copy_row(obj: models.Model, **changes) -> models.Model:
    """An unsaved copy of ``obj`` with every concrete field but the key, then ``changes``."""
    values = {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if not f.primary_key and not getattr(f, "auto_now", False)
    }
    copy = type(obj)(**values)
    for name, value in changes.items():
        setattr(copy, name, value)
    return copy


@dataclass
class PlanCopy:
    """What :func:`copy_plan` wrote: the new plan, and the old task's and track's key →
    its copy."""

    plan: Plan
    tasks: dict[int, Task]
    tracks: dict[int, Track]


@transaction.atomic
def copy_plan(from_plan: Plan, to_year: int) -> PlanCopy:
    """The plan's own part of a rollover: the draft plan of ``to_year`` with ``from_plan``'s
    tasks, items, tracks, targets and deadlines, dates moved by the years between.

    ``from_plan`` is only read. Refuses (RolloverRefused, nothing written) when ``to_year``
    is not later or already has a plan. Call inside the rollover's transaction
    (``provinces.plans.rollover_plan``, which copies who carries the plan and records it).
    """
    if to_year <= from_plan.year or to_year > 9999:
        raise RolloverRefused(_("结转的目标年度应晚于%(year)d年。") % {"year": from_plan.year})
    if Plan.objects.select_for_update().filter(year=to_year).exists():
        raise RolloverRefused(
            _("%(year)d年度工作计划已存在，不能再次结转；如需更新，请导入该年度的通知。")
            % {"year": to_year}
        )
    years = to_year - from_plan.year
    plan = copy_row(
        from_plan,
        year=to_year,
        title=from_plan.title.replace(str(from_plan.year), str(to_year)),
        document_number="",
        issue_date=None,
        source_text="",
        hand_mappings=[],
        state=Plan.State.DRAFT,
    )
    plan.save()
    new_task: dict[int, Task] = {}
    new_item: dict[int, TaskItem] = {}
    new_track: dict[int, Track] = {}
    for task in from_plan.tasks.prefetch_related("items", "tracks__items", "targets"):
        new_task[task.pk] = copy = copy_row(task, plan_id=plan.pk, rolled_from_id=task.pk)
        copy.save()
        for item in task.items.all():
            new_item[item.pk] = copy_row(item, task_id=copy.pk)
        TaskItem.objects.bulk_create([new_item[i.pk] for i in task.items.all()])
        for track in task.tracks.all():
            new_track[track.pk] = track_copy = copy_row(track, task_id=copy.pk)
            track_copy.save()
            track_copy.items.set([new_item[i.pk] for i in track.items.all()])
        Target.objects.bulk_create(
            copy_row(
                target,
                task_id=copy.pk,
                item_id=new_item[target.item_id].pk if target.item_id else None,
            )
            for target in task.targets.all()
        )
    Deadline.objects.bulk_create(
        copy_row(
            deadline,
            plan_id=plan.pk,
            task_id=new_task[deadline.task_id].pk if deadline.task_id else None,
            due_date=moved_by_years(deadline.due_date, years),
        )
        for deadline in from_plan.deadlines.all()
    )
    return PlanCopy(plan=plan, tasks=new_task, tracks=new_track)
