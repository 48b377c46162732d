from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, user_passes_test
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from provinces.models import Assignment, Province

from .models import Plan, Task
from .notice import NoticeError
from .services import save_parsed_plan, understand_notice


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = Plan.objects.visible_to(request.user).annotate(task_count=Count("tasks"))
    return render(request, "planning/plan_list.html", {"plans": plans})


@login_required
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
    return render(
        request,
        "planning/plan_detail.html",
        {"plan": plan, "tasks": tasks, "deadlines": deadlines},
    )


@login_required
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


class NoticeForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("通知全文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy("粘贴通知全文，或上传 UTF-8 编码的文本文件。"),
    )
    file = forms.FileField(label=gettext_lazy("或上传文本文件"), required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > 2 * 1024 * 1024:
                raise forms.ValidationError(_("文件过大：通知文本不应超过 2 MB。"))
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError(_("文件不是 UTF-8 编码的文本。")) from exc
        if not (data.get("text") or "").strip():
            raise forms.ValidationError(_("请粘贴通知全文或上传文本文件。"))
        return data


def _is_admin(user) -> bool:
    return user.is_authenticated and user.is_administrator


@login_required
@user_passes_test(_is_admin)
def import_notice(request: HttpRequest) -> HttpResponse:
    """Paste or upload → preview what was understood → confirm. Nothing is saved before confirm."""
    parsed = None
    error = None
    if request.method == "POST" and request.POST.get("confirm"):
        text = request.session.get("notice_text", "")
        try:
            from django.db import transaction

            with transaction.atomic():
                result = save_parsed_plan(understand_notice(text))
        except NoticeError as exc:
            error = str(exc)
            form = NoticeForm(initial={"text": text})
        else:
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
    else:
        form = NoticeForm()
    provinces = {p.code: p for p in Province.objects.all()} if parsed else {}
    return render(
        request,
        "planning/import_notice.html",
        {
            "form": form if not parsed else None,
            "parsed": parsed,
            "error": error,
            "provinces": provinces,
            "existing": Plan.objects.filter(year=parsed.year).first() if parsed else None,
        },
    )
