"""The in-app inbox: notifications, marking them read, and the user's notification preference."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ALL, role_required

from ..forms import PreferenceForm
from ..models import Notification


@role_required(ALL)
def inbox(request: HttpRequest) -> HttpResponse:
    items = Notification.objects.filter(user=request.user)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    form = PreferenceForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("通知方式与通知语言已保存。"))
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
