"""The user's inbox and extension requests (延期申请) in the API."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.access import ALL, HQ, STAFF
from config.api import ReadOnlyViewSet, VisibleModelViewSet, object_action

from . import extensions
from .filters import ExtensionRequestFilter, NotificationFilter
from .models import ExtensionRequest, Notification
from .obligations import working_year
from .serializers import (
    DecisionSerializer,
    ExtensionRequestSerializer,
    MarkedReadSerializer,
    NotificationSerializer,
)


class NotificationViewSet(ReadOnlyViewSet):
    """The user's own inbox (站内通知), newest first; anyone else's answers 404."""

    base_queryset = Notification.objects
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    roles = dict.fromkeys(["list", "retrieve", "read", "read_all"], ALL)

    def optimise(self, qs):
        return qs.order_by("-created_at", "-pk")

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None, version=None):
        """Mark one notification read (already read: left as it was)."""
        item = self.get_object()
        self.get_queryset().filter(pk=item.pk, read_at__isnull=True).update(read_at=timezone.now())
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)

    @extend_schema(request=None, responses=MarkedReadSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request, version=None):
        """Mark every unread notification of the inbox read."""
        marked = self.get_queryset().filter(read_at__isnull=True).update(read_at=timezone.now())
        return Response({"marked": marked})


class ExtensionRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, VisibleModelViewSet
):
    """Extension requests (延期申请): a unit asks for its own debts; HQ approves or refuses."""

    base_queryset = ExtensionRequest.objects
    serializer_class = ExtensionRequestSerializer
    filterset_class = ExtensionRequestFilter
    http_method_names = ["get", "post", "head", "options"]
    roles = {
        "list": STAFF | HQ,
        "retrieve": STAFF | HQ,
        "create": STAFF,
        **dict.fromkeys(["approve", "refuse"], HQ),
    }
    refusable = frozenset({"create", "approve", "refuse"})
    reread = True

    def get_queryset(self):
        """A list shows one plan's requests (``?year=``, else the working plan), as every
        API list does; one request is found whatever its year."""
        qs = super().get_queryset()
        if self.action != "list":
            return qs
        year = working_year(self.request)
        return qs.none() if year is None else qs.filter(plan_year=year)

    def optimise(self, qs):
        return qs.select_related("province").order_by("state", "-requested_at", "-pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        user = self.request.user
        serializer.instance = extensions.request_extension(
            user.province,
            user,
            key=data["deadline_key"],
            requested_due=data["requested_due"],
            reason=data["reason"],
        )

    approve = object_action(
        "approve",
        extensions.approve_extension,
        DecisionSerializer,
        responses=ExtensionRequestSerializer,
    )
    refuse = object_action(
        "refuse",
        extensions.refuse_extension,
        DecisionSerializer,
        responses=ExtensionRequestSerializer,
        doc="Refuse, with the reason the unit is told (required).",
    )
