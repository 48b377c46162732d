"""HQ's deadlines of a plan: add a deadline (e.g. a quarterly progress report) or tune a
deadline's reminders."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import HQ, role_required

from .models import Deadline, Plan


class DeadlineForm(forms.ModelForm):
    class Meta:
        model = Deadline
        fields = ["task", "description", "due_date", "reminder_offsets"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"task": gettext_lazy("留空表示所有承担任务的执行单位都要报送。")}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = plan.tasks.all()
        self.fields["task"].required = False
        if self.instance.pk and self.instance.kind != Deadline.Kind.OTHER:
            # the plan's own deadlines: HQ may tune reminders, not rewrite the notice
            for name in ("task", "description", "due_date"):
                self.fields[name].disabled = True


@role_required(HQ)
def deadline_list(request: HttpRequest) -> HttpResponse:
    plan = Plan.objects.order_by("-year").first()
    deadlines = plan.deadlines.select_related("task") if plan else []
    return render(request, "planning/deadline_list.html", {"plan": plan, "deadlines": deadlines})


@role_required(HQ)
def deadline_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """HQ adds a deadline (e.g. a quarterly progress report) or tunes a deadline's reminders."""
    plan = Plan.objects.order_by("-year").first()
    if plan is None:
        raise Http404
    instance = get_object_or_404(plan.deadlines, pk=pk) if pk else None
    form = DeadlineForm(request.POST or None, instance=instance, plan=plan)
    if request.method == "POST" and form.is_valid():
        deadline = form.save(commit=False)
        if instance is None:
            deadline.plan, deadline.kind = plan, Deadline.Kind.OTHER
        deadline.save()
        messages.success(request, _("时间节点已保存。"))
        return redirect("planning:deadline_list")
    return render(request, "planning/deadline_form.html", {"form": form, "deadline": instance})
