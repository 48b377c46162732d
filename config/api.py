"""Shared building blocks for the REST API."""

from __future__ import annotations

from rest_framework import viewsets


class VisibleModelViewSet(viewsets.GenericViewSet):
    """Every queryset comes from ``visible_to(user)``: one rule for pages and API.

    An object outside the user's scope is simply not in the queryset, so it answers 404.
    """

    base_queryset = None  # a QuerySet with a visible_to() method

    def get_queryset(self):
        qs = self.base_queryset.all().visible_to(self.request.user)
        return self.optimise(qs)

    def optimise(self, qs):
        return qs
