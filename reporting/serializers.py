"""What the reporting API reads and writes: the trends across years, annual summaries with
next year's plan, and progress bulletins."""

from __future__ import annotations

from django.core.exceptions import ValidationError as ModelValidationError
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.api import ObjectIdField, VisibleSlugField
from planning.models import Plan
from provinces.models import Case, LedgerEntry, TaskReport, TrainingClass
from workflow.machine import TransitionRefused
from workflow.review import save_draft
from workflow.validation import ModelRulesSerializer

from .forms import next_year_tasks
from .models import AnnualSummary, Bulletin, NextYearTaskPlan


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


SECTION_NAMES = [name for name, _label in AnnualSummary.SECTIONS]


class TaskPlanSerializer(serializers.ModelSerializer):
    """下一年度工作计划 of one task, as the summary page's rows write it."""

    task = ObjectIdField(
        write_only=True,
        error_messages={"required": gettext_lazy("请选择任务。")},
        help_text=gettext_lazy(
            "任务的 id：下一年度计划已发布时为下一年度的任务，否则为本年度的任务"
        ),
    )
    next_year_task = serializers.IntegerField(source="task_id", read_only=True, allow_null=True)

    class Meta:
        model = NextYearTaskPlan
        fields = [
            "id",
            "task",
            "next_year_task",
            "task_number",
            "task_title",
            "work_content",
            "expected_results",
            "schedule",
        ]
        read_only_fields = ["id", "task_number", "task_title"]
        extra_kwargs = {
            "work_content": {
                "error_messages": {
                    "required": gettext_lazy("请填写该任务的工作内容。"),
                    "blank": gettext_lazy("请填写该任务的工作内容。"),
                }
            }
        }


class AnnualSummarySerializer(serializers.ModelSerializer):
    """A unit's 年度工作总结 and next year's plan; saved as a draft through ``save_draft``.

    The figures are read from the ledgers at submission, never written here.
    """

    year = VisibleSlugField(source="plan", slug_field="year", queryset=Plan.objects.all())
    province = serializers.CharField(source="province.code", read_only=True)
    task_plans = TaskPlanSerializer(many=True, required=False)

    class Meta:
        model = AnnualSummary
        fields = [
            "id",
            "year",
            "province",
            *SECTION_NAMES,
            "task_plans",
            *AnnualSummary.FIGURES,
            "state",
            "submitted_at",
            "is_late",
            "updated_at",
        ]
        read_only_fields = sorted(AnnualSummary.SET_BY_TRANSITIONS)  # with the figures

    def validate_year(self, plan):
        if self.instance is not None and plan.pk != self.instance.plan_id:
            raise serializers.ValidationError(gettext("不能更改年度工作总结的年度。"))
        return plan

    def validate(self, attrs):
        """Each per-task plan names a task the page offers (``next_year_tasks``)."""
        attrs = super().validate(attrs)
        rows = attrs.get("task_plans")
        if rows is None:
            return attrs
        plan = attrs.get("plan") or self.instance.plan
        following, tasks = next_year_tasks(plan, self.context["request"].user)
        offered = {t.pk: t for t in tasks}
        errors = [
            {} if row["task"] in offered else {"task": [gettext("请选择任务。")]} for row in rows
        ]
        if any(errors):
            raise serializers.ValidationError({"task_plans": errors})
        attrs["task_plans"] = [
            NextYearTaskPlan(
                task=offered[row["task"]] if following else None,
                task_number=offered[row["task"]].number,
                task_title=offered[row["task"]].title,
                work_content=row["work_content"],
                expected_results=row.get("expected_results", ""),
                schedule=row.get("schedule", ""),
            )
            for row in rows
        ]
        return attrs

    def _save(self, summary: AnnualSummary, validated: dict) -> AnnualSummary:
        rows = validated.pop("task_plans", None)
        fields = {name: validated[name] for name in SECTION_NAMES if name in validated}
        return save_draft(summary, self.context["request"].user, fields, {"task_plans": rows})

    def create(self, validated):
        """A unit has one summary a year: creating it again changes the draft it has."""
        user = self.context["request"].user
        plan = validated.pop("plan")
        existing = AnnualSummary.objects.filter(plan=plan, province_id=user.province_id).first()
        return self._save(
            existing or AnnualSummary(plan=plan, province_id=user.province_id), validated
        )

    def update(self, summary, validated):
        validated.pop("plan", None)
        return self._save(summary, validated)


