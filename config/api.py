"""Shared building blocks for the REST API."""

from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from planning.working import working_plan_filter
from workflow.machine import TransitionRefused


def exception_handler(exc, context):
    """DRF's handler, plus: a refused transition answers 409 with its reason and state."""
    if isinstance(exc, TransitionRefused):
        set_rollback()
        return Response({"detail": exc.message, "state": exc.current_state}, status=409)
    return drf_exception_handler(exc, context)


MAX_ID = 2**63 - 1  # ids are BigAutoField: a larger number names no object


class ObjectIdField(serializers.IntegerField):
    """An object's id in a request body: a positive 64-bit integer, or a 400."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class VisibleModelViewSet(viewsets.GenericViewSet):
    """Every queryset comes from ``visible_to(user)``: one rule for pages and API.

    An object outside the user's scope is simply not in the queryset, so it answers 404.
    With ``plan_path`` a list shows one plan, as a page does: ``?year=`` when given, else
    the user's chosen year, else ``Plan.objects.current()`` (``planning.working``).
    """

    base_queryset = None  # a QuerySet with a visible_to() method
    plan_path: str | None = None  # e.g. "task__plan": the lookup from the model to its plan

    def get_queryset(self):
        qs = self.base_queryset.all().visible_to(self.request.user)
        if self.plan_path and self.action == "list":
            qs = qs.filter(**working_plan_filter(self.request, self.plan_path))
        return self.optimise(qs)

    def optimise(self, qs):
        return qs


ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
    "description": "An error, with a message in the user's language.",
}
ERROR_STATUSES = {
    "400": "Invalid input (field errors keyed by field name, or detail).",
    "401": "Not authenticated.",
    "403": "Not allowed for this role.",
    "404": "Not found, or not visible to this user (another province's object).",
    "409": "Refused: the object is not in a state that allows this action.",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular hook: document the error answers every operation can give."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in ERROR_STATUSES.items():
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": ERROR_SCHEMA}},
                    },
                )
    return result
