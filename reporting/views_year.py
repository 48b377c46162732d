"""Typical cases (典型案例) and progress bulletins (工作进展), task 9."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import HQ, STAFF, role_required
from planning.working import require_working_plan, working_plan
from provinces.forms import MultipleFileField
from provinces.models import Assignment, Case, CaseEvidence, LedgerEntry
from workflow.files import attach, download
from workflow.machine import TransitionRefused, history
from workflow.review import save_draft

from .digest import require_fonts
from .models import Bulletin


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


@role_required(STAFF | HQ)
def case_list(request: HttpRequest) -> HttpResponse:
    plan = working_plan(request)
    cases = (
        Case.objects.visible_to(request.user).filter(plan=plan).select_related("province", "plan")
    )
    return render(request, "reporting/case_list.html", {"cases": cases, "plan": plan})


@role_required(STAFF)
def case_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    case = get_object_or_404(Case.objects.own(request.user), pk=pk) if pk else None
    if case and not case.is_editable:
        messages.error(request, case.locked().message)
        return redirect("reporting:case", pk=case.pk)
    # A new case is filed under the plan the unit is working in; an existing one keeps its own.
    plan = case.plan if case else require_working_plan(request)
    try:
        plan.ensure_open()
    except TransitionRefused as exc:
        messages.error(request, exc.message)
        return redirect("reporting:case", pk=case.pk) if case else redirect("reporting:case_list")
    form = CaseForm(
        request.POST or None,
        request.FILES or None,
        instance=case,
        province=request.user.province,
        plan=plan,
    )
    if request.method == "POST" and form.is_valid():
        draft = case or Case(province=request.user.province, plan=plan, created_by=request.user)
        try:
            with transaction.atomic():
                save_draft(
                    draft,
                    request.user,
                    {
                        **{name: form.cleaned_data[name] for name in CaseForm.Meta.fields},
                        "plan": plan,
                    },
                )
                attach(CaseEvidence, form.cleaned_data["files"], request.user, case=draft)
        except ValidationError as exc:  # a bad file: neither the case nor any file is saved
            for e in exc.messages:
                form.add_error("files", e)
        except TransitionRefused as exc:  # no longer a draft, or not this unit's to write
            messages.error(request, exc.message)
            return (
                redirect("reporting:case", pk=case.pk) if case else redirect("reporting:case_list")
            )
        else:
            if "submit" not in request.POST:
                messages.success(request, _("已保存草稿。"))
            else:
                try:
                    draft.submit(request.user)
                except TransitionRefused as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(request, _("已报送，等待专利文献部审核。"))
            return redirect("reporting:case", pk=draft.pk)
    return render(request, "reporting/case_form.html", {"form": form, "case": case, "plan": plan})


@role_required(STAFF | HQ)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(
        Case.objects.visible_to(request.user).select_related("province"), pk=pk
    )
    # Another unit reading a published case sees the case, not HQ's handling of it.
    own_or_hq = Case.objects.own(request.user).filter(pk=case.pk).exists()
    return render(
        request,
        "reporting/case_detail.html",
        {
            "case": case,
            "evidence": case.evidence.all(),
            "history": history(case) if own_or_hq else None,
            "show_history": own_or_hq,
        },
    )


@role_required(HQ)
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = get_object_or_404(Case.objects.visible_to(request.user), pk=pk)
    t = {"t": case.title}
    try:
        if action == "confirm":
            case.confirm(request.user, request.POST.get("reason", ""))
            done = _("案例“%(t)s”已确认。") % t
        elif action == "return":
            case.return_for_revision(request.user, request.POST.get("reason", ""))
            done = _("案例“%(t)s”已退回修改。") % t
        elif action == "select":
            case.select(
                request.user,
                digest=bool(request.POST.get("digest")),
                publication=bool(request.POST.get("publication")),
            )
            done = _("案例“%(t)s”的选用已保存。") % t
        else:
            raise Http404
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("reporting:case", pk=case.pk)


@role_required(STAFF | HQ)
def case_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(CaseEvidence.objects.visible_to(request.user), pk=pk)
    return download(evidence)


# --- bulletins ------------------------------------------------------------------------


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


@role_required(STAFF | HQ)
def bulletin_list(request: HttpRequest) -> HttpResponse:
    plan = working_plan(request)
    bulletins = Bulletin.objects.visible_to(request.user).filter(plan=plan)
    return render(request, "reporting/bulletin_list.html", {"bulletins": bulletins, "plan": plan})


@role_required(HQ)
def bulletin_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    bulletin = get_object_or_404(Bulletin, pk=pk) if pk else None
    if bulletin and bulletin.state == Bulletin.State.PUBLISHED:
        messages.error(request, _("已发布的工作进展不能修改。"))
        return redirect(bulletin)
    # A new bulletin is filed under the plan HQ is working in, and collects only its records.
    plan = bulletin.plan if bulletin else require_working_plan(request)
    try:
        plan.ensure_open()
    except TransitionRefused as exc:
        messages.error(request, exc.message)
        return redirect(bulletin or "reporting:bulletin_list")
    form = BulletinForm(request.POST or None, instance=bulletin)
    candidates_entries = candidates_cases = []
    if bulletin:
        candidates_entries = (
            LedgerEntry.objects.filter(
                assignment__task__plan=plan,
                date__range=(bulletin.period_start, bulletin.period_end),
            )
            .select_related("assignment__province", "assignment__task")
            .order_by("assignment__province__sort_order", "date")[:300]
        )
        candidates_cases = Case.objects.filter(
            plan=plan, state=Case.State.CONFIRMED
        ).select_related("province")
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        obj.plan = plan
        obj.created_by = obj.created_by or request.user
        obj.save()
        if bulletin:
            obj.entries.set(
                LedgerEntry.objects.filter(
                    assignment__task__plan=plan, pk__in=request.POST.getlist("entries")
                )
            )
            obj.cases.set(
                Case.objects.filter(
                    plan=plan, pk__in=request.POST.getlist("cases"), state=Case.State.CONFIRMED
                )
            )
        messages.success(request, _("已保存。请选择要收录的台账和案例，然后发布。"))
        return redirect("reporting:bulletin_edit", pk=obj.pk)
    return render(
        request,
        "reporting/bulletin_form.html",
        {
            "form": form,
            "plan": plan,
            "bulletin": bulletin,
            "entries": candidates_entries,
            "cases": candidates_cases,
            "chosen_entries": set(bulletin.entries.values_list("pk", flat=True))
            if bulletin
            else set(),
            "chosen_cases": set(bulletin.cases.values_list("pk", flat=True)) if bulletin else set(),
        },
    )


@role_required(HQ)
@require_POST
def bulletin_publish(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = get_object_or_404(Bulletin, pk=pk)
    try:
        bulletin.publish(request.user)
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已发布，各单位可以查看。"))
    return redirect(bulletin)


def _bulletin_context(bulletin: Bulletin) -> dict:
    return {
        "bulletin": bulletin,
        "entries": bulletin.entries.select_related(
            "assignment__province", "assignment__task"
        ).order_by("assignment__province__sort_order", "date"),
        "cases": bulletin.cases.select_related("province"),
    }


@role_required(STAFF | HQ)
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = get_object_or_404(Bulletin.objects.visible_to(request.user), pk=pk)
    return render(request, "reporting/bulletin_detail.html", _bulletin_context(bulletin))


@role_required(STAFF | HQ)
def bulletin_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from weasyprint import HTML

    bulletin = get_object_or_404(Bulletin.objects.visible_to(request.user), pk=pk)
    require_fonts()
    html = render_to_string("reporting/bulletin_pdf.html", _bulletin_context(bulletin))
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bulletin-{bulletin.pk}.pdf"'
    return response
