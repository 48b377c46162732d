"""The calendar feed (.ics) of what a user's unit owes, and renewing its address."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ALL, public, role_required
from accounts.models import User

from ..calendar import feed_for
from ..links import site_url


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
    response = HttpResponse(
        feed_for(user, site_url(request)), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="workplan.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
