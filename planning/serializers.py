from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from config.api import VisibleSlugField
from workflow.validation import ModelRulesSerializer

from .models import Deadline, Plan, Target, Task, TaskItem, Track


class TaskItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskItem
        fields = ["number", "text"]


class TrackSerializer(serializers.ModelSerializer):
    items = serializers.SlugRelatedField(many=True, read_only=True, slug_field="number")

    class Meta:
        model = Track
        fields = ["id", "code", "name", "base_level", "items"]


class TargetSerializer(serializers.ModelSerializer):
    item = serializers.IntegerField(source="item.number", read_only=True, allow_null=True)

    class Meta:
        model = Target
        fields = ["id", "description", "metric", "minimum", "unit", "period", "item"]


class DeadlineSerializer(serializers.ModelSerializer):
    task = serializers.IntegerField(source="task.number", read_only=True, allow_null=True)

    class Meta:
        model = Deadline
        fields = ["id", "kind", "due_date", "description", "task"]


class TaskSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="plan.year", read_only=True)
    items = TaskItemSerializer(many=True, read_only=True)
    tracks = TrackSerializer(many=True, read_only=True)
    targets = TargetSerializer(many=True, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "year",
            "number",
            "title",
            "goal",
            "executing_rule",
            "support",
            "funded",
            "guided",
            "funding_mode",
            "all_units",
            "voluntary_others",
            "bases_only",
            "items",
            "tracks",
            "targets",
        ]


class PlanSerializer(serializers.ModelSerializer):
    deadlines = DeadlineSerializer(many=True, read_only=True)
    bases = serializers.SerializerMethodField(help_text="province code → key/basic, this year")

    def get_bases(self, plan: Plan) -> dict[str, str]:
        return {u.province.code: u.base_level for u in plan.units.all() if u.base_level}

    western = serializers.SerializerMethodField(
        help_text="codes of the provinces counted as western in this plan year"
    )

    def get_western(self, plan: Plan) -> list[str]:
        return [u.province.code for u in plan.units.all() if u.western]

    class Meta:
        model = Plan
        fields = [
            "id",
            "year",
            "title",
            "document_number",
            "issuer",
            "issue_date",
            "overall_goal",
            "priorities",
            "requirements",
            "state",
            "deadlines",
            "bases",
            "western",
        ]


class DeadlineResourceSerializer(ModelRulesSerializer):
    """A deadline (时间节点) of a plan: HQ adds its own (kind ``other``) and tunes the
    reminders of the notice's; the notice's own date, task and wording stay as read."""

    year = VisibleSlugField(source="plan", slug_field="year", queryset=Plan.objects.all())
    task = serializers.IntegerField(
        source="task.number",
        required=False,
        allow_null=True,
        min_value=1,
        max_value=32767,
        help_text=gettext_lazy("任务序号；留空表示所有承担任务的执行单位都要报送"),
    )

    class Meta:
        model = Deadline
        fields = [
            "id",
            "year",
            "kind",
            "task",
            "due_date",
            "description",
            "sentence",
            "reminder_offsets",
        ]
        read_only_fields = ["kind", "sentence"]

    FROM_THE_NOTICE = ("task", "due_date", "description")

    def validate(self, attrs):
        number = attrs.pop("task", {}).get("number", Ellipsis)
        plan = attrs.get("plan") or self.instance.plan
        if self.instance is not None and plan.pk != self.instance.plan_id:
            raise serializers.ValidationError({"year": [_("不能更改时间节点的年度。")]})
        if number is not Ellipsis:
            task = None if number is None else plan.tasks.filter(number=number).first()
            if number is not None and task is None:
                raise serializers.ValidationError({"task": [_("该年度计划中没有这一任务。")]})
            attrs["task"] = task
        if self.instance is not None and self.instance.kind != Deadline.Kind.OTHER:
            changed = [
                name
                for name in self.FROM_THE_NOTICE
                if name in attrs and attrs[name] != getattr(self.instance, name)
            ]
            if changed:
                raise serializers.ValidationError(
                    dict.fromkeys(changed, [_("通知中的时间节点只能调整提醒天数。")])
                )
        return super().validate(attrs)

    def create(self, validated):
        validated["plan"].ensure_open()
        return super().create({**validated, "kind": Deadline.Kind.OTHER})

    def update(self, deadline, validated):
        deadline.plan.ensure_open()
        validated.pop("plan", None)
        return super().update(deadline, validated)
