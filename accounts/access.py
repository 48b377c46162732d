"""Who may do what: declared beside each view, enforced here.

A page declares its roles with :func:`role_required` (or :func:`public`); an API view
declares ``roles = {action: roles}``, read by :class:`DeclaredRoles` (the API's default
permission). Both answer from :meth:`accounts.models.User.has_role`. Which *objects* a
user sees is another rule, each model's ``visible_to(user)``; another province's object
answers 404 there. A refused transition becomes 409 in ``config.api.exception_handler``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from .models import ADMINISTRATORS, ALL, EXPERTS, HQ, STAFF

__all__ = [
    "ADMINISTRATORS",
    "ALL",
    "DeclaredRoles",
    "EXPERTS",
    "HQ",
    "PUBLIC",
    "STAFF",
    "PageRoles",
    "public",
    "refusal",
    "role_required",
]

Roles = frozenset[str]


class _Public:
    """No login needed: the health check, the calendar feed (its token is the key)."""

    def __repr__(self) -> str:
        return "PUBLIC"


PUBLIC = _Public()

READS = frozenset({"GET", "HEAD", "OPTIONS"})

_REFUSALS = {
    HQ: _("只有专利文献部可以执行此操作。"),
    STAFF: _("只有省局工作人员可以执行此操作。"),
    EXPERTS: _("只有评审专家可以执行此操作。"),
}


def refusal(roles: Roles) -> str:
    """The message for a user whose role is not among ``roles`` (the API's 403)."""
    return _REFUSALS.get(roles, _("您的角色不能执行此操作。"))


@dataclass(frozen=True)
class PageRoles:
    """What a page declares: who may read it, who may post to it, or who may do each action.

    With ``actions``, the URL's ``action`` names the verb; a verb not declared answers 404.
    """

    read: Roles | None = None
    write: Roles | None = None
    actions: Mapping[str, Roles] = field(default_factory=dict)

    def for_request(self, request: HttpRequest, kwargs: Mapping) -> Roles | None:
        if self.actions:
            return self.actions.get(kwargs.get("action", ""))
        return self.read if request.method in READS else self.write


def role_required(
    roles: Roles | None = None,
    *,
    post: Roles | None = None,
    actions: Mapping[str, Roles] | None = None,
    send_to_login: bool = False,
) -> Callable:
    """Declare who may use a page; anyone else gets 404 (or the login page).

    ``roles`` may read the page and, unless ``post`` says otherwise, post to it.
    ``actions`` maps the URL's ``action`` to the roles allowed to do it.
    ``send_to_login`` answers a wrong role as an anonymous visitor (the admin-only pages).
    Anonymous visitors always go to the login page first.
    """
    declared = PageRoles(
        read=roles, write=post if post is not None else roles, actions=dict(actions or {})
    )

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            allowed = declared.for_request(request, kwargs)
            if allowed is None or not request.user.has_role(allowed):
                if send_to_login:
                    return redirect_to_login(request.get_full_path())
                raise Http404
            return view(request, *args, **kwargs)

        guarded = login_required(checked)
        guarded.declared_roles = declared
        return guarded

    return decorate


def public(view: Callable) -> Callable:
    """Declare a page that needs no login."""
    view.declared_roles = PUBLIC
    return view


class DeclaredRoles(BasePermission):
    """The one API permission: each view declares ``roles = {action: roles}``; this reads it.

    Runs before the object is looked up, so a wrong role is told 403 whatever it asks for,
    and never learns whether the object exists. An action the view forgot to declare is
    refused (``tests/test_declared_roles.py`` fails on it first).
    """

    message = refusal(frozenset())

    def has_permission(self, request, view) -> bool:
        method = request.method.lower()
        action = getattr(view, "action", None) or method
        roles = getattr(view, "roles", {}).get(action)
        if roles is PUBLIC:
            return True
        if not request.user.is_authenticated:
            return False  # 401 with WWW-Authenticate
        if action == "metadata" or getattr(view, method, None) is None:
            roles = ALL  # OPTIONS describes the endpoint; an unrouted method answers 405
        if roles is None or not request.user.has_role(roles):
            self.message = refusal(roles or frozenset())
            return False
        return True
