"""Shared building blocks for the REST API."""

from __future__ import annotations

from functools import partial

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from accounts.access import HQ, STAFF
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


class VisibleChoices:
    """A related field whose choices are the rows the requesting user sees
    (``visible_to``): another unit's row is "no such object" (400), as it is a 404 to read."""

    def get_queryset(self):
        request = self.context.get("request")
        qs = super().get_queryset()
        return qs.visible_to(request.user) if request is not None else qs.none()


class VisiblePrimaryKeyField(VisibleChoices, serializers.PrimaryKeyRelatedField):
    """A visible row named by its id (see VisibleChoices)."""


class VisibleSlugField(VisibleChoices, serializers.SlugRelatedField):
    """A visible row named by a field of its own, e.g. a plan by its year (see VisibleChoices)."""


@extend_schema_field(
    {"type": "array", "items": {"type": "object", "additionalProperties": {}}, "readOnly": True}
)
class FilesField(serializers.Field):
    """A row's stored files (workflow.files), read only: each one's id, name and size and
    the URL that serves it (``url_name``), which checks who sees the row. A list view may
    attach ``<field>_files``, the page's files as (id, name, size) read in one query, so that
    no row opens a related manager of its own."""

    def __init__(self, url_name: str, **kwargs):
        self.url_name = url_name
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        attached = getattr(instance, f"{self.field_name}_files", None)
        return attached if attached is not None else super().get_attribute(instance)

    def to_representation(self, files) -> list[dict]:
        rows = (
            files
            if isinstance(files, list)
            else [(f.pk, f.original_name, f.size) for f in files.all()]
        )
        return [
            {"id": pk, "name": name, "size": size, "url": reverse(self.url_name, args=[pk])}
            for pk, name, size in rows
        ]


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (a year, a task's number): ``year=0.5`` is refused (400), not rounded."""

    field_class = forms.IntegerField


class StrictBooleanField(forms.Field):
    """true/false (or 1/0); anything else is refused, not read as "no filter"."""

    widget = forms.TextInput
    TRUE = frozenset({"true", "1", "yes", "on"})
    FALSE = frozenset({"false", "0", "no", "off"})
    default_error_messages = {
        "invalid": gettext_lazy("“%(value)s”不是有效的布尔值：请填写 true 或 false。")
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(
            self.error_messages["invalid"], code="invalid", params={"value": value}
        )


class BooleanFilter(django_filters.BooleanFilter):
    """A yes/no filter: ``?flag=maybe`` answers 400, as ``year=0.5`` does."""

    field_class = StrictBooleanField


class FilterSet(django_filters.FilterSet):
    """Every API list's filters: a model's yes/no field filters strictly (see BooleanFilter)."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
    }


def year_filter(field_name: str) -> IntegerFilter:
    """The plan year a list is filtered by, named ``year`` on every list."""
    return IntegerFilter(field_name=field_name, min_value=2000, max_value=2100)


class VisibleModelViewSet(viewsets.GenericViewSet):
    """Every queryset comes from ``visible_to(user)``: one rule for pages and API.

    An object outside the user's scope is simply not in the queryset, so it answers 404.
    ``refusable`` names the actions that can refuse a transition (409); the schema
    documents 409 on those only.
    """

    base_queryset = None  # a QuerySet with a visible_to() method
    refusable: frozenset[str] = frozenset()
    reread = False  # an action answers with its row re-read as the viewset reads it

    def get_queryset(self):
        qs = self.base_queryset.all().visible_to(self.request.user)
        return self.optimise(qs)

    def optimise(self, qs):
        return qs

    def answer(self, obj, status=200):
        """What an action on ``obj`` responds with: ``obj``, or with ``reread`` the row as
        ``get_queryset`` reads it (its annotations and prefetches, after the change)."""
        if self.reread:
            obj = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(obj).data, status)

    def run(self, request, service, body=None):
        """One action on one object: ``body`` (a serializer class, or none) validates the
        request, ``service(obj, user, **data)`` does the work, ``answer`` responds."""
        obj = self.get_object()
        data = {}
        if body is not None:
            serializer = body(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        service(obj, request.user, **data)
        return self.answer(obj)


def object_action(
    name: str, service, body=None, *, url_path: str | None = None, responses=None, doc=None
):
    """A POST action ``name`` on one object that calls ``service`` (see
    ``VisibleModelViewSet.run``), declared in a line: ``approve = object_action("approve",
    services.approve, ApproveSerializer)``. Who may take it is declared in ``roles``."""

    def step(self, request, pk=None, version=None):
        return self.run(request, service, body)

    step.__name__ = name  # DRF routes an action by its function's name
    step.__doc__ = doc  # the operation's description (else the viewset's)
    schema = {"request": body} if responses is None else {"request": body, "responses": responses}
    return extend_schema(**schema)(action(detail=True, methods=["post"], url_path=url_path)(step))


class AtomicWrites:
    """A create or an update is one transaction (a draft and its children, a row and the
    notifications it causes). Listed before DRF's model mixins, whose saves it replaces."""

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()


class ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VisibleModelViewSet):
    """A list and its rows, read only."""


WRITES = ("create", "update", "partial_update")


class EditableViewSet(
    AtomicWrites,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    VisibleModelViewSet,
):
    """Rows written (POST) and changed (PUT, PATCH) in one transaction each; never deleted
    here (a closed plan or a submitted state refuses the change: 409)."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    refusable = frozenset(WRITES)


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


class Schema(AutoSchema):
    """Documents the error answers each operation can give: 409 only where it can refuse."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for status in self.error_statuses():
            operation["responses"].setdefault(
                status,
                {
                    "description": ERROR_STATUSES[status],
                    "content": {"application/json": {"schema": ERROR_SCHEMA}},
                },
            )
        return operation

    def error_statuses(self) -> list[str]:
        statuses = ["400", "401", "403", "404"]
        action = getattr(self.view, "action", None)
        if self.method not in SAFE_METHODS and action in getattr(self.view, "refusable", ()):
            statuses.append("409")
        return statuses


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class SubmissionActions(AtomicWrites):
    """The reviewed-submission lifecycle (workflow.review) as API actions, written once:
    ``submit`` by the unit, ``return`` with a reason and ``confirm`` by HQ.

    A step is the model's own transition (``obj.submit(by)``, ``obj.return_for_revision(by,
    reason)``, ``obj.confirm(by, reason)``) unless the viewset names a service for it in
    ``review_steps`` (one that also tells someone, say); who may take a step is declared in
    its ``roles`` like any other action. ``answer`` is what the
    action responds with (a viewset may re-read the row with its annotations).
    """

    review_steps: dict = {}

    def _step(self, name, request):
        body = None if name == "submit" else ReasonSerializer
        service = self.review_steps.get(name, getattr(self.base_queryset.model, name))
        return self.run(request, service, body)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None, version=None):
        return self._step("submit", request)

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_revision(self, request, pk=None, version=None):
        """Return for revision; the reason is required."""
        return self._step("return_for_revision", request)

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None, version=None):
        return self._step("confirm", request)


