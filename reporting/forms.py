from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from planning.models import Plan, Task
from provinces.forms import MultipleFileField
from provinces.models import Assignment, Case
from provinces.network import check_entities, entity_choices

from .models import AnnualSummary, Bulletin, NextYearTaskPlan


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
        fields = ["assignment", "kind", "title", "summary", "body", "entities"]
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
        entities = self.fields["entities"]
        entities.widget = forms.CheckboxSelectMultiple()
        entities.queryset = entity_choices(province.pk if province else None, plan.pk)
        entities.help_text = gettext_lazy("本单位同一年度服务网络中与这个案例有关的单位。")
        entities.label_from_instance = lambda e: f"{e.kind_label} · {e.name}"
        self.unit, self.plan = province, plan

    def clean_entities(self):
        chosen = self.cleaned_data["entities"]
        try:
            check_entities(chosen, self.unit.pk if self.unit else None, self.plan.pk)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return chosen


class BulletinForm(forms.ModelForm):
    """The period's rule is ``Bulletin.clean()``, which the form runs after its parsing."""

    class Meta:
        model = Bulletin
        fields = ["title", "period_start", "period_end", "introduction"]
        widgets = {
            "period_start": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "period_end": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "introduction": forms.Textarea(attrs={"rows": 4}),
        }


class TaskPlanForm(forms.ModelForm):
    """下一年度工作计划 of one task. The task is chosen among the next year's tasks when
    that plan is published, else among this year's (kept as its number and title)."""

    choice = forms.TypedChoiceField(
        label=gettext_lazy("任务"),
        coerce=int,
        error_messages={"required": gettext_lazy("请选择任务。")},
    )

    class Meta:
        model = NextYearTaskPlan
        fields = ["work_content", "expected_results", "schedule"]
        widgets = {
            "work_content": forms.Textarea(attrs={"rows": 3}),
            "expected_results": forms.Textarea(attrs={"rows": 2}),
            "schedule": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {"work_content": {"required": gettext_lazy("请填写该任务的工作内容。")}}

    def __init__(self, *args, tasks=None, **kwargs):
        super().__init__(*args, **kwargs)
        tasks = list(tasks or [])
        self.tasks = {t.pk: t for t in tasks}  # read once for the whole formset: no query here
        self.fields["choice"].choices = [("", "---------")] + [(t.pk, str(t)) for t in tasks]
        row = self.instance
        if row.pk and "choice" not in self.initial:
            chosen = next((t for t in tasks if t.pk == row.task_id), None) or next(
                (t for t in tasks if t.number == row.task_number), None
            )
            self.initial["choice"] = chosen.pk if chosen else None

    def row(self, next_plan_id: int | None) -> NextYearTaskPlan:
        """The unsaved row the form describes (for ``save_draft``'s children)."""
        task = self.tasks[self.cleaned_data["choice"]]
        return NextYearTaskPlan(
            task=task if task.plan_id == next_plan_id else None,
            task_number=task.number,
            task_title=task.title,
            work_content=self.cleaned_data["work_content"],
            expected_results=self.cleaned_data["expected_results"],
            schedule=self.cleaned_data["schedule"],
        )


TaskPlanFormSet = forms.inlineformset_factory(
    AnnualSummary,
    NextYearTaskPlan,
    form=TaskPlanForm,
    extra=1,
    can_delete=True,
    min_num=0,
)


def next_year_tasks(plan: Plan, user) -> tuple[Plan | None, list[Task]]:
    """The tasks a per-task plan may name: the next year's when that plan is published
    (the unit sees it), else this year's; with the next year's plan (or None)."""
    following = (
        Plan.objects.visible_to(user).published().filter(year__gt=plan.year).order_by("year")
    ).first()
    tasks = list(Task.objects.filter(plan=following or plan).order_by("number"))
    return following, tasks


def task_plan_formset(summary: AnnualSummary, user, data=None) -> TaskPlanFormSet:
    """The per-task plans' formset; a POST without its rows leaves them as they are."""
    following, tasks = next_year_tasks(summary.plan, user)
    if data is not None and "tp-TOTAL_FORMS" not in data:
        data = None
    formset = TaskPlanFormSet(
        data,
        instance=summary if summary.pk else AnnualSummary(),
        prefix="tp",
        form_kwargs={"tasks": tasks},
    )
    formset.next_plan = following
    return formset


def task_plan_rows(formset: TaskPlanFormSet) -> list[NextYearTaskPlan] | None:
    """The rows a valid formset describes: kept and new, without the deleted or empty ones
    (None, leaving the rows alone, when the request sent none)."""
    if not formset.is_bound:
        return None
    next_plan_id = formset.next_plan.pk if formset.next_plan else None
    return [
        form.row(next_plan_id)
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class TrendFilterForm(forms.Form):
    """The trends page's filters: a task (any task of a row) and a unit (its code). Whether
    the user sees them is :func:`reporting.trends.trends`'s to say."""

    task = forms.IntegerField(label=gettext_lazy("任务"), required=False, min_value=1)
    unit = forms.RegexField(
        label=gettext_lazy("执行单位"),
        required=False,
        regex=r"^\d{6}$",
        error_messages={"invalid": gettext_lazy("执行单位应为6位行政区划代码。")},
    )
