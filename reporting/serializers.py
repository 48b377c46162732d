"""What the reporting API reads and writes (the trends across years)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.api import ObjectIdField


class TrendFilterSerializer(serializers.Serializer):
    """``?task=`` (any task of a row: the row's key is one) and ``?unit=`` (a unit's code)."""

    task = ObjectIdField(required=False, help_text=_("任务（任一年度该行任务的编号）"))
    unit = serializers.RegexField(
        r"^\d{6}$",
        required=False,
        help_text=_("执行单位的行政区划代码"),
        error_messages={"invalid": _("执行单位应为6位行政区划代码。")},
    )


class FiguresSerializer(serializers.Serializer):
    expected = serializers.IntegerField(help_text=_("应报送的任务分解报送（项）"))
    handed_in = serializers.IntegerField(help_text=_("已报送或已确认（项）"))
    completeness = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text=_("报送完整率（%）")
    )
    on_time = serializers.IntegerField(help_text=_("按截止日期报送（项）"))
    on_time_rate = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text=_("按时报送率（%）")
    )
    classes_held = serializers.IntegerField()
    trainees = serializers.IntegerField()
    enterprises_served = serializers.IntegerField()
    cases = serializers.IntegerField()
    projects = serializers.IntegerField()
    money_granted = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text=_("资助经费（万元）")
    )


class CellSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    present = serializers.BooleanField()
    number = serializers.IntegerField(allow_null=True, help_text=_("该年度计划中的任务序号"))
    title = serializers.CharField(allow_blank=True, help_text=_("该年度计划中的任务名称"))
    figures = FiguresSerializer()


class TrendRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    cells = CellSerializer(many=True)


class TotalCellSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    figures = FiguresSerializer()


class TrendsSerializer(serializers.Serializer):
    years = serializers.ListField(child=serializers.IntegerField())
    tasks = TrendRowSerializer(many=True)
    units = TrendRowSerializer(many=True)
    totals = TotalCellSerializer(many=True)
