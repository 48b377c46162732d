"""Verbs of the planning app: load a year's plan from the notice text, roll a plan over."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.db import models, transaction
from django.utils.translation import gettext as _

from provinces.models import Assignment, PlanUnit, Province
from workflow.machine import TransitionRefused, record_event

from .models import BaseLevel, Deadline, Plan, Target, Task, TaskItem, Track
from .notice import HandMapping, NoticeError, ParsedPlan, apply_mappings, parse_notice

__all__ = [
    "HandMapping",
    "ImportResult",
    "NoticeError",
    "RolloverRefused",
    "import_plan",
    "proposed_bases",
    "rollover_plan",
    "set_task_support",
    "understand_notice",
]


@dataclass
class ImportResult:
    plan: Plan
    created: bool
    tasks: int
    assignments: int
    warnings: list[str]


def _units() -> list[tuple[str, str, str]]:
    return list(Province.objects.values_list("code", "name", "short_name"))


def proposed_bases(year: int) -> dict[str, str]:
    """The bases an import of ``year`` starts from: that plan's own when it exists (a
    re-import keeps them), else the nearest earlier year's as a proposal, else none."""
    plan = (
        Plan.objects.for_year(year) or Plan.objects.filter(year__lt=year).order_by("-year").first()
    )
    return PlanUnit.objects.bases(plan) if plan else {}


def understand_notice(
    text: str,
    mappings: list[HandMapping] | None = None,
    *,
    bases: Mapping[str, str] | None = None,
) -> ParsedPlan:
    """Parse without saving (the admin preview); raises NoticeError.

    ``mappings`` are the administrator's readings of sentences the grammar did not
    understand; without them, those recorded when the same year's plan was last imported
    apply again (a re-import keeps the decisions already made).

    ``bases`` (province code → ``key``/``basic``) decides who carries the base tracks;
    without it, :func:`proposed_bases` of the notice's year.
    """
    units = _units()
    if not units:
        raise NoticeError(_("执行单位尚未初始化：请先运行数据库迁移。"))
    parsed = parse_notice(text, units)
    if Plan.objects.filter(year=parsed.year, state=Plan.State.CLOSED).exists():
        raise NoticeError(_("%(year)d年度工作计划已结束，不能重新导入。") % {"year": parsed.year})
    bases = proposed_bases(parsed.year) if bases is None else {c: v for c, v in bases.items() if v}
    known = {code for code, _name, _short in units}
    if not set(bases) <= known or not set(bases.values()) <= set(BaseLevel.values):
        raise NoticeError(_("基地设置有误：请为每个执行单位选择“重点项目”“基础项目”或留空。"))
    parsed.bases = dict(bases)
    base_codes = {
        level: {code for code, lvl in bases.items() if lvl == level} for level in BaseLevel.values
    }
    for task in parsed.tasks:
        for track in task.tracks:
            if track.base_level:
                track.provinces = sorted(base_codes[track.base_level])
                if not track.provinces:
                    parsed.warnings.append(
                        _(
                            "任务（%(task)s）“%(track)s”：尚未标记承担该类项目的基地省市，"
                            "标记后重新导入即可生成任务承担。"
                        )
                        % {"task": task.numeral, "track": track.name}
                    )
    if mappings is None:
        stored = Plan.objects.filter(year=parsed.year).values_list("hand_mappings", flat=True)
        mappings = [HandMapping.from_json(m) for m in (stored.first() or [])]
    apply_mappings(parsed, mappings)
    return parsed


@transaction.atomic
def import_plan(
    text: str,
    mappings: list[HandMapping] | None = None,
    *,
    bases: Mapping[str, str] | None = None,
) -> ImportResult:
    """Create (as a draft) or update a plan from the notice text. Idempotent; all or nothing.

    Only the notice's own year is written: its tasks, deadlines and its units' roles.
    """
    parsed = understand_notice(text, mappings, bases=bases)
    return save_parsed_plan(parsed)


