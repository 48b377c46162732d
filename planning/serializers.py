from rest_framework import serializers

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
        ]
