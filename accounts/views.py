from __future__ import annotations

from django.contrib import messages
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.models import Token
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


@never_cache
@role_required(ALL)
@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    """The user's own API token: see it, replace it with a new one, or revoke it."""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            request.user.revoke_api_token()
            messages.success(request, _("API 令牌已撤销，使用它的程序将无法再访问。"))
        else:
            request.user.rotate_api_token()
            messages.success(request, _("已生成新的 API 令牌，旧令牌已失效。"))
        return redirect("api_token")
    token = Token.objects.filter(user=request.user).first()
    return render(request, "registration/api_token.html", {"token": token})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """API paths answer JSON, pages the Chinese 404 page."""
    if request.path.startswith("/api/"):
        from django.utils.translation import gettext as _

        return JsonResponse({"detail": _("未找到。")}, status=404)
    from django.views.defaults import page_not_found as default

    return default(request, exception)
