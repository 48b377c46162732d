from rest_framework import serializers

from .models import Assignment, Province


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["id", "code", "name", "short_name", "region", "western", "base_level"]


class AssignmentSerializer(serializers.ModelSerializer):
    province = serializers.SlugRelatedField(read_only=True, slug_field="code")
    province_name = serializers.CharField(source="province.short_name", read_only=True)
    year = serializers.IntegerField(source="task.plan.year", read_only=True)
    task = serializers.IntegerField(source="task.number", read_only=True)
    task_title = serializers.CharField(source="task.title", read_only=True)
    track = serializers.CharField(source="track.code", read_only=True, allow_null=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "year",
            "task",
            "task_title",
            "province",
            "province_name",
            "track",
            "kind",
            "taken_up",
        ]
