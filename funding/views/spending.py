"""经费使用情况: a unit writes and submits its report on an allocation; HQ confirms or returns it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import HQ, STAFF, role_required
from planning.working import require_working_plan
from workflow.files import download
from workflow.machine import TransitionRefused, history

from .. import services
from ..forms import ReasonForm, SpendingForm
from ..models import Allocation, SpendingCategory, SpendingEvidence, SpendingReport


@role_required(STAFF | HQ, post=STAFF)
def spending(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = get_object_or_404(
        Allocation.objects.visible_to(request.user).select_related(
            "plan", "task", "province", "project"
        ),
        pk=pk,
    )
    report = services.report_for(allocation)
    lines = {line.category_id: line.amount for line in report.lines.all()} if report.pk else {}
    categories = SpendingCategory.objects.filter(active=True) | SpendingCategory.objects.filter(
        pk__in=list(lines)
    )
    form = SpendingForm(
        request.POST or None,
        request.FILES or None,
        categories=categories.distinct().order_by("sort_order", "pk"),
        lines=lines,
        initial={"note": report.note},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_spending(
                report, request.user, note=form.cleaned_data["note"], amounts=form.amounts()
            )
            uploads = request.FILES.getlist("files")
            if uploads:
                services.attach_evidence(report, uploads, request.user)
            if "submit" in request.POST:
                report.submit(request.user)
                messages.success(request, _("经费使用情况已报送。"))
            else:
                messages.success(request, _("已保存草稿。"))
            return redirect("funding:spending", pk=allocation.pk)
        except (ValidationError, TransitionRefused) as exc:
            text = exc.message if isinstance(exc, TransitionRefused) else " ".join(exc.messages)
            messages.error(request, text)
    return render(
        request,
        "funding/spending.html",
        {
            "allocation": allocation,
            "report": report,
            "form": form,
            "editable": report.can_be_edited_by(request.user),
            "evidence": report.evidence.all() if report.pk else [],
            "history": history(report) if report.pk else [],
            "reason_form": ReasonForm(),
        },
    )


@role_required(actions={"confirm": HQ, "return": HQ})
@require_POST
def spending_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    report = get_object_or_404(SpendingReport.objects.visible_to(request.user), pk=pk)
    reason = request.POST.get("reason", "")
    try:
        if action == "confirm":
            report.confirm(request.user, reason)
            messages.success(request, _("已确认该经费使用情况。"))
        else:
            report.return_for_revision(request.user, reason)
            messages.success(request, _("已退回，并通知执行单位修改。"))
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    return redirect("funding:spending", pk=report.allocation_id)


@role_required(STAFF | HQ)
def spending_list(request: HttpRequest) -> HttpResponse:
    plan = require_working_plan(request)
    reports = (
        SpendingReport.objects.visible_to(request.user)
        .filter(allocation__plan=plan)
        .select_related("allocation__task", "allocation__province", "allocation__project")
        .order_by("state", "allocation__task__number", "allocation__province__sort_order")
    )
    return render(request, "funding/spending_list.html", {"plan": plan, "reports": reports})


@role_required(STAFF | HQ)
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    return download(get_object_or_404(SpendingEvidence.objects.visible_to(request.user), pk=pk))
