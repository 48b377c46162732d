"""Verbs of the projects lifecycle. Pages, API and admin call these and nothing else."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.machine import TransitionRefused

from .models import Application, ExpertAssignment, Review


def submit_application(application: Application, by, now=None) -> Application:
    """Submit while the call is open; a closed call refuses with its dates."""
    call = application.call
    if not call.is_open(now):
        raise TransitionRefused(
            _("申报时间为 %(o)s 至 %(c)s，现在不能申报。")
            % {
                "o": timezone.localtime(call.opens_at).strftime("%Y-%m-%d %H:%M"),
                "c": timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M"),
            },
            current_state=application.state,
        )
    application.submit(by)
    return application


def assign_expert(application: Application, expert, by) -> ExpertAssignment:
    """An expert never reviews an application from their own province."""
    if not expert.is_expert:
        raise TransitionRefused(_("只能分配评审专家。"))
    if expert.province_id and expert.province_id == application.province_id:
        raise TransitionRefused(
            _("回避：专家 %(e)s 与申报单位同属 %(p)s，不能评审。")
            % {"e": expert.display_name(), "p": application.province.short_name}
        )
    if application.state == Application.State.SUBMITTED:
        application.start_review(by)
    elif application.state != Application.State.UNDER_REVIEW:
        raise TransitionRefused(_("只有已申报或评审中的申报可以分配专家。"))
    try:
        with transaction.atomic():
            return ExpertAssignment.objects.create(application=application, expert=expert)
    except IntegrityError as exc:
        raise TransitionRefused(_("该专家已分配评审此项申报。")) from exc


def submit_review(
    assignment: ExpertAssignment, scores: dict[str, int], recommendation: str, comment: str
) -> Review:
    criteria = list(assignment.application.call.criteria.all())
    names = {c.name for c in criteria}
    if set(scores) != names:
        raise TransitionRefused(_("请为每个评分项打分。"))
    if any(not 0 <= int(v) <= 100 for v in scores.values()):
        raise TransitionRefused(_("每项得分应在 0 到 100 之间。"))
    if assignment.application.state != Application.State.UNDER_REVIEW:
        raise TransitionRefused(_("该申报已不在评审阶段。"))
    total = sum(Decimal(scores[c.name]) * c.weight for c in criteria) / 100
    review, _created = Review.objects.update_or_create(
        assignment=assignment,
        defaults={
            "scores": scores,
            "weighted_total": total.quantize(Decimal("0.01")),
            "recommendation": recommendation,
            "comment": comment,
        },
    )
    return review


def score_summary(application: Application) -> dict:
    agg = Review.objects.filter(assignment__application=application).aggregate(
        mean=Avg("weighted_total"), low=Min("weighted_total"), high=Max("weighted_total")
    )
    spread = (agg["high"] - agg["low"]) if agg["high"] is not None else None
    return {"mean": agg["mean"], "spread": spread}


def approve(
    application: Application,
    by,
    undertaking_unit: str,
    budget_granted: Decimal,
    reason: str = "",
    allow_over: bool = False,
) -> Application:
    if not undertaking_unit.strip():
        raise TransitionRefused(_("请填写项目承担单位。"))
    if budget_granted <= 0:
        raise TransitionRefused(_("资助经费应大于 0。"))
    if budget_granted > application.budget_requested and not allow_over:
        raise TransitionRefused(_("资助经费超过申请经费，请确认后再提交。"))
    application.approve(
        by, undertaking_unit=undertaking_unit, budget_granted=budget_granted, reason=reason
    )
    return application


def reject(application: Application, by, reason: str) -> Application:
    application.reject(by, reason)
    return application