class SubmissionViewSet(SubmissionActions, EditableViewSet):
    """A reviewed submission (workflow.review): the unit writes and submits its draft, HQ
    returns or confirms it; see SubmissionActions. Who does which is ``submission_roles``."""

    refusable = frozenset({*WRITES, "submit", "return_for_revision", "confirm"})


def submission_roles(read, write=STAFF, review=HQ) -> dict:
    """Who may do what with a reviewed submission: ``read`` lists and reads it, ``write``
    (the unit) creates, changes and submits a draft, ``review`` (HQ) returns or confirms."""
    return {
        **dict.fromkeys(["list", "retrieve"], read),
        **dict.fromkeys([*WRITES, "submit"], write),
        **dict.fromkeys(["return_for_revision", "confirm"], review),
    }


class ReopenAction:
    """``reopen`` of a confirmed submission by HQ, with a reason (see SubmissionActions)."""

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None, version=None):
        return self._step("reopen", request)


class KnownCountPaginator(Paginator):
    """A paginator told its count (when it is known), so it never asks COUNT(*)."""

    def __init__(self, object_list, per_page, *args, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        if count is not None:
            self.count = count


class CountedPagination(PageNumberPagination):
    """Page numbers whose total comes from the view's ``known_count(queryset)`` when it
    keeps one (e.g. the ledger's per-assignment summaries; None: counted as usual)."""

    def paginate_queryset(self, queryset, request, view=None):
        known = getattr(view, "known_count", None)
        count = known(queryset) if known is not None else None
        self.django_paginator_class = partial(KnownCountPaginator, count=count)
        return super().paginate_queryset(queryset, request, view)
