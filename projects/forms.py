"""Forms of the projects pages: a call with its criteria, an application's draft, and the
amounts and dates HQ's actions post."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflow.machine import TransitionRefused
from workflow.validation import normalise_phone

from . import services
from .models import Application, Call, Deliverable, ProjectReport


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = list(services.EDITABLE_FIELDS)  # what a draft may change, in one place
        widgets = {"plan_text": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"partner_agency": gettext_lazy("企业与服务机构结对申报时填写")}

    def clean_contact_phone(self):
        return normalise_phone(self.cleaned_data["contact_phone"])

    def clean_budget_requested(self):
        value = self.cleaned_data["budget_requested"]
        if value <= 0:
            raise forms.ValidationError(_("申请经费应大于 0。"))
        return value


class CallForm(forms.ModelForm):
    criteria = forms.CharField(
        label=gettext_lazy("评分项及权重"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("每行一项：“评分项 权重”，权重合计 100，例如“实施方案 40”。"),
    )

    class Meta:
        model = Call
        fields = ["task", "project_type", "title", "opens_at", "closes_at", "reviews_required"]
        widgets = {
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["task"].queryset = plan.tasks.all()

    def clean_criteria(self) -> list[tuple[str, int]]:
        rows = []
        for number, raw in enumerate(self.cleaned_data["criteria"].splitlines(), start=1):
            raw = raw.strip()
            if not raw:
                continue
            name, _sep, weight = raw.rpartition(" ")
            if not name.strip() or not weight.isdigit() or int(weight) == 0:
                raise forms.ValidationError(
                    _("第 %(n)d 行“%(raw)s”应为“评分项 权重”，权重为正整数。")
                    % {"n": number, "raw": raw[:40]}
                )
            rows.append((name.strip()[:100], int(weight)))
        if sum(w for _n, w in rows) != 100:
            raise forms.ValidationError(
                _("权重合计应为 100，现为 %(t)d。") % {"t": sum(w for _n, w in rows)}
            )
        return rows

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("截止申报时间应晚于开始申报时间。"))
        if data.get("task") and data.get("project_type"):
            if problem := services.call_misfit(data["task"], data["project_type"]):
                self.add_error("project_type", problem)
        return data


# What the model columns can hold: NaN, Infinity, 1e400 or a third decimal never get that far.
MONEY = forms.DecimalField(max_digits=10, decimal_places=2)
DATE = forms.DateField(input_formats=["%Y-%m-%d"])


def posted_money(raw: str, message: str) -> Decimal:
    try:
        return MONEY.clean(raw)
    except ValidationError as exc:
        raise TransitionRefused(message) from exc


def posted_date(raw: str, *, missing: str, invalid: str) -> date:
    """A YYYY-MM-DD date from a form; an impossible one (2018-02-30) is refused, not a 500."""
    if not (raw or "").strip():
        raise TransitionRefused(missing)
    try:
        return DATE.clean(raw)
    except ValidationError as exc:
        raise TransitionRefused(invalid) from exc


class ProjectReportForm(forms.ModelForm):
    class Meta:
        model = ProjectReport
        fields = [*services.REPORT_FIELDS, "deliverables"]
        widgets = {
            **{name: forms.Textarea(attrs={"rows": 4}) for name in services.REPORT_FIELDS},
            "deliverables": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deliverables"].queryset = Deliverable.objects.filter(application=application)
        for name in ProjectReport.REQUIRED:
            self.fields[name].help_text = _("报送前必填")
