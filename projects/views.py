from __future__ import annotations

from decimal import Decimal, InvalidOperation

import tablib
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from workflow.machine import TransitionRefused, history

from . import services
from .models import Application, Call, ExpertAssignment, Review

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = [
            "applicant",
            "partner_agency",
            "contact_name",
            "contact_phone",
            "budget_requested",
            "plan_text",
        ]
        widgets = {"plan_text": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"partner_agency": gettext_lazy("企业与服务机构结对申报时填写")}

    def clean_contact_phone(self):
        from provinces.forms import validate_phone

        return validate_phone(self.cleaned_data["contact_phone"])

    def clean_budget_requested(self):
        value = self.cleaned_data["budget_requested"]
        if value <= 0:
            raise forms.ValidationError(_("申请经费应大于 0。"))
        return value


def _not_expert(request):
    if not (request.user.is_hq or request.user.is_province_staff):
        raise Http404


@login_required
def call_list(request: HttpRequest) -> HttpResponse:
    _not_expert(request)
    visible = Application.objects.visible_to(request.user)
    calls = (
        Call.objects.visible_to(request.user)
        .select_related("task", "plan")
        .annotate(
            n=Count("applications", filter=Q(applications__in=visible)),
            granted=Sum("applications__budget_granted", filter=Q(applications__in=visible)),
        )
    )
    totals = (
        visible.values("state")
        .annotate(n=Count("pk"), asked=Sum("budget_requested"), granted=Sum("budget_granted"))
        .order_by("state")
    )
    labels = dict(Application.State.choices)
    return render(
        request,
        "projects/call_list.html",
        {"calls": calls, "totals": [(labels[t["state"]], t) for t in totals]},
    )


@login_required
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _not_expert(request)
    call = get_object_or_404(Call.objects.visible_to(request.user).select_related("task"), pk=pk)
    applications = (
        Application.objects.visible_to(request.user).filter(call=call).select_related("province")
    )
    return render(
        request,
        "projects/call_detail.html",
        {"call": call, "applications": applications, "criteria": call.criteria.all()},
    )


@login_required
def application_new(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_province_staff:
        raise Http404
    call = get_object_or_404(Call.objects.visible_to(request.user), pk=pk)
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        app = form.save(commit=False)
        app.call, app.province, app.created_by = call, request.user.province, request.user
        app.save()
        messages.success(request, _("申报已保存为草稿，确认无误后请点击“申报”。"))
        return redirect(app)
    return render(request, "projects/application_form.html", {"form": form, "call": call})


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = get_object_or_404(
        Application.objects.visible_to(request.user).select_related("call__task", "province"), pk=pk
    )
    if request.user.is_expert:
        assignment = app.expert_assignments.get(expert=request.user)
        return redirect("projects:review", pk=assignment.pk)
    criteria = list(app.call.criteria.all())
    reviews = []
    if request.user.is_hq:
        for a in app.expert_assignments.select_related("expert__province", "review"):
            review = getattr(a, "review", None)
            reviews.append(
                {
                    "expert": a.expert,
                    "review": review,
                    "scores": [review.scores.get(c.name) if review else None for c in criteria],
                }
            )
    experts = (
        User.objects.filter(role=Role.EXPERT, is_active=True)
        .exclude(province=app.province)
        .select_related("province")
        if request.user.is_hq
        else []
    )
    return render(
        request,
        "projects/application_detail.html",
        {
            "app": app,
            "criteria": criteria,
            "reviews": reviews,
            "summary": services.score_summary(app) if request.user.is_hq else None,
            "experts": experts,
            "history": history(app),
            "deliverables": app.deliverables.all(),
        },
    )


@login_required
@require_POST
def application_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    app = get_object_or_404(Application.objects.visible_to(request.user), pk=pk)
    user, post = request.user, request.POST
    staff_actions = {"submit", "request_acceptance"}
    hq_actions = {"assign", "approve", "reject", "sign", "accept", "rectify", "fail"}
    if (
        (action in staff_actions and not user.is_province_staff)
        or (action in hq_actions and not user.is_hq)
        or action not in staff_actions | hq_actions
    ):
        raise Http404
    try:
        if action == "submit":
            services.submit_application(app, user)
        elif action == "request_acceptance":
            app.request_acceptance(user, post.get("final_report", ""))
        elif action == "assign":
            expert = get_object_or_404(User, pk=post.get("expert"), role=Role.EXPERT)
            services.assign_expert(app, expert, user)
        elif action == "approve":
            try:
                budget = Decimal(post.get("budget_granted", ""))
            except InvalidOperation as exc:
                raise TransitionRefused(_("资助经费应为数字。")) from exc
            services.approve(
                app,
                user,
                post.get("undertaking_unit", ""),
                budget,
                post.get("reason", ""),
                allow_over=bool(post.get("allow_over")),
            )
        elif action == "reject":
            services.reject(app, user, post.get("reason", ""))
        elif action == "sign":
            app.start(user)
        elif action == "accept":
            app.accept(user, post.get("reason", ""))
        elif action == "rectify":
            due = parse_date(post.get("due", "") or "")
            if due is None:
                raise TransitionRefused(_("请填写整改期限。"))
            app.require_rectification(user, post.get("reason", ""), due)
        elif action == "fail":
            app.fail(user, post.get("reason", ""))
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已处理。"))
    return redirect(app)


@login_required
def my_reviews(request: HttpRequest) -> HttpResponse:
    if not request.user.is_expert:
        raise Http404
    assignments = (
        ExpertAssignment.objects.filter(expert=request.user)
        .select_related("application__call", "application__province")
        .prefetch_related(Prefetch("review", queryset=Review.objects.all()))
    )
    return render(request, "projects/my_reviews.html", {"assignments": assignments})


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        ExpertAssignment.objects.filter(expert=request.user).select_related(
            "application__call", "application__province"
        ),
        pk=pk,
    )
    criteria = list(assignment.application.call.criteria.all())
    if request.method == "POST":
        try:
            scores = {c.name: int(request.POST.get(f"score-{c.pk}", "")) for c in criteria}
            services.submit_review(
                assignment,
                scores,
                request.POST.get("recommendation", ""),
                request.POST.get("comment", ""),
            )
        except (ValueError, TransitionRefused) as exc:
            messages.error(request, getattr(exc, "message", _("得分应为 0 到 100 的整数。")))
        else:
            messages.success(request, _("评审意见已提交。"))
            return redirect("projects:my_reviews")
    return render(
        request,
        "projects/review.html",
        {
            "assignment": assignment,
            "app": assignment.application,
            "criteria": criteria,
            "existing": getattr(assignment, "review", None),
            "choices": Review.Recommendation.choices,
        },
    )


@login_required
def export(request: HttpRequest) -> HttpResponse:
    _not_expert(request)
    data = tablib.Dataset(
        headers=[
            "申报通知",
            "任务",
            "类型",
            "省份",
            "申报单位",
            "申请经费（万元）",
            "资助经费（万元）",
            "承担单位",
            "状态",
        ]
    )
    for a in Application.objects.visible_to(request.user).select_related("call__task", "province"):
        data.append(
            [
                a.call.title,
                a.call.task.number,
                a.call.get_project_type_display(),
                a.province.short_name,
                a.applicant,
                float(a.budget_requested),
                float(a.budget_granted) if a.budget_granted is not None else "",
                a.undertaking_unit,
                a.get_state_display(),
            ]
        )
    response = HttpResponse(data.export("xlsx"), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="projects.xlsx"'
    return response