def save_parsed_plan(parsed: ParsedPlan) -> ImportResult:
    """Save what was understood; refuses while a sentence not understood awaits a decision."""
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
    provinces = {p.code: p for p in Province.objects.all()}
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
    for code, province in provinces.items():
        PlanUnit.objects.update_or_create(
            plan=plan, province=province, defaults={"base_level": parsed.bases.get(code, "")}
        )
    plan.tasks.exclude(number__in=[t.number for t in parsed.tasks]).filter(
        assignments__isnull=True
    ).delete()
    assignment_count = 0
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

        wanted: dict[str, tuple[str, Track | None]] = {}
        if pt.all_units:
            wanted = {code: (Assignment.Kind.MANDATORY, None) for code in provinces}
        else:
            for code in pt.mandatory:
                wanted[code] = (Assignment.Kind.MANDATORY, tracks_by_province.get(code))
            for code, track in tracks_by_province.items():
                wanted.setdefault(code, (Assignment.Kind.MANDATORY, track))
            if pt.voluntary_others:
                for code in provinces:
                    wanted.setdefault(code, (Assignment.Kind.VOLUNTARY, None))
        existing = {a.province.code: a for a in task.assignments.select_related("province")}
        for code, (kind, track) in wanted.items():
            current = existing.pop(code, None)
            if current is None:
                Assignment.objects.create(
                    task=task,
                    province=provinces[code],
                    kind=kind,
                    track=track,
                    taken_up=kind == Assignment.Kind.MANDATORY,
                )
            elif current.kind != kind or current.track_id != (track.pk if track else None):
                current.kind = kind
                current.track = track
                if kind == Assignment.Kind.MANDATORY:
                    current.taken_up = True
                current.save(update_fields=["kind", "track", "taken_up"])
        # Units no longer named lose the assignment, unless they already reported work on it.
        for stale in existing.values():
            if not stale.ledger_entries.exists():
                stale.delete()
        assignment_count += len(wanted)

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
    return ImportResult(
        plan=plan,
        created=created,
        tasks=len(parsed.tasks),
        assignments=assignment_count,
        warnings=parsed.warnings,
    )


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


def _copy(obj: models.Model, **changes) -> models.Model:
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


@transaction.atomic
def rollover_plan(from_plan: Plan, to_year: int, by) -> Plan:
    """Make the draft plan of ``to_year`` from ``from_plan``: its tasks, items, tracks,
    targets and deadlines, dates moved by the years between, and — as a proposal HQ edits
    before publishing — its units' roles (bases) and executing units (assignments).

    ``from_plan`` is only read. Refuses (RolloverRefused, nothing written) when ``to_year``
    is not later or already has a plan. Importing ``to_year``'s notice afterwards updates
    this draft in place.
    """
    if to_year <= from_plan.year or to_year > 9999:
        raise RolloverRefused(_("结转的目标年度应晚于%(year)d年。") % {"year": from_plan.year})
    if Plan.objects.select_for_update().filter(year=to_year).exists():
        raise RolloverRefused(
            _("%(year)d年度工作计划已存在，不能再次结转；如需更新，请导入该年度的通知。")
            % {"year": to_year}
        )
    years = to_year - from_plan.year
    plan = _copy(
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
    PlanUnit.objects.bulk_create(
        _copy(unit, plan_id=plan.pk) for unit in PlanUnit.objects.filter(plan=from_plan)
    )
    new_task: dict[int, Task] = {}
    new_item: dict[int, TaskItem] = {}
    new_track: dict[int, Track] = {}
    for task in from_plan.tasks.prefetch_related("items", "tracks__items", "targets"):
        new_task[task.pk] = copy = _copy(task, plan_id=plan.pk)
        copy.save()
        for item in task.items.all():
            new_item[item.pk] = _copy(item, task_id=copy.pk)
        TaskItem.objects.bulk_create([new_item[i.pk] for i in task.items.all()])
        for track in task.tracks.all():
            new_track[track.pk] = track_copy = _copy(track, task_id=copy.pk)
            track_copy.save()
            track_copy.items.set([new_item[i.pk] for i in track.items.all()])
        Target.objects.bulk_create(
            _copy(
                target,
                task_id=copy.pk,
                item_id=new_item[target.item_id].pk if target.item_id else None,
            )
            for target in task.targets.all()
        )
    Deadline.objects.bulk_create(
        _copy(
            deadline,
            plan_id=plan.pk,
            task_id=new_task[deadline.task_id].pk if deadline.task_id else None,
            due_date=moved_by_years(deadline.due_date, years),
        )
        for deadline in from_plan.deadlines.all()
    )
    # Executing units are proposed; a voluntary task is taken up again by the unit itself.
    Assignment.objects.bulk_create(
        _copy(
            a,
            task_id=new_task[a.task_id].pk,
            track_id=new_track[a.track_id].pk if a.track_id else None,
            taken_up=a.kind == Assignment.Kind.MANDATORY,
        )
        for a in Assignment.objects.filter(task__plan=from_plan)
    )
    record_event(
        plan,
        name="rollover",
        actor=by,
        reason=_("由%(year)d年度工作计划结转") % {"year": from_plan.year},
    )
    return plan
