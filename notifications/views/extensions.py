"""Extension requests (延期申请): a unit asks, HQ approves or refuses."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import HQ, STAFF, role_required
from workflow.machine import TransitionRefused, history

from .. import extensions
from ..models import ExtensionRequest
from ..obligations import working_plan


def _back(request: HttpRequest) -> str:
    """The page the form was posted from (the unit's deadlines), if it is one of ours."""
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return reverse("notifications:inbox")


@role_required(STAFF)
@require_POST
def extension_request(request: HttpRequest) -> HttpResponse:
    due = parse_date(request.POST.get("requested_due", "") or "")
    try:
        if due is None:
            raise TransitionRefused(_("请填写申请延至的日期。"))
        extensions.request_extension(
            request.user.province,
            request.user,
            key=request.POST.get("key", ""),
            requested_due=due,
            reason=request.POST.get("reason", ""),
        )
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("延期申请已提交，等待专利文献部审批。"))
    return redirect(_back(request))


@role_required(HQ)
def extension_list(request: HttpRequest) -> HttpResponse:
    """HQ's queue of extension requests in the working plan, pending first, with the history."""
    plan = working_plan(request)
    requests = (
        ExtensionRequest.objects.visible_to(request.user)
        .filter(plan_year=plan.year if plan is not None else -1)
        .select_related("province", "requested_by", "decided_by")
        .order_by("state", "-requested_at")
    )
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/extension_list.html", {"page": page, "plan": plan})


@role_required(HQ)
@require_POST
def extension_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("approve", "refuse"):
        raise Http404
    ext = get_object_or_404(ExtensionRequest.objects.visible_to(request.user), pk=pk)
    reason = request.POST.get("reason", "")
    try:
        if action == "approve":
            extensions.approve_extension(ext, request.user, reason)
            done = _("已批准 %(u)s 的延期申请：%(what)s。")
        else:
            extensions.refuse_extension(ext, request.user, reason)
            done = _("已驳回 %(u)s 的延期申请：%(what)s。")
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done % {"u": ext.province.short_name, "what": ext.what})
    return redirect("notifications:extension_list")


@role_required(STAFF | HQ)
def extension_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ext = get_object_or_404(
        ExtensionRequest.objects.visible_to(request.user).select_related("province"), pk=pk
    )
    return render(
        request, "notifications/extension_detail.html", {"ext": ext, "history": history(ext)}
    )