class BulletinSerializer(ModelRulesSerializer):
    """工作进展: HQ composes it for a period, collects ledger entries, confirmed cases,
    training classes and confirmed task reports, and publishes it to every unit."""

    year = serializers.SlugRelatedField(
        source="plan", slug_field="year", queryset=Plan.objects.none()
    )
    entries = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=LedgerEntry.objects.none()
    )
    cases = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Case.objects.none()
    )
    trainings = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=TrainingClass.objects.none(),
        help_text=gettext_lazy("收录的培训班（本年度计划的，各单位和专利文献部主办的）"),
    )
    task_reports = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=TaskReport.objects.none(),
        help_text=gettext_lazy("收录的专项报送（本年度已确认的）"),
    )

    class Meta:
        model = Bulletin
        fields = [
            "id",
            "year",
            "title",
            "period_start",
            "period_end",
            "introduction",
            "entries",
            "cases",
            "trainings",
            "task_reports",
            "state",
            "published_at",
        ]
        read_only_fields = ["state", "published_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            user = request.user
            self.fields["year"].queryset = Plan.objects.visible_to(user)
            self.fields["entries"].child_relation.queryset = LedgerEntry.objects.visible_to(
                user
            ).select_related("assignment__task")
            self.fields["cases"].child_relation.queryset = Case.objects.visible_to(user)
            self.fields["trainings"].child_relation.queryset = TrainingClass.objects.visible_to(
                user
            ).select_related("plan")
            self.fields["task_reports"].child_relation.queryset = TaskReport.objects.visible_to(
                user
            ).select_related("province", "definition__task")

    def validate_year(self, plan):
        if self.instance is not None and plan.pk != self.instance.plan_id:
            raise serializers.ValidationError(gettext("不能更改工作进展的年度。"))
        return plan

    def validate(self, attrs):
        """The page's rule: only the plan's ledger entries, and its confirmed cases."""
        attrs = super().validate(attrs)
        plan = attrs.get("plan") or self.instance.plan
        errors = {}
        if any(e.assignment.task.plan_id != plan.pk for e in attrs.get("entries", [])):
            errors["entries"] = [gettext("只能收录本年度计划的工作台账。")]
        if any(
            c.plan_id != plan.pk or c.state != Case.State.CONFIRMED for c in attrs.get("cases", [])
        ):
            errors["cases"] = [gettext("只能收录本年度已确认的典型案例。")]
        try:
            Bulletin(plan=plan).check_items(
                trainings=attrs.get("trainings", []), task_reports=attrs.get("task_reports", [])
            )
        except ModelValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def _save(self, bulletin: Bulletin, validated: dict) -> Bulletin:
        if bulletin.state == Bulletin.State.PUBLISHED:
            raise TransitionRefused(
                gettext("已发布的工作进展不能修改。"), current_state=bulletin.state
            )
        bulletin.plan.ensure_open()
        entries, cases = validated.pop("entries", None), validated.pop("cases", None)
        trainings = validated.pop("trainings", None)
        task_reports = validated.pop("task_reports", None)
        for name, value in validated.items():
            setattr(bulletin, name, value)
        bulletin.save()
        if entries is not None:
            bulletin.entries.set(entries)
        if cases is not None:
            bulletin.cases.set(cases)
        if trainings is not None:
            bulletin.trainings.set(trainings)
        if task_reports is not None:
            bulletin.task_reports.set(task_reports)
        return bulletin

    def create(self, validated):
        user = self.context["request"].user
        return self._save(Bulletin(plan=validated["plan"], created_by=user), validated)

    def update(self, bulletin, validated):
        validated.pop("plan", None)
        return self._save(bulletin, validated)
