"""HQ's review queue: submitted registrations waiting, confirmed or returned one or many."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import HQ, role_required
from planning.working import working_plan

from .. import services
from ..filters import RegistrationFilter
from ..forms import ReasonForm
from ..models import Registration


@role_required(HQ)
def review_queue(request: HttpRequest) -> HttpResponse:
    """Everything submitted and waiting, oldest first; confirm or return one or many."""
    filters = RegistrationFilter(
        request.GET or None,
        queryset=Registration.objects.visible_to(request.user)
        .filter(
            state__in=Registration.AWAITING_REVIEW, assignment__task__plan=working_plan(request)
        )
        .select_related("assignment__task__plan", "assignment__province", "assignment__track")
        .order_by("submitted_at", "pk"),
    )
    waiting = filters.qs
    if request.method == "POST":
        form = ReasonForm(request.POST)
        form.is_valid()
        action = request.POST.get("action", "")
        chosen = waiting.filter(pk__in=request.POST.getlist("selected"))
        if not chosen:
            messages.error(request, _("请至少选择一项。"))
        else:
            result = services.review_many(
                list(chosen), request.user, action, form.cleaned_data.get("reason", "")
            )
            if result.done:
                done = (
                    _("已确认 %(n)d 项任务分解报送：%(list)s。")
                    if action == "confirm"
                    else _("已退回 %(n)d 项任务分解报送：%(list)s。")
                )
                names = "；".join(str(reg) for reg in result.done)
                messages.success(request, done % {"n": len(result.done), "list": names})
            for reg, why in result.refused:
                messages.error(
                    request,
                    _("%(registration)s：%(reason)s") % {"registration": reg, "reason": why},
                )
        return redirect(request.get_full_path())
    page = Paginator(waiting, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "provinces/review_queue.html",
        {
            "page": page,
            "reason_form": ReasonForm(),
            "filters": filters.page_form(request.user),
            "query": query.urlencode(),
        },
    )
