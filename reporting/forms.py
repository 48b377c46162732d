from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from provinces.forms import MultipleFileField
from provinces.models import Assignment, Case

from .models import AnnualSummary, Bulletin


class SummaryForm(forms.ModelForm):
    class Meta:
        model = AnnualSummary
        fields = [name for name, _label in AnnualSummary.SECTIONS]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4}) for name, _label in AnnualSummary.SECTIONS
        }


class CaseForm(forms.ModelForm):
    files = MultipleFileField(label=gettext_lazy("佐证材料"), required=False)

    class Meta:
        model = Case
        fields = ["assignment", "kind", "title", "summary", "body"]
        labels = {"assignment": gettext_lazy("所属任务")}
        help_texts = {
            "assignment": gettext_lazy(
                "案例报告的是本单位承担的哪项任务（年底阶段性成果按任务计）。"
            )
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, province, plan, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assignment"]
        field.required = True
        field.queryset = (
            Assignment.objects.filter(province=province, taken_up=True, task__plan=plan)
            .select_related("task__plan")
            .order_by("-task__plan__year", "task__number")
        )
        field.label_from_instance = lambda a: f"{a.task.plan.year} · {a.task}"


class BulletinForm(forms.ModelForm):
    class Meta:
        model = Bulletin
        fields = ["title", "period_start", "period_end", "introduction"]
        widgets = {
            "period_start": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "period_end": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "introduction": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self):
        data = super().clean()
        if (
            data.get("period_start")
            and data.get("period_end")
            and data["period_start"] > data["period_end"]
        ):
            raise ValidationError(_("起始日期不能晚于截止日期。"))
        return data
