from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from config.api import ObjectIdField
from planning.models import Plan, Task
from workflow.review import save_draft
from workflow.validation import ModelRulesSerializer, check_row

from .models import (
    EMAIL_INVALID,
    Assignment,
    Case,
    Contact,
    LedgerEntry,
    Milestone,
    NetworkEntity,
    Notice,
    NoticeReceipt,
    NoticeReply,
    Province,
    Registration,
    TaskReport,
    TaskReportDefinition,
    TaskReportField,
    TrainingClass,
    clean_report_values,
)
from .network import check_entities
from .services import save_task_report


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["id", "code", "name", "short_name", "region", "western"]


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


class ContactSerializer(ModelRulesSerializer):
    """负责人 or 联系人 of a registration; the phone is stored as ``Contact.clean`` writes it."""

    class Meta:
        model = Contact
        fields = ["role", "name", "title", "phone", "email"]
        extra_kwargs = {"email": {"error_messages": {"invalid": EMAIL_INVALID}}}


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "due_date", "description", "done_on"]


class RegistrationSerializer(serializers.ModelSerializer):
    assignment = serializers.PrimaryKeyRelatedField(queryset=Assignment.objects.none())
    province = serializers.CharField(source="assignment.province.code", read_only=True)
    task = serializers.IntegerField(source="assignment.task.number", read_only=True)
    year = serializers.IntegerField(source="assignment.task.plan.year", read_only=True)
    contacts = ContactSerializer(many=True, required=False)
    milestones = MilestoneSerializer(many=True, required=False)

    class Meta:
        model = Registration
        fields = [
            "id",
            "assignment",
            "year",
            "task",
            "province",
            "state",
            "work_content",
            "expected_results",
            "submitted_at",
            "is_late",
            "confirmed_at",
            "contacts",
            "milestones",
        ]
        read_only_fields = ["state", "submitted_at", "is_late", "confirmed_at"]

    def get_fields(self):
        # Here rather than in __init__, so that the fields are built only when used (not
        # for an empty list page).
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["assignment"].queryset = Assignment.objects.visible_to(request.user)
        return fields

    def validate_assignment(self, assignment):
        if self.instance is not None and assignment.pk != self.instance.assignment_id:
            raise serializers.ValidationError(_("不能更改任务承担。"))
        return assignment

    def validate(self, attrs):
        """Each schedule step by ``Milestone.clean``, as the page's formset checks it."""
        attrs = super().validate(attrs)
        registration = self.instance or Registration(assignment=attrs.get("assignment"))
        errors = []
        for step in attrs.get("milestones") or []:
            try:
                check_row(Milestone(registration=registration, **step), step)
            except DjangoValidationError as exc:
                errors.append(exc.message_dict)
            else:
                errors.append({})
        if any(errors):
            raise serializers.ValidationError({"milestones": errors})
        return attrs

    def _children(self, registration: Registration | None, validated: dict) -> dict:
        """Contacts are keyed by role (those not sent are kept); milestones are replaced."""
        contacts = validated.pop("contacts", None)
        milestones = validated.pop("milestones", None)
        if contacts is not None:
            sent = {c["role"] for c in contacts}
            kept = [
                {name: getattr(c, name) for name in ContactSerializer.Meta.fields}
                for c in (registration.contacts.all() if registration else [])
                if c.role not in sent
            ]
            contacts = [Contact(**c) for c in kept + list(contacts)]
        if milestones is not None:
            milestones = [Milestone(**m) for m in milestones]
        return {"contacts": contacts, "milestones": milestones}

    def create(self, validated):
        assignment = validated.pop("assignment")
        registration = Registration.objects.filter(assignment=assignment).first()
        children = self._children(registration, validated)
        return save_draft(
            registration or Registration(assignment=assignment),
            self.context["request"].user,
            validated,
            children,
        )

    def update(self, registration, validated):
        validated.pop("assignment", None)
        children = self._children(registration, validated)
        return save_draft(registration, self.context["request"].user, validated, children)


class DirectoryContactSerializer(serializers.ModelSerializer):
    """One line of the contact directory (通讯录)."""

    year = serializers.IntegerField(source="registration.assignment.task.plan.year")
    task = serializers.IntegerField(source="registration.assignment.task.number")
    province = serializers.CharField(source="registration.assignment.province.code")
    province_name = serializers.CharField(source="registration.assignment.province.short_name")

    class Meta:
        model = Contact
        fields = [
            "year",
            "task",
            "province",
            "province_name",
            "role",
            "name",
            "title",
            "phone",
            "email",
        ]
        read_only_fields = fields


class EvidenceUploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(),
        allow_empty=False,
        help_text=gettext_lazy("一个或多个佐证材料文件"),
    )


class MilestoneDoneSerializer(serializers.Serializer):
    milestone = ObjectIdField(help_text=gettext_lazy("进度安排的 id（见报送的 milestones）"))
    done_on = serializers.DateField(
        required=False, help_text=gettext_lazy("实际完成日期，默认今天")
    )


class LedgerEntrySerializer(ModelRulesSerializer):
    """A work ledger entry (工作台账), within the bounds ``LedgerEntry`` declares."""

    assignment = serializers.PrimaryKeyRelatedField(queryset=Assignment.objects.none())
    province = serializers.CharField(source="assignment.province.code", read_only=True)
    task = serializers.IntegerField(source="assignment.task.number", read_only=True)
    year = serializers.IntegerField(source="assignment.task.plan.year", read_only=True)
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "assignment",
            "year",
            "task",
            "province",
            "date",
            "kind",
            "description",
            "responsible_person",
            "classes_held",
            "trainees",
            "enterprises_served",
            "entities",
            "evidence",
        ]
        extra_kwargs = {"entities": {"required": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["assignment"].queryset = Assignment.objects.visible_to(request.user).filter(
                taken_up=True
            )
            self.fields["entities"].child_relation.queryset = NetworkEntity.objects.visible_to(
                request.user
            )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        assignment = attrs.get("assignment") or getattr(self.instance, "assignment", None)
        if assignment is not None and attrs.get("entities"):
            try:
                check_entities(attrs["entities"], assignment.province_id, assignment.task.plan_id)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"entities": exc.messages}) from exc
        return attrs

    def get_evidence(self, entry) -> list[dict]:
        from django.urls import reverse

        return [
            {
                "id": e.pk,
                "name": e.original_name,
                "size": e.size,
                "url": reverse("provinces:evidence_download", args=[e.pk]),
            }
            for e in entry.evidence.all()
        ]


class CaseSerializer(ModelRulesSerializer):
    """A typical case (典型案例); a draft is written through ``save_draft``, as the page does.

    The case is filed under its assignment's plan: the unit's own task, taken up.
    """

    assignment = serializers.PrimaryKeyRelatedField(queryset=Assignment.objects.none())
    province = serializers.CharField(source="province.code", read_only=True)
    year = serializers.IntegerField(source="plan.year", read_only=True)
    task = serializers.IntegerField(
        source="assignment.task.number", read_only=True, allow_null=True
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "assignment",
            "year",
            "task",
            "province",
            "kind",
            "title",
            "summary",
            "body",
            "state",
            "submitted_at",
            "is_late",
            "selected_for_digest",
            "selected_for_publication",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "state",
            "submitted_at",
            "is_late",
            "selected_for_digest",
            "selected_for_publication",
            "created_at",
            "updated_at",
        ]

    WRITTEN = ("assignment", "kind", "title", "summary", "body")  # CaseForm's fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:  # the form's choices: the unit's own tasks, taken up
            user = request.user
            self.fields["assignment"].queryset = (
                Assignment.objects.visible_to(user)
                .filter(province_id=getattr(user, "province_id", None), taken_up=True)
                .select_related("task__plan")
            )

    def validate_assignment(self, assignment):
        if self.instance is not None and assignment.task.plan_id != self.instance.plan_id:
            raise serializers.ValidationError(_("案例所属的任务应在该案例的年度计划中。"))
        return assignment

    def _save(self, case: Case, validated: dict) -> Case:
        case.plan.ensure_open()
        fields = {name: validated[name] for name in self.WRITTEN if name in validated}
        return save_draft(case, self.context["request"].user, {**fields, "plan": case.plan})

    def create(self, validated):
        user = self.context["request"].user
        assignment = validated["assignment"]
        case = Case(province_id=user.province_id, plan=assignment.task.plan, created_by=user)
        return self._save(case, validated)

    def update(self, case, validated):
        return self._save(case, validated)


class CaseSelectionSerializer(serializers.Serializer):
    digest = serializers.BooleanField(help_text=gettext_lazy("选入年度汇编"))
    publication = serializers.BooleanField(help_text=gettext_lazy("选用发布"))


class BoardQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text=gettext_lazy("计划年度")
    )


class RateSerializer(serializers.Serializer):
    """What the board shows under a row or a column: 完成率 and 按时率 (percent)."""

    expected = serializers.IntegerField()
    submitted = serializers.IntegerField()
    on_time = serializers.IntegerField()
    completeness = serializers.IntegerField()
    on_time_rate = serializers.IntegerField()


class BoardCellSerializer(serializers.Serializer):
    """One unit × one task: its light (grey, green, yellow, red) and why."""

    task = serializers.IntegerField()
    light = serializers.ChoiceField(choices=["grey", "green", "yellow", "red"])
    state = serializers.ChoiceField(choices=Registration.State.choices, allow_null=True)
    step_due = serializers.DateField(allow_null=True)
    step_late = serializers.BooleanField()


class BoardRowSerializer(serializers.Serializer):
    province = serializers.CharField()
    province_name = serializers.CharField()
    cells = BoardCellSerializer(many=True)
    rate = RateSerializer()


class BoardTaskSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    rate = RateSerializer()


@extend_schema_serializer(many=False)
class BoardSerializer(serializers.Serializer):
    """HQ's board of a plan (``provinces.board.build_board``, as the page shows it)."""

    year = serializers.IntegerField()
    due = serializers.DateField(allow_null=True, help_text=gettext_lazy("任务分解报送截止日期"))
    tasks = BoardTaskSerializer(many=True)
    rows = BoardRowSerializer(many=True)
    total = RateSerializer()

    @staticmethod
    def of(board) -> dict:
        return {
            "year": board.plan.year,
            "due": board.due,
            "tasks": [
                {"number": t.number, "title": t.title, "rate": rate}
                for t, rate in zip(board.tasks, board.task_rates, strict=True)
            ],
            "rows": [
                {
                    "province": province.code,
                    "province_name": province.short_name,
                    "cells": [
                        {
                            "task": task.number,
                            "light": cell.light,
                            "state": cell.state,
                            "step_due": cell.step_due,
                            "step_late": cell.step_late,
                        }
                        for task, cell in zip(board.tasks, cells, strict=True)
                    ],
                    "rate": rate,
                }
                for province, cells, rate in board.rows
            ],
            "total": board.total,
        }


# --- the service network and training classes ------------------------------------------


