"""Every view declares who may use it: pages with @role_required or @public, API views
with ``roles = {action: roles}``. A new view without a declaration fails here.

What each role gets from each URL is pinned by tests/test_permission_matrix.py and
tests/test_write_matrix.py; this file pins that the answer comes from a declaration.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, path
from rest_framework import mixins, viewsets
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from accounts.access import ALL, HQ, PUBLIC, STAFF, DeclaredRoles, role_required
from accounts.models import Role, User
from config.api import exception_handler
from workflow.machine import TransitionRefused

# Views that Django and the API docs bring, each with its own access rule.
FRAMEWORK_VIEWS = {
    "login": "Django's login page: for anonymous visitors",
    "logout": "Django's logout: anyone",
    "password_change": "Django's own login_required",
    "set_language": "Django's language switch: anyone, before and after login",
    "schema": "drf-spectacular's OpenAPI schema: public documentation",
    "api-docs": "drf-spectacular's Swagger page: public documentation",
}


def _actions(callback) -> set[str]:
    """What an API view's roles must name: the viewset's actions, or an APIView's methods."""
    if getattr(callback, "actions", None):
        return set(callback.actions.values())
    cls = callback.cls
    return {m for m in cls.http_method_names if m not in {"options", "head"} and hasattr(cls, m)}


def undeclared(patterns=None, prefix: str = "") -> list[str]:
    """URL names whose view says nothing about who may use it (or forgets an action)."""
    found = []
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            if p.app_name == "admin":
                continue  # the Django admin checks is_staff itself
            found += undeclared(
                p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix
            )
            continue
        name = prefix + (p.name or str(p.pattern))
        if name in FRAMEWORK_VIEWS or (name.endswith("-api-root")):
            continue
        callback = p.callback
        cls = getattr(callback, "cls", None)
        if cls is not None and issubclass(cls, APIView):
            declared = getattr(cls, "roles", {})
            uses_declaration = DeclaredRoles in cls.permission_classes
            if not uses_declaration or _actions(callback) - set(declared):
                found.append(name)
        elif getattr(callback, "declared_roles", None) is None:
            found.append(name)
    return sorted(found)


def test_every_view_declares_its_roles():
    assert not undeclared(), "declare who may use these views (accounts.access)"


def test_a_view_without_a_declaration_is_found():
    class Forgetful(mixins.ListModelMixin, viewsets.GenericViewSet):
        roles = {"list": ALL}  # and "approve" forgotten

        def approve(self, request):
            return Response()

    patterns = [
        path("plain/", lambda request: HttpResponse(), name="plain"),
        path("declared/", role_required(HQ)(lambda request: HttpResponse()), name="declared"),
        path("api/", Forgetful.as_view({"get": "list", "post": "approve"}), name="forgetful"),
        path("fine/", Forgetful.as_view({"get": "list"}), name="fine"),
    ]
    assert undeclared(patterns) == ["forgetful", "plain"]


def _user(role: str, **extra) -> User:
    return User(username=f"u-{role}", role=role, **extra)


class Approvals(APIView):
    roles = {"get": ALL, "post": HQ}

    def get(self, request):
        return Response({"ok": True})

    def post(self, request):
        return Response({"ok": True})

    def delete(self, request):  # declared by nobody: refused, whatever the role
        return Response({"ok": True})


@pytest.mark.parametrize(
    ("role", "method", "status"),
    [
        (Role.EXPERT, "get", 200),
        (Role.PROVINCE_STAFF, "post", 403),
        (Role.EXPERT, "post", 403),
        (Role.HQ_REVIEWER, "post", 200),
        (Role.ADMINISTRATOR, "post", 200),
        (Role.HQ_REVIEWER, "delete", 403),
    ],
)
def test_the_api_permission_reads_the_declared_roles(role, method, status):
    request = getattr(APIRequestFactory(), method)("/x/")
    force_authenticate(request, user=_user(role))
    response = Approvals.as_view()(request)
    assert response.status_code == status


def test_the_api_refusal_names_who_may():
    request = APIRequestFactory().post("/x/")
    force_authenticate(request, user=_user(Role.PROVINCE_STAFF))
    response = Approvals.as_view()(request)
    assert str(response.data["detail"]) == "只有专利文献部可以执行此操作。"


def test_a_superuser_plays_hq_not_province_staff():
    boss = _user(Role.EXPERT, is_superuser=True)
    assert boss.has_role(HQ) and not boss.has_role(STAFF)


def test_a_public_action_needs_no_login():
    class Open(APIView):
        roles = {"get": PUBLIC}

        def get(self, request):
            return Response({"ok": True})

    assert Open.as_view()(APIRequestFactory().get("/x/")).status_code == 200
    assert Approvals.as_view()(APIRequestFactory().get("/x/")).status_code == 401


def test_a_page_refuses_a_wrong_role_with_404_and_an_undeclared_action_too():
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    page = role_required(actions={"approve": HQ})(lambda request, action: HttpResponse("ok"))
    request = RequestFactory().post("/x/")
    request.user = _user(Role.HQ_REVIEWER)
    assert page(request, action="approve").status_code == 200
    for user, action in [(_user(Role.PROVINCE_STAFF), "approve"), (request.user, "delete")]:
        request.user = user
        with pytest.raises(Http404):
            page(request, action=action)
    request.user = AnonymousUser()
    assert page(request, action="approve").status_code == 302  # to the login page


def test_a_refused_transition_answers_409_with_its_reason_and_state():
    response = exception_handler(TransitionRefused("已经报送过了。", current_state="submitted"), {})
    assert response.status_code == 409
    assert response.data == {"detail": "已经报送过了。", "state": "submitted"}
