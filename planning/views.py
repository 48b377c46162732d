from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ADMINISTRATORS, ALL, HQ, role_required
from provinces.models import Assignment, PlanUnit, Province
from workflow.machine import TransitionRefused, history

from .forms import NoticeForm, mapping_forms
from .models import BaseLevel, Plan, Task
from .notice import NoticeError, apply_mappings
from .services import RolloverRefused, rollover_plan, save_parsed_plan, understand_notice
from .working import with_year


@role_required(ALL)
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = Plan.objects.visible_to(request.user).annotate(task_count=Count("tasks"))
    return render(request, "planning/plan_list.html", {"plans": plans})


@role_required(ALL)
def plan_detail(request: HttpRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan.objects.visible_to(request.user), year=year)
    tasks = (
        plan.tasks.prefetch_related(
            "items",
            "targets",
            Prefetch("tracks__items"),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("province").order_by(
                    "province__sort_order"
                ),
            ),
        )
        .annotate(
            mandatory_count=Count("assignments", filter=Q(assignments__kind="mandatory")),
            voluntary_count=Count("assignments", filter=Q(assignments__kind="voluntary")),
        )
        .order_by("number")
    )
    deadlines = plan.deadlines.select_related("task")
    bases = PlanUnit.objects.filter(plan=plan).exclude(base_level="").select_related("province")
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "tasks": tasks,
            "deadlines": deadlines,
            "bases": bases,
            "history": [(log, Plan.State(log.to_state).label) for log in history(plan)]
            if request.user.is_hq
            else None,
        },
    )


@role_required(ALL)
def task_detail(request: HttpRequest, year: int, number: int) -> HttpResponse:
    task = get_object_or_404(
        Task.objects.visible_to(request.user).select_related("plan"),
        plan__year=year,
        number=number,
    )
    assignments = task.assignments.select_related("province", "track").order_by(
        "track__pk", "province__sort_order"
    )
    tracks = task.tracks.prefetch_related("items")
    return render(
        request,
        "planning/task_detail.html",
        {
            "task": task,
            "plan": task.plan,
            "items": task.items.all(),
            "tracks": tracks,
            "targets": task.targets.select_related("item"),
            "mandatory": [a for a in assignments if a.kind == Assignment.Kind.MANDATORY],
            "voluntary": [a for a in assignments if a.kind == Assignment.Kind.VOLUNTARY],
            "deadlines": task.plan.deadlines.filter(Q(task=task) | Q(task__isnull=True)),
            "visible_provinces": set(
                Province.objects.visible_to(request.user).values_list("pk", flat=True)
            ),
        },
    )


def _posted_bases(request: HttpRequest) -> dict[str, str] | None:
    """The preview's base selects (``base_<code>``) → province code → level; None when the
    form carried no selects (then the import proposes them)."""
    if not request.POST.get("bases_set"):
        return None
    return {
        key.removeprefix("base_"): value
        for key, value in request.POST.items()
        if key.startswith("base_") and value
    }