class NetworkEntitySerializer(ModelRulesSerializer):
    """One entity of a unit's service network; staff write their own unit's, for a plan
    year they may see (``year``). The rules are ``NetworkEntity.clean``'s."""

    year = serializers.IntegerField(source="plan.year", min_value=2000, max_value=2100)
    province = serializers.CharField(source="province.code", read_only=True)
    province_name = serializers.CharField(source="province.short_name", read_only=True)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=NetworkEntity.objects.none(), allow_null=True, required=False
    )

    class Meta:
        model = NetworkEntity
        fields = [
            "id",
            "year",
            "province",
            "province_name",
            "kind",
            "level",
            "subkind",
            "name",
            "place",
            "contact_name",
            "contact_phone",
            "state",
            "parent",
            "note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["parent"].queryset = NetworkEntity.objects.own(request.user)

    def validate(self, attrs):
        user = self.context["request"].user
        year = attrs.pop("plan", {}).get("year")
        if year is not None:
            plan = Plan.objects.visible_to(user).filter(year=year).first()
            if plan is None:
                raise serializers.ValidationError({"year": [_("没有该年度的工作计划。")]})
            attrs["plan"] = plan
        elif self.instance is None:
            raise serializers.ValidationError({"year": [_("请填写年度。")]})
        (attrs.get("plan") or self.instance.plan).ensure_open()
        attrs["province"] = self.instance.province if self.instance else user.province
        attrs = super().validate(attrs)
        plan = attrs.get("plan") or self.instance.plan
        name = attrs.get("name", self.instance.name if self.instance else "")
        kind = attrs.get("kind", self.instance.kind if self.instance else "")
        clash = NetworkEntity.objects.filter(
            plan=plan, province=attrs["province"], kind=kind, name=name
        )
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(
                {"name": [_("本单位本年度已有同类型、同名称的服务网络记录。")]}
            )
        return attrs


class TrainingClassSerializer(ModelRulesSerializer):
    """A training class: a unit's (staff) under a task it carries, or HQ's (HQ) under any
    task; the plan is the task's. ``roster_size`` and ``materials`` are read-only."""

    task = serializers.PrimaryKeyRelatedField(queryset=Task.objects.none())
    year = serializers.IntegerField(source="plan.year", read_only=True)
    task_number = serializers.IntegerField(source="task.number", read_only=True)
    province = serializers.CharField(source="province.code", read_only=True, allow_null=True)
    organiser = serializers.CharField(read_only=True)
    roster_size = serializers.SerializerMethodField()
    materials = serializers.SerializerMethodField()

    class Meta:
        model = TrainingClass
        fields = [
            "id",
            "year",
            "task",
            "task_number",
            "province",
            "organiser",
            "title",
            "start_date",
            "end_date",
            "place",
            "teachers",
            "attendee_count",
            "roster_size",
            "materials",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            user = request.user
            tasks = Task.objects.visible_to(user)
            if getattr(user, "is_province_staff", False):
                tasks = tasks.filter(
                    assignments__province_id=user.province_id, assignments__taken_up=True
                )
            self.fields["task"].queryset = tasks

    def validate(self, attrs):
        user = self.context["request"].user
        task = attrs.get("task") or self.instance.task
        task.plan.ensure_open()
        attrs["plan"] = task.plan
        if self.instance is None:
            attrs["province"] = user.province if user.is_province_staff else None
        return super().validate(attrs)

    def get_roster_size(self, training) -> int:
        return getattr(training, "roster_size", None) or 0

    def get_materials(self, training) -> list[dict]:
        return [
            {
                "id": m.pk,
                "name": m.original_name,
                "size": m.size,
                "url": reverse("provinces:training_material_download", args=[m.pk]),
            }
            for m in training.materials.all()
        ]


# --- 专项报送 ----------------------------------------------------------------------------


class TaskReportFieldSerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True, help_text=gettext_lazy("该字段在 values 中的键"))

    class Meta:
        model = TaskReportField
        fields = ["key", "label", "kind", "required", "help_text", "order"]
        read_only_fields = fields


class TaskReportDefinitionSerializer(serializers.ModelSerializer):
    """A task report HQ defined (read only in the API): its task, due date and fields."""

    year = serializers.IntegerField(source="task.plan.year", read_only=True)
    task = serializers.IntegerField(source="task.number", read_only=True)
    fields = TaskReportFieldSerializer(many=True, read_only=True)
    reminder_offsets = serializers.ListField(
        child=serializers.IntegerField(), source="offsets", read_only=True, allow_null=True
    )

    class Meta:
        model = TaskReportDefinition
        fields = [
            "id",
            "year",
            "task",
            "title",
            "instructions",
            "due_date",
            "reminder_offsets",
            "fields",
        ]
        read_only_fields = fields


class TaskReportSerializer(serializers.ModelSerializer):
    """A unit's task report. ``values`` maps each field's key to its value, checked by
    ``clean_report_values`` (as the page's form is)."""

    definition = serializers.PrimaryKeyRelatedField(queryset=TaskReportDefinition.objects.none())
    province = serializers.CharField(source="province.code", read_only=True)
    year = serializers.IntegerField(source="definition.task.plan.year", read_only=True)
    task = serializers.IntegerField(source="definition.task.number", read_only=True)
    values = serializers.JSONField(
        required=False, help_text=gettext_lazy("字段键 → 值（整数、小数、日期 YYYY-MM-DD 或文字）")
    )

    class Meta:
        model = TaskReport
        fields = [
            "id",
            "definition",
            "year",
            "task",
            "province",
            "state",
            "values",
            "entities",
            "submitted_at",
            "is_late",
            "confirmed_at",
        ]
        read_only_fields = ["state", "submitted_at", "is_late", "confirmed_at"]
        extra_kwargs = {"entities": {"required": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["definition"].queryset = TaskReportDefinition.objects.visible_to(
                request.user
            )
            self.fields["entities"].child_relation.queryset = NetworkEntity.objects.visible_to(
                request.user
            )

    def validate_definition(self, definition):
        if self.instance is not None and definition.pk != self.instance.definition_id:
            raise serializers.ValidationError(_("不能更改所属的专项报送。"))
        return definition

    def validate(self, attrs):
        attrs = super().validate(attrs)
        definition = attrs.get("definition") or self.instance.definition
        if "values" in attrs:
            try:
                attrs["values"] = clean_report_values(definition.fields.all(), attrs["values"])
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"values": exc.message_dict}) from exc
        if attrs.get("entities"):
            user = self.context["request"].user
            unit = self.instance.province_id if self.instance else user.province_id
            try:
                check_entities(attrs["entities"], unit, definition.task.plan_id)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"entities": exc.messages}) from exc
        return attrs

    def create(self, validated):
        user = self.context["request"].user
        definition = validated["definition"]
        report = TaskReport.objects.filter(
            definition=definition, province_id=user.province_id
        ).first() or TaskReport(definition=definition, province_id=user.province_id)
        return save_task_report(
            report,
            user,
            validated.get("values", report.values or {}),
            validated.get("entities"),
        )

    def update(self, report, validated):
        user = self.context["request"].user
        return save_task_report(
            report,
            user,
            validated.get("values", report.values or {}),
            validated.get("entities"),
        )


