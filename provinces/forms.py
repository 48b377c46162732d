"""Forms of the provincial reporting loop, with validation messages people can act on."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import EMAIL_INVALID, Assignment, Contact, LedgerEntry, Milestone, Registration


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
