"""Forms of the provincial reporting loop, with validation messages people can act on."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning.models import BaseLevel, Task

from .models import (
    EMAIL_INVALID,
    Assignment,
    Contact,
    FieldKind,
    LedgerEntry,
    Milestone,
    NetworkEntity,
    Notice,
    Province,
    Registration,
    TaskReportDefinition,
    TaskReportField,
    TrainingClass,
    clean_report_values,
)
from .network import check_entities, entity_choices
from .network_sheets import ENTITY_FIELDS


class RegistrationForm(forms.ModelForm):
    class Meta:
        model = Registration
        fields = ["work_content", "expected_results"]
        widgets = {
            "work_content": forms.Textarea(attrs={"rows": 6}),
            "expected_results": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "work_content": gettext_lazy("本单位承担该任务的具体工作内容。"),
            "expected_results": gettext_lazy("年底预期形成的成果，尽量量化。"),
        }


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "email"]
        error_messages = {
            "email": {"invalid": EMAIL_INVALID},
            "name": {"required": gettext_lazy("请填写姓名。")},
            "phone": {"required": gettext_lazy("请填写电话。")},
        }


class MilestoneForm(forms.ModelForm):
    """A schedule step; its dates are checked by ``Milestone.clean``."""

    class Meta:
        model = Milestone
        fields = ["due_date", "description", "done_on"]
        widgets = {
            "due_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "done_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        }


MilestoneFormSet = forms.inlineformset_factory(
    Registration,
    Milestone,
    form=MilestoneForm,
    extra=2,
    can_delete=True,
    min_num=0,
)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(
        label=gettext_lazy("实际完成日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": gettext_lazy("请填写实际完成日期。"),
            "invalid": gettext_lazy("日期格式应为 2018-09-30。"),
        },
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked by content in the view."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class LedgerEntryForm(forms.ModelForm):
    files = MultipleFileField(
        label=gettext_lazy("佐证材料"),
        required=False,
    )

    class Meta:
        model = LedgerEntry
        fields = [
            "assignment",
            "date",
            "kind",
            "description",
            "responsible_person",
            "classes_held",
            "trainees",
            "enterprises_served",
            "entities",
        ]
        labels = {"assignment": gettext_lazy("承担的任务")}
        widgets = {
            "date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user=None, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _(
            "PDF、Word、Excel、JPEG、PNG，单个文件不超过 %(mb)d MB，可多选。"
        ) % {"mb": settings.MAX_UPLOAD_SIZE // 1024 // 1024}
        self.fields["assignment"].queryset = (
            Assignment.objects.visible_to(user)
            .filter(taken_up=True, task__plan=plan)
            .select_related("task__plan", "province")
            .order_by("-task__plan__year", "task__number")
        )
        self.fields["assignment"].label_from_instance = lambda a: (
            f"{a.task.plan.year} · {a.task}" if user and user.is_province_staff else str(a)
        )
        unit = getattr(user, "province_id", None)
        self.fields["entities"].widget = forms.CheckboxSelectMultiple()
        self.fields["entities"].queryset = entity_choices(unit, plan.pk if plan else None)
        self.fields["entities"].help_text = _("本单位同一年度服务网络中与这条台账有关的单位。")
        self.fields["entities"].label_from_instance = lambda e: f"{e.kind_label} · {e.name}"

    def clean(self):
        cleaned = super().clean()
        assignment = cleaned.get("assignment")
        if assignment is not None and cleaned.get("entities"):
            try:
                check_entities(cleaned["entities"], assignment.province_id, assignment.task.plan_id)
            except ValidationError as exc:
                self.add_error("entities", exc)
        return cleaned


class NetworkEntityForm(forms.ModelForm):
    """One entity of a unit's service network; its rules are ``NetworkEntity.clean``."""

    class Meta:
        model = NetworkEntity
        fields = [*ENTITY_FIELDS, "parent", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, province, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.province = province
        self.instance.plan = plan
        bases = entity_choices(province.pk, plan.pk).filter(kind=NetworkEntity.Kind.BASE)
        if self.instance.pk:
            bases = bases.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = bases
        self.fields["parent"].help_text = _("站点所属的本单位传播利用基地（可不填）。")

    def clean(self):
        cleaned = super().clean()
        # (plan, province, kind, name) is unique: said on the name, not as a database error
        clash = NetworkEntity.objects.filter(
            plan=self.instance.plan,
            province=self.instance.province,
            kind=cleaned.get("kind"),
            name=cleaned.get("name"),
        ).exclude(pk=self.instance.pk)
        if cleaned.get("name") and clash.exists():
            self.add_error("name", _("本单位本年度已有同类型、同名称的服务网络记录。"))
        return cleaned


class TrainingClassForm(forms.ModelForm):
    files = MultipleFileField(label=gettext_lazy("培训材料"), required=False)

    class Meta:
        model = TrainingClass
        fields = [
            "task",
            "title",
            "start_date",
            "end_date",
            "place",
            "teachers",
            "attendee_count",
        ]
        widgets = {
            "start_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "end_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        }

    def __init__(self, *args, province, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.province = province
        self.instance.plan = plan
        tasks = Task.objects.filter(plan=plan).order_by("number")
        if province is not None:  # a unit holds classes under the tasks it carries
            tasks = tasks.filter(assignments__province=province, assignments__taken_up=True)
        self.fields["task"].queryset = tasks
        self.fields["task"].label_from_instance = lambda t: str(t)
        self.fields["files"].help_text = _(
            "日程、课件、签到表、照片等；PDF、Word、Excel、JPEG、PNG，单个文件不超过 %(mb)d MB，可多选。"
        ) % {"mb": settings.MAX_UPLOAD_SIZE // 1024 // 1024}


# --- 专项报送 ----------------------------------------------------------------------------


class TaskReportDefinitionForm(forms.ModelForm):
    """HQ's definition of a task report; its fields are the formset below."""

    class Meta:
        model = TaskReportDefinition
        fields = ["task", "title", "instructions", "due_date", "reminder_offsets"]
        widgets = {
            "due_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "instructions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = (
            plan.tasks.order_by("number") if plan else Task.objects.none()
        )


class TaskReportFieldForm(forms.ModelForm):
    class Meta:
        model = TaskReportField
        fields = ["label", "kind", "required", "help_text", "order"]

    def has_changed(self) -> bool:
        """A new row without a label is an unused row, whatever its type or order says."""
        if self.instance.pk is None and not (self.data.get(self.add_prefix("label")) or "").strip():
            return False
        return super().has_changed()


TaskReportFieldFormSet = forms.inlineformset_factory(
    TaskReportDefinition,
    TaskReportField,
    form=TaskReportFieldForm,
    extra=3,
    can_delete=True,
    min_num=1,
    validate_min=True,
    error_messages={"too_few_forms": gettext_lazy("请至少定义一个报送字段。")},
)

_WIDGETS = {
    FieldKind.TEXT: lambda: forms.TextInput(),
    FieldKind.LONG_TEXT: lambda: forms.Textarea(attrs={"rows": 4}),
    FieldKind.INTEGER: lambda: forms.TextInput(attrs={"inputmode": "numeric"}),
    FieldKind.DECIMAL: lambda: forms.TextInput(attrs={"inputmode": "decimal"}),
    FieldKind.DATE: lambda: forms.DateInput(attrs={"type": "date"}),
}


class TaskReportForm(forms.Form):
    """A unit's values for a task report: one text input per field, each checked by
    ``clean_report_values`` (the API's serializer calls the same function)."""

    def __init__(self, *args, definition: TaskReportDefinition, report=None, **kwargs):
        self.definition_fields = list(definition.fields.all())
        values = (report.values if report else None) or {}
        initial = {f"f{f.key}": values.get(f.key, "") for f in self.definition_fields}
        if report is not None and report.pk:
            initial["entities"] = list(report.entities.all())
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for f in self.definition_fields:
            self.fields[f"f{f.key}"] = forms.CharField(
                label=f.label,
                required=False,  # required is asked at submission, not for a draft
                help_text=f.help_text or f.get_kind_display(),
                widget=_WIDGETS[f.kind](),
                strip=True,
            )
        self.unit_id = report.province_id if report is not None else None
        self.plan_id = definition.task.plan_id
        self.fields["entities"] = forms.ModelMultipleChoiceField(
            label=_("涉及的服务网络"),
            queryset=entity_choices(self.unit_id, self.plan_id),
            required=False,
            widget=forms.CheckboxSelectMultiple(),
            help_text=_("本单位同一年度服务网络中与这份报送有关的单位。"),
        )
        self.fields["entities"].label_from_instance = lambda e: f"{e.kind_label} · {e.name}"

    def clean_entities(self):
        chosen = self.cleaned_data["entities"]
        try:
            check_entities(chosen, self.unit_id, self.plan_id)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return chosen

    def clean(self):
        data = super().clean()
        raw = {f.key: data.get(f"f{f.key}", "") for f in self.definition_fields}
        try:
            self.values = clean_report_values(self.definition_fields, raw)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                self.add_error(f"f{key}" if key != "values" else None, messages)
        return data


# --- 另行通知 ----------------------------------------------------------------------------


class NoticeForm(forms.ModelForm):
    files = MultipleFileField(label=gettext_lazy("附件"), required=False)

    class Meta:
        model = Notice
        fields = ["title", "number", "body", "audience", "task", "units", "reply_by"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 10}),
            "reply_by": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "units": forms.CheckboxSelectMultiple(),
            "audience": forms.RadioSelect(),
        }

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["task"].queryset = (
            plan.tasks.order_by("number") if plan else Task.objects.none()
        )
        self.fields["units"].queryset = Province.objects.order_by("sort_order")

    def clean(self):
        data = super().clean()
        if data.get("audience") == Notice.Audience.CHOSEN and not data.get("units"):
            self.add_error("units", _("发送给指定单位时，请至少选择一个单位。"))
        return data


class NoticeReplyForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("回复内容"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": gettext_lazy("请填写回复内容。")},
    )
    files = MultipleFileField(label=gettext_lazy("附件"), required=False)


class PlanUnitsForm(forms.Form):
    """A draft plan's units at once: each unit's base level (none, basic, key) and whether
    it is western that year. ``units`` is [(province, base level, western)]."""

    def __init__(self, *args, units: list[tuple[Province, str, bool]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.units = units
        for province, level, western in units:
            self.fields[f"base_{province.code}"] = forms.ChoiceField(
                label=province.short_name,
                choices=[("", gettext_lazy("非基地")), *BaseLevel.choices],
                required=False,
                initial=level,
            )
            self.fields[f"western_{province.code}"] = forms.BooleanField(
                label=gettext_lazy("西部省区"), required=False, initial=western
            )

    def rows(self) -> list[tuple[Province, forms.BoundField, forms.BoundField]]:
        return [(p, self[f"base_{p.code}"], self[f"western_{p.code}"]) for p, _l, _w in self.units]

    def roles(self) -> dict[str, tuple[str, bool]]:
        """Province code → (base level or "", western), from the cleaned data."""
        return {
            p.code: (self.cleaned_data[f"base_{p.code}"], self.cleaned_data[f"western_{p.code}"])
            for p, _l, _w in self.units
        }
