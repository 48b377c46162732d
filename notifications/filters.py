"""The inbox's and the extension requests' API filters."""

from __future__ import annotations

from config.api import BooleanFilter, FilterSet

from .models import ExtensionRequest, Notification


class NotificationFilter(FilterSet):
    unread = BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notification
        fields = ["unread", "kind"]


class ExtensionRequestFilter(FilterSet):
    class Meta:
        model = ExtensionRequest
        fields = ["state"]
