"""Expert reviews: an expert's assignments and the scoring page."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import EXPERTS, role_required
from workflow.machine import TransitionRefused

from .. import services
from ..models import Application, ExpertAssignment, Review


@role_required(EXPERTS)
def my_reviews(request: HttpRequest) -> HttpResponse:
    assignments = (
        ExpertAssignment.objects.visible_to(request.user)
        .filter(expert=request.user)
        .select_related("application__call", "application__province")
        .prefetch_related(Prefetch("review", queryset=Review.objects.all()))
    )
    return render(request, "projects/my_reviews.html", {"assignments": assignments})


@role_required(EXPERTS)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        ExpertAssignment.objects.visible_to(request.user)
        .filter(expert=request.user)
        .select_related("application__call", "application__province"),
        pk=pk,
    )
    criteria = list(assignment.application.call.criteria.all())
    existing = getattr(assignment, "review", None)
    # Scores can change only while the application is under review; after that they are a record.
    editable = assignment.application.state == Application.State.UNDER_REVIEW
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
            "existing": existing,
            "scored": [(c, existing.scores.get(c.name)) for c in criteria] if existing else [],
            "editable": editable,
            "choices": Review.Recommendation.choices,
        },
    )
