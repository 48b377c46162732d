"""A unit's deadlines: what it owes, by when (approved extensions counted), its extension
requests, and its 报送 against the deadlines HQ added."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import STAFF, role_required
from notifications.models import ExtensionRequest
from notifications.obligations import base_key, owed_by
from planning.models import Deadline
from workflow.machine import TransitionRefused

from .. import services
from ..models import DeadlineReport


@role_required(STAFF)
def my_deadlines(request: HttpRequest) -> HttpResponse:
    """What the user's unit owes, by when (effective dates), with extension requests."""
    user = request.user
    owed = owed_by(user.province)
    requests = ExtensionRequest.objects.visible_to(user).select_related(
        "requested_by", "decided_by"
    )
    pending = set(
        requests.filter(state=ExtensionRequest.State.PENDING).values_list("deadline_key", flat=True)
    )
    rows = [
        {"owed": o, "key": base_key(o.key), "pending": base_key(o.key) in pending} for o in owed
    ]
    added = (
        Deadline.objects.filter(kind=Deadline.Kind.OTHER)
        .select_related("plan", "task")
        .order_by("due_date")
    )
    reported = {
        r.deadline_id: r
        for r in DeadlineReport.objects.filter(province=user.province, deadline__in=added)
    }
    return render(
        request,
        "provinces/my_deadlines.html",
        {
            "rows": rows,
            "requests": requests[:50],
            "today": timezone.localdate(),
            "added": [(d, reported.get(d.pk)) for d in added],
        },
    )


@role_required(STAFF)
@require_POST
def deadline_report(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = get_object_or_404(Deadline, pk=pk, kind=Deadline.Kind.OTHER)
    try:
        services.report_on_deadline(
            deadline, request.user.province, request.user, request.POST.get("note", "")
        )
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已报送：%(what)s。") % {"what": deadline.description})
    return redirect("provinces:my_deadlines")
