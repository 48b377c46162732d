"""Typical cases (典型案例), task 9: list, write, submit, HQ's review and selection."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import HQ, STAFF, role_required
from planning.working import require_working_plan, working_plan
from provinces.models import Case, CaseEvidence
from workflow.files import attach, download
from workflow.machine import TransitionRefused, history
from workflow.pages import say_saved
from workflow.review import save_draft

from ..forms import CaseForm


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
                        **{
                            name: form.cleaned_data[name]
                            for name in CaseForm.Meta.fields
                            if name != "entities"
                        },
                        "plan": plan,
                    },
                )
                draft.entities.set(form.cleaned_data["entities"])
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
            try:
                if "submit" in request.POST:
                    draft.submit(request.user)
            except TransitionRefused as exc:
                messages.error(request, exc.message)
            else:
                say_saved(request, draft, "submit" in request.POST)
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
