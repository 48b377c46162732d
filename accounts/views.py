from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.views import ObtainAuthToken

from .access import ALL, PUBLIC, DeclaredRoles, public, role_required


@role_required(ALL)
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work is."""
    user = request.user
    if user.is_province_staff and user.province_id:
        return redirect("provinces:todo")
    if user.is_expert:
        try:
            return redirect(reverse("projects:my_reviews"))
        except NoReverseMatch:
            return redirect("planning:plan_list")
    if user.is_hq:
        try:
            return redirect(reverse("provinces:board"))
        except NoReverseMatch:
            return redirect("planning:plan_list")
    return redirect("planning:plan_list")


@public
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and docker-compose: answers only if the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@extend_schema(tags=["auth"], summary="Obtain an API token with username and password")
class ObtainTokenView(ObtainAuthToken):
    permission_classes = [DeclaredRoles]
    roles = {"post": PUBLIC}  # logging in to the API needs no login


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """API paths answer JSON, pages the Chinese 404 page."""
    if request.path.startswith("/api/"):
        from django.utils.translation import gettext as _

        return JsonResponse({"detail": _("未找到。")}, status=404)
    from django.views.defaults import page_not_found as default

    return default(request, exception)
