"""The inbox and extension requests in the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from .models import ExtensionRequest, Notification


class NotificationSerializer(serializers.ModelSerializer):
    """One notification of the user's inbox; ``text`` is in the request's language."""

    text = serializers.CharField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "link", "created_at", "read_at"]
        read_only_fields = fields


class MarkedReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=gettext_lazy("标为已读的通知条数"))


class ExtensionRequestSerializer(serializers.ModelSerializer):
    """延期申请: the unit names what it owes (``key``), the date it asks for and why."""

    key = serializers.CharField(
        source="deadline_key",
        max_length=100,
        help_text=gettext_lazy("所欠事项的标识（见本单位的时间节点）"),
    )
    province = serializers.CharField(source="province.code", read_only=True)

    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "key",
            "province",
            "what",
            "plan_year",
            "due_date",
            "requested_due",
            "reason",
            "state",
            "requested_at",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = [
            "what",
            "plan_year",
            "due_date",
            "state",
            "requested_at",
            "decided_at",
            "decision_reason",
        ]
        extra_kwargs = {"reason": {"allow_blank": True}}  # the service says what is missing


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
