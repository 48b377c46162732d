"""Registration (任务分解报送) pages: fill in, submit, take up, mark a step done; HQ's
return, confirm and reopen."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import HQ, STAFF, role_required
from workflow.machine import TransitionRefused, history
from workflow.pages import say_saved
from workflow.review import save_draft

from .. import services
from ..forms import ContactForm, MilestoneDoneForm, MilestoneFormSet, ReasonForm, RegistrationForm
from ..ledger import ledger_totals, period_progress, target_progress
from ..models import Assignment, Contact, Milestone, Registration


def _assignment(request: HttpRequest, pk: int) -> Assignment:
    return get_object_or_404(
        Assignment.objects.visible_to(request.user).select_related(
            "task__plan", "province", "track"
        ),
        pk=pk,
    )


def _milestone_rows(formset) -> list[Milestone]:
    """The schedule the formset describes: kept and new steps, without the deleted ones."""
    return [
        _row(Milestone, form)
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


def _row(model, form, **extra):
    """A new row with the values the form's model clean() left on its instance."""
    return model(**{name: getattr(form.instance, name) for name in form._meta.fields}, **extra)


def _contact_forms(registration: Registration, data=None, offered=()):
    """The two contact forms; ``offered`` (last year's contacts, asked for with
    ``?contacts=last``) fills them, to be checked and saved by the unit."""
    existing = {c.role: c for c in registration.contacts.all()} if registration.pk else {}
    initial = {c.role: {f: getattr(c, f) for f in ContactForm._meta.fields} for c in offered}
    return {
        role: ContactForm(data, instance=existing.get(role), prefix=role, initial=initial.get(role))
        for role in (Contact.Role.RESPONSIBLE, Contact.Role.LIAISON)
    }


@role_required(STAFF | HQ, post=STAFF)
def registration(request: HttpRequest, pk: int) -> HttpResponse:
    """View and (for the owning province, while editable) fill in one registration."""
    assignment = _assignment(request, pk)
    reg = getattr(assignment, "registration", None)
    can_edit = request.user.is_province_staff and (
        reg or Registration(assignment=assignment)
    ).can_be_edited_by(request.user)
    last_contacts = services.last_years_contacts(assignment) if can_edit else []
    if request.method == "POST":
        reg = reg or Registration(assignment=assignment)
        try:  # refuse before reading the forms; save_draft checks again in the database
            reg.check_eligible(request.user)
            reg.check_open()
            reg.ensure_editable()
        except TransitionRefused as exc:
            messages.error(request, exc.message)
            return redirect("provinces:registration", pk=pk)
        form = RegistrationForm(request.POST, instance=reg)
        contacts = _contact_forms(reg, request.POST)
        milestones = MilestoneFormSet(request.POST, instance=reg, prefix="ms")
        valid = (
            form.is_valid() & all([c.is_valid() for c in contacts.values()]) & milestones.is_valid()
        )
        if valid:
            try:
                save_draft(
                    reg,
                    request.user,
                    form.cleaned_data,
                    {
                        "contacts": [_row(Contact, c, role=role) for role, c in contacts.items()],
                        "milestones": _milestone_rows(milestones),
                    },
                )
                if "submit" in request.POST:
                    services.submit_registration(reg, request.user)
            except TransitionRefused as exc:
                messages.error(request, exc.message)
            else:
                say_saved(request, reg, "submit" in request.POST)
            return redirect("provinces:registration", pk=pk)
        messages.error(request, _("请更正下面标出的错误。"))
        reg = reg if reg.pk else None
    else:
        form = RegistrationForm(instance=reg)
        asked = request.GET.get("contacts") == "last" and can_edit
        contacts = _contact_forms(
            reg or Registration(assignment=assignment), offered=last_contacts if asked else ()
        )
        milestones = MilestoneFormSet(instance=reg or Registration(), prefix="ms")
    totals = ledger_totals([assignment]).get(assignment.pk, {})
    return render(
        request,
        "provinces/registration.html",
        {
            "assignment": assignment,
            "registration": reg,
            "can_edit": can_edit,
            "form": form,
            "contacts": contacts,
            "milestones": milestones,
            "saved_milestones": reg.milestones.all() if reg else [],
            "saved_contacts": reg.contacts.all() if reg else [],
            "last_contacts": last_contacts,
            "last_contacts_data": {
                c.role: {f: getattr(c, f) for f in ContactForm._meta.fields} for c in last_contacts
            },
            "history": history(reg) if reg else [],
            "reason_form": ReasonForm(),
            "deadline": (reg or Registration(assignment=assignment)).submission_deadline(),
            "today": timezone.localdate(),
            # A periodic target (每季度…) is counted in each period, not over the year.
            "progress": [
                p for p in target_progress(assignment, totals) if p.target.period == "year"
            ],
            "periodic": period_progress([assignment], assignment.task.plan.year).get(
                assignment.pk, []
            ),
            "totals": totals,
        },
    )


@role_required(HQ)
@require_POST
def registration_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """HQ: return (reason required), confirm, reopen (reason required)."""
    assignment = _assignment(request, pk)
    reg = getattr(assignment, "registration", None)
    if reg is None:
        raise Http404
    reason = request.POST.get("reason", "")
    verbs = {
        "return": (services.return_registration, _("%(r)s 已退回，省局将看到退回理由。")),
        "confirm": (services.confirm_registration, _("%(r)s 已确认。")),
        "reopen": (
            services.reopen_registration,
            _("%(r)s 已重新打开，省局可以修改后重新报送。"),
        ),
    }
    if action not in verbs:
        raise Http404
    verb, done = verbs[action]
    try:
        verb(reg, request.user, reason)
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done % {"r": reg})
    return redirect("provinces:registration", pk=pk)


@role_required(STAFF)
@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    """The owning province marks a schedule step done, whatever the registration's state."""
    milestone = get_object_or_404(
        Milestone.objects.visible_to(request.user).select_related("registration"), pk=pk
    )
    form = MilestoneDoneForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    else:
        try:
            services.complete_milestone(milestone, request.user, form.cleaned_data["done_on"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except TransitionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已标记完成：%(what)s。") % {"what": milestone.description})
    return redirect("provinces:registration", pk=milestone.registration.assignment_id)


@role_required(STAFF)
@require_POST
def take_up(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    try:
        services.take_up_assignment(assignment, request.user)
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确认开展该任务，请填写任务分解报送。"))
    return redirect("provinces:registration", pk=pk)