# --- 另行通知 ----------------------------------------------------------------------------


class NoticeReceiptSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code", read_only=True)
    province_name = serializers.CharField(source="province.short_name", read_only=True)
    read_by = serializers.CharField(source="read_by.display_name", read_only=True, default=None)

    class Meta:
        model = NoticeReceipt
        fields = ["province", "province_name", "read_at", "read_by"]
        read_only_fields = fields


class NoticeReplySerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code", read_only=True)
    files = serializers.SerializerMethodField()

    class Meta:
        model = NoticeReply
        fields = ["province", "text", "replied_at", "files"]
        read_only_fields = ["province", "replied_at", "files"]

    def get_files(self, reply) -> list[dict]:
        return [
            {
                "id": f.pk,
                "name": f.original_name,
                "url": reverse("provinces:notice_reply_file", args=[f.pk]),
            }
            for f in reply.files.all()
        ]


class NoticeSerializer(ModelRulesSerializer):
    """A follow-up notice. HQ writes drafts (``year`` names the plan) and sends them; the
    units it addresses read it. ``receipts`` and ``replies`` are filled for HQ only."""

    year = serializers.IntegerField(source="plan.year", min_value=2000, max_value=2100)
    task = serializers.IntegerField(
        source="task.number", required=False, allow_null=True, min_value=1, max_value=99
    )
    units = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=Province.objects.all()
    )
    attachments = serializers.SerializerMethodField()
    receipts = serializers.SerializerMethodField()
    replies = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = [
            "id",
            "year",
            "title",
            "number",
            "body",
            "audience",
            "task",
            "units",
            "reply_by",
            "state",
            "sent_at",
            "attachments",
            "receipts",
            "replies",
        ]
        read_only_fields = ["state", "sent_at"]

    def _hq(self) -> bool:
        request = self.context.get("request")
        return bool(request and request.user.is_hq)

    def get_attachments(self, notice) -> list[dict]:
        return [
            {
                "id": a.pk,
                "name": a.original_name,
                "url": reverse("provinces:notice_attachment", args=[a.pk]),
            }
            for a in notice.attachments.all()
        ]

    def get_receipts(self, notice) -> list[dict] | None:
        if not self._hq():
            return None
        return NoticeReceiptSerializer(notice.receipts.all(), many=True).data

    def get_replies(self, notice) -> list[dict] | None:
        if not self._hq():
            return None
        return NoticeReplySerializer(notice.replies.all(), many=True).data

    def validate(self, attrs):
        plan_data = attrs.pop("plan", None)
        task_data = attrs.pop("task", None)
        year = plan_data["year"] if plan_data else None
        plan = Plan.objects.for_year(year) if year else getattr(self.instance, "plan", None)
        if plan is None:
            raise serializers.ValidationError({"year": [_("没有该年度的计划。")]})
        attrs["plan"] = plan
        if task_data and task_data.get("number") is not None:
            task = plan.tasks.filter(number=task_data["number"]).first()
            if task is None:
                raise serializers.ValidationError({"task": [_("该年度计划没有这项任务。")]})
            attrs["task"] = task
        elif "task" in (self.initial_data or {}):
            attrs["task"] = None
        if attrs.get("audience") == Notice.Audience.CHOSEN and not attrs.get("units"):
            raise serializers.ValidationError(
                {"units": [_("发送给指定单位时，请至少选择一个单位。")]}
            )
        return super().validate(attrs)

    def create(self, validated):
        units = validated.pop("units", [])
        notice = Notice.objects.create(created_by=self.context["request"].user, **validated)
        notice.units.set(units)
        return notice


class NoticeReplyWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
