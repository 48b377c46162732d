"""Pages for extension requests, in-app notifications and the calendar feed."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ALL, HQ, STAFF, public, role_required
from accounts.models import User
from workflow.machine import TransitionRefused, history

from . import extensions
from .calendar import feed_for
from .models import ExtensionRequest, Notification

# --- extension requests -------------------------------------------------------------


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
    """HQ's queue of extension requests, pending first, with the history."""
    requests = (
        ExtensionRequest.objects.visible_to(request.user)
        .select_related("province", "requested_by", "decided_by")
        .order_by("state", "-requested_at")
    )
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/extension_list.html", {"page": page})


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


# --- notifications ---------------------------------------------------------------------


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["notify_by"]
        widgets = {"notify_by": forms.RadioSelect}


@role_required(ALL)
def inbox(request: HttpRequest) -> HttpResponse:
    items = Notification.objects.filter(user=request.user)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    form = PreferenceForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("通知方式已保存。"))
        return redirect("notifications:inbox")
    token = request.user.ensure_calendar_token()
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "form": form,
            "calendar_url": request.build_absolute_uri(f"/notifications/calendar/{token}.ics"),
        },
    )


@role_required(ALL)
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    items = Notification.objects.filter(user=request.user, read_at__isnull=True)
    if request.POST.get("id", "").isdigit():
        items = items.filter(pk=int(request.POST["id"]))
    items.update(read_at=timezone.now())
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "notifications:inbox"  # only same-site pages: never an open redirect
    return redirect(target)


@role_required(ALL)
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go to what it is about."""
    item = get_object_or_404(Notification, pk=pk, user=request.user)
    if item.read_at is None:
        Notification.objects.filter(pk=item.pk).update(read_at=timezone.now())
    link = item.link if item.link.startswith("/") and not item.link.startswith("//") else ""
    return redirect(link or "notifications:inbox")


@role_required(ALL)
@require_POST
def calendar_renew(request: HttpRequest) -> HttpResponse:
    request.user.ensure_calendar_token(renew=True)
    messages.success(request, _("已生成新的订阅地址，旧地址已失效。"))
    return redirect("notifications:inbox")


@public
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login (calendar apps cannot log in): the long random token is the key."""
    user = (
        User.objects.filter(calendar_token=token, is_active=True).select_related("province").first()
    )
    if user is None or len(token) < 20:
        raise Http404
    response = HttpResponse(feed_for(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="workplan.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
