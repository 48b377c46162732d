"""Forms of the notice import (the text, then a decision for each sentence not understood) and
of HQ's deadlines."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Deadline, Target
from .notice import HandMapping, ParsedPlan, Sentence


class NoticeForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("通知全文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy("粘贴通知全文，或上传 UTF-8 编码的文本文件。"),
    )
    file = forms.FileField(label=gettext_lazy("或上传文本文件"), required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > 2 * 1024 * 1024:
                raise forms.ValidationError(_("文件过大：通知文本不应超过 2 MB。"))
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError(_("文件不是 UTF-8 编码的文本。")) from exc
        if not (data.get("text") or "").strip():
            raise forms.ValidationError(_("请粘贴通知全文或上传文本文件。"))
        return data


class SentenceMappingForm(forms.Form):
    """The administrator's reading of one sentence the importer did not understand."""

    as_ = forms.ChoiceField(
        label=gettext_lazy("作为"),
        choices=[
            ("", gettext_lazy("— 请选择 —")),
            (HandMapping.DEADLINE, gettext_lazy("任务的时间节点")),
            (HandMapping.TARGET, gettext_lazy("工作内容的量化指标")),
            (HandMapping.UNITS, gettext_lazy("任务的执行单位")),
            (HandMapping.NONE, gettext_lazy("已阅，无需生成内容")),
        ],
        required=False,
    )
    task = forms.TypedChoiceField(label=gettext_lazy("任务"), coerce=int, required=False)
    item = forms.IntegerField(label=gettext_lazy("工作内容序号"), min_value=1, required=False)
    due_date = forms.DateField(
        label=gettext_lazy("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    minimum = forms.IntegerField(label=gettext_lazy("不少于"), min_value=1, required=False)
    unit = forms.CharField(label=gettext_lazy("单位"), max_length=10, required=False)
    period = forms.ChoiceField(
        label=gettext_lazy("周期"), choices=Target.Period.choices, initial=Target.Period.YEAR
    )
    provinces = forms.MultipleChoiceField(
        label=gettext_lazy("执行单位"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(
        self, *args, sentence: Sentence, parsed: ParsedPlan, units: list[tuple[str, str]], **kw
    ) -> None:
        super().__init__(*args, **kw)
        self.sentence = sentence
        self.parsed = parsed
        self.fields["task"].choices = [("", "—")] + [
            (t.number, f"（{t.numeral}）{t.title}") for t in parsed.tasks
        ]
        self.fields["provinces"].choices = units
        if sentence.task_number and not self.is_bound:
            self.initial.setdefault("task", sentence.task_number)
            self.initial.setdefault("item", sentence.item_number)

    def clean(self):
        data = super().clean()
        kind = data.get("as_")
        if not kind:
            raise forms.ValidationError(
                _("请为这一句作出选择：指定为时间节点、量化指标或执行单位，或标记为无需处理。")
            )
        if kind == HandMapping.NONE:
            return data
        task = self.parsed.task(data.get("task"))
        if task is None:
            self.add_error("task", _("请选择任务。"))
            return data
        if kind == HandMapping.DEADLINE and not data.get("due_date"):
            self.add_error("due_date", _("请填写截止日期。"))
        if kind == HandMapping.TARGET:
            if not data.get("minimum"):
                self.add_error("minimum", _("请填写指标数量。"))
            if not data.get("unit"):
                self.add_error("unit", _("请填写计量单位，例如“期”“次”。"))
            if data.get("item") and data["item"] not in dict(task.items):
                self.add_error(
                    "item",
                    _("任务（%(task)s）没有工作内容（%(item)s）。")
                    % {"task": task.numeral, "item": data["item"]},
                )
        if kind == HandMapping.UNITS and not data.get("provinces"):
            self.add_error("provinces", _("请选择执行单位。"))
        return data

    def mapping(self) -> HandMapping:
        data = self.cleaned_data
        kind = data["as_"]
        return HandMapping(
            sentence=self.sentence.text,
            as_=kind,
            task_number=data.get("task") if kind != HandMapping.NONE else None,
            item_number=data.get("item") if kind == HandMapping.TARGET else None,
            due_date=data.get("due_date") if kind == HandMapping.DEADLINE else None,
            minimum=data.get("minimum") if kind == HandMapping.TARGET else None,
            unit=(data.get("unit") or "") if kind == HandMapping.TARGET else "",
            period=data.get("period") or "year",
            provinces=list(data.get("provinces") or []) if kind == HandMapping.UNITS else [],
        )


def mapping_forms(
    parsed: ParsedPlan, units: list[tuple[str, str]], data=None
) -> list[SentenceMappingForm]:
    """One form per sentence still awaiting a decision, in the notice's order."""
    return [
        SentenceMappingForm(data, prefix=f"s{k}", sentence=s, parsed=parsed, units=units)
        for k, s in enumerate(parsed.undecided)
    ]


class DeadlineForm(forms.ModelForm):
    class Meta:
        model = Deadline
        fields = ["task", "description", "due_date", "reminder_offsets"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"task": gettext_lazy("留空表示所有承担任务的执行单位都要报送。")}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = plan.tasks.all()
        self.fields["task"].required = False
        if self.instance.pk and self.instance.kind != Deadline.Kind.OTHER:
            # the plan's own deadlines: HQ may tune reminders, not rewrite the notice
            for name in ("task", "description", "due_date"):
                self.fields[name].disabled = True
