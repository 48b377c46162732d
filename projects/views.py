from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import ALL, EXPERTS, HQ, STAFF, role_required
from accounts.models import Role, User
from planning.working import require_working_plan, working_plan
from workflow import sheets
from workflow.files import download
from workflow.machine import TransitionRefused, history
from workflow.validation import normalise_phone

from . import services
from .models import (
    Application,
    Attachment,
    Call,
    Deliverable,
    ExpertAssignment,
    Review,
)


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


@role_required(STAFF | HQ)
def call_list(request: HttpRequest) -> HttpResponse:
    plan = working_plan(request)
    visible = Application.objects.visible_to(request.user).filter(call__plan=plan)
    calls = (
        Call.objects.visible_to(request.user)
        .filter(plan=plan)
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
        {"plan": plan, "calls": calls, "totals": [(labels[t["state"]], t) for t in totals]},
    )


@role_required(STAFF | HQ)
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.visible_to(request.user).select_related("task"), pk=pk)
    applications = (
        Application.objects.visible_to(request.user).filter(call=call).select_related("province")
    )
    return render(
        request,
        "projects/call_detail.html",
        {"call": call, "applications": applications, "criteria": call.criteria.all()},
    )


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
        },
    )


@role_required(
    actions={
        **dict.fromkeys(["submit", "request_acceptance", "upload"], STAFF),
        **dict.fromkeys(["assign", "approve", "reject", "sign", "accept", "rectify", "fail"], HQ),
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
            budget = _money(
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
            _sign(app, user, post)
            done = _("项目“%(a)s”的协议已签订。") % a
        elif action == "accept":
            services.accept(app, user, post.get("reason", ""))
            done = _("项目“%(a)s”验收通过。") % a
        elif action == "rectify":
            due = _date(
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


# What the model columns can hold: NaN, Infinity, 1e400 or a third decimal never get that far.
MONEY = forms.DecimalField(max_digits=10, decimal_places=2)
DATE = forms.DateField(input_formats=["%Y-%m-%d"])


def _money(raw: str, message: str) -> Decimal:
    try:
        return MONEY.clean(raw)
    except ValidationError as exc:
        raise TransitionRefused(message) from exc


def _date(raw: str, *, missing: str, invalid: str) -> date:
    """A YYYY-MM-DD date from a form; an impossible one (2018-02-30) is refused, not a 500."""
    if not (raw or "").strip():
        raise TransitionRefused(missing)
    try:
        return DATE.clean(raw)
    except ValidationError as exc:
        raise TransitionRefused(invalid) from exc


def _sign(app: Application, user, post) -> None:
    missing = _("请填写实施期的开始和结束日期。")
    invalid = _("实施期的开始和结束日期应为有效日期，例如 2018-12-31。")
    starts_on = _date(post.get("starts_on", ""), missing=missing, invalid=invalid)
    ends_on = _date(post.get("ends_on", ""), missing=missing, invalid=invalid)
    services.sign_agreement(
        app,
        user,
        number=post.get("number", ""),
        budget=_money(
            post.get("budget", ""), _("协议经费应为金额（万元），最多两位小数，例如 12.50。")
        ),
        starts_on=starts_on,
        ends_on=ends_on,
        deliverables=services.parse_deliverables(post.get("deliverables", "")),
        terms=post.get("terms", ""),
    )


@role_required(STAFF)
@require_POST
def deliverable_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The undertaking province reports progress on one deliverable of its agreement."""
    deliverable = get_object_or_404(
        Deliverable.objects.filter(
            application__in=Application.objects.visible_to(request.user)
        ).select_related("application"),
        pk=pk,
    )
    post = request.POST
    try:
        try:
            percent = int(post.get("percent", ""))
        except ValueError as exc:
            raise TransitionRefused(_("完成进度应为 0 到 100 的整数。")) from exc
        raw_done = post.get("done_on", "") or ""
        done_on = parse_date(raw_done) if raw_done else None
        if raw_done and done_on is None:
            raise TransitionRefused(_("完成日期格式应为 YYYY-MM-DD。"))
        services.report_progress(
            deliverable, request.user, percent=percent, note=post.get("note", ""), done_on=done_on
        )
    except (TransitionRefused, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("日期无效。")))
    else:
        messages.success(request, _("进展已报告。"))
    return redirect(deliverable.application)


@role_required(ALL)
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
    return download(attachment)


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


@role_required(HQ)
def call_new(request: HttpRequest) -> HttpResponse:
    """HQ opens a call (申报通知) with its scoring criteria."""
    plan = require_working_plan(request)
    try:
        plan.ensure_open()
    except TransitionRefused as exc:
        messages.error(request, exc.message)
        return redirect("projects:call_list")
    form = CallForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            call = services.open_call(
                plan,
                request.user,
                **{f: data[f] for f in CallForm.Meta.fields},
                criteria=data["criteria"],
            )
        except TransitionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("申报通知已发布。"))
            return redirect(call)
    return render(request, "projects/call_form.html", {"form": form, "plan": plan})


@role_required(HQ)
@require_POST
def call_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """HQ decides several applications of a call at once."""
    call = get_object_or_404(Call.objects.visible_to(request.user), pk=pk)
    try:
        ids = [int(v) for v in request.POST.getlist("applications")]
    except ValueError as exc:
        raise Http404 from exc
    try:
        decided = services.decide_batch(
            call,
            request.user,
            ids,
            request.POST.get("decision", ""),
            request.POST.get("reason", ""),
            override_reviews=bool(request.POST.get("override_reviews")),
        )
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已决定 %(n)d 项申报。") % {"n": len(decided)})
    return redirect(call)


@role_required(STAFF | HQ)
def totals(request: HttpRequest) -> HttpResponse:
    plan = working_plan(request)
    return render(
        request,
        "projects/totals.html",
        {"plan": plan, **services.project_totals(request.user, plan)},
    )


@role_required(STAFF | HQ)
def totals_export(request: HttpRequest) -> HttpResponse:
    data = services.project_totals(request.user, working_plan(request))
    heads = [_("申报数"), _("立项数"), _("申请经费（万元）"), _("资助经费（万元）")]

    def money(row):
        return [
            row["n"],
            row["approved"],
            row["asked"] or 0,
            row["granted"] or 0,
        ]

    by_task = sheets.Sheet(_("按任务和类型"), [_("任务"), _("项目类型"), *heads])
    for row in data["by_task"]:
        by_task.append([row["call__task__number"], row["type_label"], *money(row)])
    by_province = sheets.Sheet(_("按省份"), [_("省份"), *heads])
    for row in data["by_province"]:
        by_province.append([row["province__name"], *money(row)])
    by_state = sheets.Sheet(_("按状态"), [_("状态"), *heads])
    for row in data["by_state"]:
        by_state.append([row["label"], *money(row)])
    return sheets.download("project-totals.xlsx", by_task, by_province, by_state)
