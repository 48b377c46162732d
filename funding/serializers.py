from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from config.api import VisiblePrimaryKeyField
from planning.models import Task
from projects.models import Application
from provinces.models import Province

from . import services
from .models import (
    Allocation,
    Payment,
    SpendingCategory,
    SpendingLine,
    SpendingReport,
)

MONEY = {"max_digits": 12, "decimal_places": 2}


def _refused(exc: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError({"detail": exc.messages})


class AllocationSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="plan.year", read_only=True)
    task = serializers.PrimaryKeyRelatedField(queryset=Task.objects.all())
    task_number = serializers.IntegerField(source="task.number", read_only=True)
    province = serializers.SlugRelatedField(slug_field="code", queryset=Province.objects.all())
    project = serializers.PrimaryKeyRelatedField(
        queryset=Application.objects.all(), required=False, allow_null=True
    )
    amount = serializers.DecimalField(min_value=Decimal("0"), **MONEY)
    paid = serializers.DecimalField(read_only=True, **MONEY)
    spent = serializers.DecimalField(read_only=True, **MONEY)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "year",
            "task",
            "task_number",
            "province",
            "project",
            "amount",
            "document_number",
            "date",
            "note",
            "paid",
            "spent",
        ]
        validators: list = []  # the service decides: create, or change the existing one

    def save(self, **kwargs):
        data = {**self.validated_data, **kwargs}
        if self.instance is not None:
            for name in ("task", "province", "project"):
                data[name] = getattr(self.instance, name)
            for name in ("amount", "document_number", "date", "note"):
                data.setdefault(name, getattr(self.instance, name))
        try:
            self.instance, _created = services.allocate(
                data.pop("task"), data.pop("province"), **data
            )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return self.instance


class PaymentSerializer(serializers.ModelSerializer):
    # another unit's allocation is "no such object"
    allocation = VisiblePrimaryKeyField(queryset=Allocation.objects.all())
    amount = serializers.DecimalField(min_value=Decimal("0.01"), **MONEY)

    class Meta:
        model = Payment
        fields = ["id", "allocation", "amount", "date", "note", "recorded_at"]
        read_only_fields = ["recorded_at"]

    def create(self, validated_data):
        try:
            return services.record_payment(validated_data.pop("allocation"), **validated_data)
        except DjangoValidationError as exc:
            raise _refused(exc) from exc


class SpendingLineSerializer(serializers.ModelSerializer):
    category = serializers.PrimaryKeyRelatedField(queryset=SpendingCategory.objects.all())
    amount = serializers.DecimalField(min_value=Decimal("0"), **MONEY)

    class Meta:
        model = SpendingLine
        fields = ["category", "amount", "note"]


class SpendingReportSerializer(serializers.ModelSerializer):
    allocation = VisiblePrimaryKeyField(queryset=Allocation.objects.all())
    lines = SpendingLineSerializer(many=True, required=False)
    total = serializers.DecimalField(read_only=True, **MONEY)

    class Meta:
        model = SpendingReport
        fields = [
            "id",
            "allocation",
            "state",
            "note",
            "lines",
            "total",
            "submitted_at",
            "is_late",
            "confirmed_at",
        ]
        read_only_fields = sorted(SpendingReport.SET_BY_TRANSITIONS)

    def validate_lines(self, lines):
        categories = [line["category"].pk for line in lines]
        if len(categories) != len(set(categories)):
            raise serializers.ValidationError(_("每个支出类别只能填写一行。"))
        return lines

    def _save(self, report, validated_data):
        lines = validated_data.get("lines")
        amounts = (
            {x["category"].pk: x["amount"] for x in lines}
            if lines is not None
            else {x.category_id: x.amount for x in report.lines.all()}
            if report.pk
            else {}
        )
        notes = (
            {x["category"].pk: x.get("note", "") for x in lines}
            if lines is not None
            else {x.category_id: x.note for x in report.lines.all()}
            if report.pk
            else {}
        )
        try:
            return services.save_spending(
                report,
                self.context["request"].user,
                note=validated_data.get("note", report.note),
                amounts=amounts,
                notes=notes,
            )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc

    def create(self, validated_data):
        return self._save(services.report_for(validated_data["allocation"]), validated_data)

    def update(self, instance, validated_data):
        if "allocation" in validated_data and validated_data["allocation"] != instance.allocation:
            raise serializers.ValidationError({"allocation": [_("不能改为另一笔经费下达。")]})
        return self._save(instance, validated_data)


class MoneyRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    allocated = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    spent = serializers.DecimalField(**MONEY)
    paid_rate = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    spent_rate = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)


class SummarySerializer(serializers.Serializer):
    by_task = MoneyRowSerializer(many=True)
    by_unit = MoneyRowSerializer(many=True)
    total = MoneyRowSerializer()
