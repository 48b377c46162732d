"""Applications: a province drafts and submits one, its page, every action on it (HQ's
decisions, the agreement, acceptance), its attachments, the export."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ALL, HQ, STAFF, role_required
from accounts.models import Role, User
from workflow import sheets
from workflow.files import download
from workflow.machine import TransitionRefused, history

from .. import services
from ..acceptance import panels
from ..forms import ApplicationForm, posted_date, posted_money
from ..models import Application, Attachment, Call
from .agreements import sign


@role_required(STAFF)
def application_new(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.visible_to(request.user), pk=pk)
    if problem := services.ineligibility(call, request.user.province):
        messages.error(request, problem)
        return redirect(call)
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            app = services.start_application(call, request.user, form.cleaned_data)
        except TransitionRefused as exc:
            messages.error(request, exc.message)
            return redirect(call)
        messages.success(request, _("申报已保存为草稿，确认无误后请点击“申报”。"))
        return redirect(app)
    return render(request, "projects/application_form.html", {"form": form, "call": call})


@role_required(STAFF)
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The owning province changes its draft; submitted applications are the reviewers'."""
    app = get_object_or_404(
        Application.objects.visible_to(request.user).select_related("call"), pk=pk
    )
    if app.state != Application.State.DRAFT:
        messages.error(request, _("申报已提交，不能修改。"))
        return redirect(app)
    form = ApplicationForm(request.POST or None, instance=app)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft(app, request.user, form.cleaned_data)
        except TransitionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("草稿已保存。"))
        return redirect(app)
    return render(
        request, "projects/application_form.html", {"form": form, "call": app.call, "app": app}
    )


@role_required(ALL)
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
            "reviews_submitted": sum(1 for r in reviews if r["review"]),
            "experts": experts,
            "history": history(app),
            "deliverables": app.deliverables.all(),
            "agreement": getattr(app, "agreement", None),
            "attachments": app.attachments.all(),
            "purposes": Attachment.Purpose,
            "upload_limit_mb": settings.MAX_UPLOAD_SIZE // 1024 // 1024,
            # the money, from funding (above projects), once the application is a project
            "panels": panels(request, app) if app.state in Application.PROJECTS else [],
        },
    )


@role_required(
    actions={
        **dict.fromkeys(["submit", "request_acceptance", "upload"], STAFF),
        **dict.fromkeys(["assign", "approve", "reject", "sign", "rectify", "fail"], HQ),
    }
)
@require_POST
def application_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    app = get_object_or_404(Application.objects.visible_to(request.user), pk=pk)
    user, post = request.user, request.POST
    a = {"a": app.applicant}
    try:
        if action == "submit":
            services.submit_application(app, user)
            done = _("申报“%(a)s”已提交，等待专利文献部评审。") % a
        elif action == "upload":
            attached = services.add_attachments(
                app, user, request.FILES.getlist("files"), post.get("purpose", "")
            )
            done = _("已为“%(a)s”上传 %(n)d 个文件：%(names)s。") % {
                **a,
                "n": len(attached),
                "names": "、".join(f.name for f in request.FILES.getlist("files")),
            }
        elif action == "request_acceptance":
            services.request_acceptance(app, user, post.get("final_report", ""))
            done = _("项目“%(a)s”已申请验收。") % a
        elif action == "assign":
            expert = services.find_expert(post.get("expert", ""))
            services.assign_expert(app, expert, user)
            done = _("已分配专家 %(e)s 评审“%(a)s”。") % {**a, "e": expert.display_name()}
        elif action == "approve":
            budget = posted_money(
                post.get("budget_granted", ""),
                _("资助经费应为金额（万元），最多两位小数，例如 12.50。"),
            )
            services.approve(
                app,
                user,
                post.get("undertaking_unit", ""),
                budget,
                post.get("reason", ""),
                allow_over=bool(post.get("allow_over")),
                override_reviews=bool(post.get("override_reviews")),
            )
            done = _("项目“%(a)s”已立项，资助经费 %(b)s 万元。") % {**a, "b": budget}
        elif action == "reject":
            services.reject(
                app,
                user,
                post.get("reason", ""),
                override_reviews=bool(post.get("override_reviews")),
            )
            done = _("申报“%(a)s”不予立项。") % a
        elif action == "sign":
            sign(app, user, post)
            done = _("项目“%(a)s”的协议已签订。") % a
        elif action == "rectify":
            due = posted_date(
                post.get("due", ""),
                missing=_("请填写整改期限。"),
                invalid=_("整改期限应为有效日期，例如 2018-12-31。"),
            )
            services.require_rectification(app, user, post.get("reason", ""), due)
            done = _("项目“%(a)s”需整改，整改期限 %(d)s。") % {**a, "d": f"{due:%Y-%m-%d}"}
        elif action == "fail":
            services.fail(app, user, post.get("reason", ""))
            done = _("项目“%(a)s”验收不通过。") % a
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:  # a bad file: none of the files is stored
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(app)


@role_required(STAFF | HQ)
def export(request: HttpRequest) -> HttpResponse:
    sheet = sheets.Sheet(
        _("项目申报"),
        [
            _("申报通知"),
            _("任务"),
            _("类型"),
            _("省份"),
            _("申报单位"),
            _("申请经费（万元）"),
            _("资助经费（万元）"),
            _("承担单位"),
            _("状态"),
        ],
    )
    for a in Application.objects.visible_to(request.user).select_related("call__task", "province"):
        sheet.append(
            [
                a.call.title,
                a.call.task.number,
                a.call.get_project_type_display(),
                a.province.short_name,
                a.applicant,
                a.budget_requested,
                a.budget_granted,
                a.undertaking_unit,
                a.get_state_display(),
            ]
        )
    return sheets.download("projects.xlsx", sheet)


@role_required(ALL)
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
    return download(attachment)