@role_required(ADMINISTRATORS, send_to_login=True)
def import_notice(request: HttpRequest) -> HttpResponse:
    """Paste or upload → preview every sentence that matters, map those not understood, set
    the year's bases → confirm.

    Nothing is saved before the confirmation, and nothing then if any sentence not understood
    is left without a decision.
    """
    parsed = None
    error = None
    form = None
    mappings = []
    if request.method == "POST" and request.POST.get("rebase"):
        text = request.session.get("notice_text", "")
        try:
            parsed = understand_notice(text, bases=_posted_bases(request))
        except NoticeError as exc:
            error = str(exc)
            form = NoticeForm(initial={"text": text})
        else:
            mappings = mapping_forms(parsed, _unit_choices(), request.POST)
    elif request.method == "POST" and request.POST.get("confirm"):
        text = request.session.get("notice_text", "")
        try:
            parsed = understand_notice(text, bases=_posted_bases(request))
            mappings = mapping_forms(parsed, _unit_choices(), request.POST)
            if all(f.is_valid() for f in mappings):
                apply_mappings(parsed, [f.mapping() for f in mappings])
                with transaction.atomic():
                    result = save_parsed_plan(parsed)
            else:
                result = None
                error = _("有句子尚未作出选择或填写有误，未作任何更改：请逐句处理后再确认。")
        except NoticeError as exc:
            error = str(exc)
            parsed = None
            form = NoticeForm(initial={"text": text})
        else:
            if result is not None:
                request.session.pop("notice_text", None)
                messages.success(
                    request,
                    _("已导入《%(title)s》：%(tasks)d 项任务，%(assignments)d 项任务承担。")
                    % {
                        "title": result.plan.title,
                        "tasks": result.tasks,
                        "assignments": result.assignments,
                    },
                )
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect(result.plan)
    elif request.method == "POST":
        form = NoticeForm(request.POST, request.FILES)
        if form.is_valid():
            text = form.cleaned_data["text"]
            try:
                parsed = understand_notice(text)
            except NoticeError as exc:
                error = str(exc)
            else:
                request.session["notice_text"] = text
                mappings = mapping_forms(parsed, _unit_choices())
                form = None
    else:
        form = NoticeForm()
    provinces = {p.code: p for p in Province.objects.all()} if parsed else {}
    return render(
        request,
        "planning/import_notice.html",
        {
            "form": form,
            "parsed": parsed,
            "sentences": _sentence_rows(parsed, mappings) if parsed else [],
            "error": error,
            "provinces": provinces,
            "levels": BaseLevel.choices,
            "existing": Plan.objects.for_year(parsed.year) if parsed else None,
        },
    )


@role_required(HQ)
@require_POST
def plan_transition(request: HttpRequest, year: int, action: str) -> HttpResponse:
    """HQ publishes a draft, closes a finished year or reopens it (with who/when/why)."""
    plan = get_object_or_404(Plan.objects.visible_to(request.user), year=year)
    verbs = {"publish": plan.publish, "close": plan.close, "reopen": plan.reopen}
    if action not in verbs:
        raise Http404
    try:
        verbs[action](request.user, request.POST.get("reason", ""))
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("年度计划状态已改为“%(state)s”。") % {"state": plan.get_state_display()}
        )
    return redirect(plan)


@role_required(ADMINISTRATORS)
@require_POST
def plan_rollover(request: HttpRequest, year: int) -> HttpResponse:
    """An administrator makes the next year's draft from this plan (the page confirms first)."""
    plan = get_object_or_404(Plan.objects.visible_to(request.user), year=year)
    to_year = request.POST.get("to_year", "").strip()
    if not request.POST.get("confirm"):
        messages.error(request, _("请勾选确认后再结转。"))
        return redirect(plan)
    if not to_year.isdigit():
        messages.error(request, _("请填写结转的目标年度，例如%(year)d。") % {"year": year + 1})
        return redirect(plan)
    try:
        new_plan = rollover_plan(plan, int(to_year), request.user)
    except RolloverRefused as exc:
        messages.error(request, exc.message)
        return redirect(plan)
    messages.success(
        request,
        _("已由%(from)d年度结转为%(to)d年度工作计划（草稿），请核对基地与执行单位后发布。")
        % {"from": plan.year, "to": new_plan.year},
    )
    return redirect(new_plan)


@role_required(ALL)
@require_POST
def switch_year(request: HttpRequest) -> HttpResponse:
    """The header's year switcher: remember the chosen plan for this user and go back to
    the page, now carrying ``?year=``."""
    plan = Plan.objects.visible_to(request.user).for_year(request.POST.get("year"))
    if plan is None:
        raise Http404
    request.user.working_year = plan.year
    request.user.save(update_fields=["working_year"])
    return redirect(with_year(request.POST.get("next", ""), plan.year))


def _sentence_rows(parsed, mappings) -> list[tuple]:
    """Each sentence that matters with its decision form when it still needs one."""
    by_sentence = {id(f.sentence): f for f in mappings}
    return [(s, by_sentence.get(id(s))) for s in parsed.sentences]


def _unit_choices() -> list[tuple[str, str]]:
    return list(Province.objects.order_by("sort_order").values_list("code", "short_name"))
