"""A plan and the units that carry it: the notice import, the rollover and HQ's edit of a
draft's units (bases, western) as a whole.

planning saves and copies a plan's own content and knows no unit; this module adds who
carries the plan (each unit's base level, the assignments) in the same transaction. The
import and rollover pages and the ``import_plan`` / ``rollover_plan`` commands call these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from planning.models import BaseLevel, Plan, Task, Track
from planning.notice import HandMapping, NoticeError, ParsedPlan, apply_mappings, parse_notice
from planning.services import RolloverRefused, copy_plan, copy_row, save_plan_content
from workflow.machine import TransitionRefused, record_event

from .models import Assignment, PlanUnit, Province
from .network import carry_network

__all__ = [
    "HandMapping",
    "ImportResult",
    "NoticeError",
    "RolloverRefused",
    "import_plan",
    "proposed_bases",
    "rollover_plan",
    "save_parsed_plan",
    "set_plan_units",
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
    """Save what was understood, the plan's content and who carries it; refuses while a
    sentence not understood awaits a decision. Call inside a transaction."""
    # A task the notice no longer has loses the assignments nobody has worked on yet (the
    # proposal a rollover made, say), so that save_plan_content can drop the task; a task a
    # unit has registered, kept a ledger or filed a case for stays, as a unit does below.
    Assignment.objects.filter(task__plan__year=parsed.year).exclude(
        task__number__in=[pt.number for pt in parsed.tasks]
    ).filter(registration__isnull=True, ledger_entries__isnull=True, cases__isnull=True).delete()
    saved = save_plan_content(parsed)
    plan = saved.plan
    provinces = {p.code: p for p in Province.objects.all()}
    for code, province in provinces.items():
        # A new plan's western units start from the province's current flag; a re-import
        # keeps the flag the plan already has.
        PlanUnit.objects.update_or_create(
            plan=plan,
            province=province,
            defaults={"base_level": parsed.bases.get(code, "")},
            create_defaults={"base_level": parsed.bases.get(code, ""), "western": province.western},
        )
    assignment_count = 0
    for pt in parsed.tasks:
        wanted = _wanted(
            all_units=pt.all_units,
            voluntary_others=pt.voluntary_others,
            mandatory=pt.mandatory,
            tracks_by_province=saved.tracks_by_province[pt.number],
            codes=list(provinces),
        )
        _assign(saved.tasks[pt.number], wanted, provinces)
        assignment_count += len(wanted)
    return ImportResult(
        plan=plan,
        created=saved.created,
        tasks=len(parsed.tasks),
        assignments=assignment_count,
        warnings=parsed.warnings,
    )


def _wanted(
    *,
    all_units: bool,
    voluntary_others: bool,
    mandatory: Iterable[str],
    tracks_by_province: Mapping[str, Track],
    codes: Iterable[str],
) -> dict[str, tuple[str, Track | None]]:
    """Who carries one task, province code → (kind, track): every unit when the task is for
    all; else the units named, each in its track, those of the tracks, and — when the task
    lets others join — every other unit as voluntary."""
    if all_units:
        return {code: (Assignment.Kind.MANDATORY, None) for code in codes}
    wanted: dict[str, tuple[str, Track | None]] = {}
    for code in mandatory:
        wanted[code] = (Assignment.Kind.MANDATORY, tracks_by_province.get(code))
    for code, track in tracks_by_province.items():
        wanted.setdefault(code, (Assignment.Kind.MANDATORY, track))
    if voluntary_others:
        for code in codes:
            wanted.setdefault(code, (Assignment.Kind.VOLUNTARY, None))
    return wanted


def _assign(
    task: Task,
    wanted: Mapping[str, tuple[str, Track | None]],
    provinces: Mapping[str, Province],
) -> None:
    """Make ``task``'s assignments what ``wanted`` says: new ones created, changed ones
    updated (a unit made mandatory has taken the task up), units no longer named dropped
    unless they already reported work on it."""
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
    for stale in existing.values():
        if not stale.ledger_entries.exists():
            stale.delete()


@transaction.atomic
def rollover_plan(from_plan: Plan, to_year: int, by) -> Plan:
    """Make the draft plan of ``to_year`` from ``from_plan``: its tasks, items, tracks,
    targets and deadlines, dates moved by the years between, and — as a proposal HQ edits
    before publishing — its units' roles (bases) and executing units (assignments); the
    units' service network is carried over too (``provinces.network.carry_network``).

    ``from_plan`` is only read. Refuses (RolloverRefused, nothing written) when ``to_year``
    is not later or already has a plan. Importing ``to_year``'s notice afterwards updates
    this draft in place.
    """
    copied = copy_plan(from_plan, to_year)
    plan, new_task, new_track = copied.plan, copied.tasks, copied.tracks
    # Each unit's role (base level, western) is carried; a unit the old plan lacks starts
    # from the province's current defaults.
    carried = list(PlanUnit.objects.filter(plan=from_plan))
    PlanUnit.objects.bulk_create(
        [copy_row(unit, plan_id=plan.pk) for unit in carried]
        + [
            PlanUnit(plan=plan, province=province, western=province.western)
            for province in Province.objects.exclude(pk__in=[u.province_id for u in carried])
        ]
    )
    # Executing units are proposed; a voluntary task is taken up again by the unit itself.
    Assignment.objects.bulk_create(
        copy_row(
            a,
            task_id=new_task[a.task_id].pk,
            track_id=new_track[a.track_id].pk if a.track_id else None,
            taken_up=a.kind == Assignment.Kind.MANDATORY,
        )
        for a in Assignment.objects.filter(task__plan=from_plan)
    )
    # The service network goes on into the new year (its stopped entities stay behind).
    carry_network(from_plan, plan)
    record_event(
        plan,
        name="rollover",
        actor=by,
        reason=_("由%(year)d年度工作计划结转") % {"year": from_plan.year},
    )
    return plan


@transaction.atomic
def set_plan_units(plan: Plan, roles: Mapping[str, tuple[str, bool]], by) -> Plan:
    """HQ sets a draft plan's units' roles at once — province code → (base level or "",
    western) — and the base tracks' assignments follow, derived as the import derives them
    (:func:`_wanted`, :func:`_assign`). Only a draft's: a published or closed plan refuses
    (TransitionRefused, nothing written). Other years are never touched.

    Without the notice at hand, a unit named by the notice besides its base track cannot be
    told apart: a unit leaving a base track loses that assignment (or, where the task lets
    others join, keeps it as voluntary), unless it already reported work on it.
    """
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    if locked.state != Plan.State.DRAFT:
        raise TransitionRefused(
            _(
                "%(year)d年度工作计划为“%(state)s”状态：执行单位的基地与西部省区"
                "只能在计划发布前（草稿）修改。"
            )
            % {"year": locked.year, "state": locked.get_state_display()},
            current_state=locked.state,
        )
    provinces = {p.code: p for p in Province.objects.all()}
    levels = {"", *BaseLevel.values}
    if not set(roles) <= set(provinces) or any(lvl not in levels for lvl, _w in roles.values()):
        raise TransitionRefused(
            _("基地设置有误：请为每个执行单位选择“重点项目”“基础项目”或留空。"),
            current_state=locked.state,
        )
    for code, (level, western) in roles.items():
        PlanUnit.objects.update_or_create(
            plan=locked,
            province=provinces[code],
            defaults={"base_level": level, "western": bool(western)},
        )
    bases = PlanUnit.objects.bases(locked)
    tasks = locked.tasks.filter(all_units=False, tracks__base_level__in=BaseLevel.values)
    for task in tasks.distinct():
        current = list(task.assignments.select_related("province", "track"))
        tracks_by_province: dict[str, Track] = {}
        for track in task.tracks.order_by("pk"):
            if track.base_level:
                codes = sorted(c for c, lvl in bases.items() if lvl == track.base_level)
            else:
                codes = [a.province.code for a in current if a.track_id == track.pk]
            for code in codes:
                tracks_by_province.setdefault(code, track)
        wanted = _wanted(
            all_units=False,
            voluntary_others=task.voluntary_others,
            mandatory=[
                a.province.code
                for a in current
                if a.kind == Assignment.Kind.MANDATORY and not (a.track and a.track.base_level)
            ],
            tracks_by_province=tracks_by_province,
            codes=list(provinces),
        )
        _assign(task, wanted, provinces)
    record_event(locked, name="units", actor=by, reason=_("修改执行单位的基地与西部省区"))
    return locked
