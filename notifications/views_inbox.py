"""Pages for deadlines, extension requests, in-app notifications and the calendar feed."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import ALL, HQ, STAFF, public, role_required
from accounts.models import User
from planning.models import Deadline
from planning.working import require_working_plan, with_year, working_plan
from workflow.machine import TransitionRefused, history

from . import extensions
from .calendar import feed_for
from .models import DeadlineReport, ExtensionRequest, Notification
from .obligations import base_key

# --- a unit's deadlines and extension requests ----------------------------------------


@role_required(STAFF)
def my_deadlines(request: HttpRequest) -> HttpResponse:
    """What the user's unit owes, by when (effective dates), with extension requests."""
    user = request.user
    owed = extensions.owed_by(user.province)
    requests = ExtensionRequest.objects.visible_to(user).select_related(
        "requested_by", "decided_by"
    )
    pending = set(
        requests.filter(state=ExtensionRequest.State.PENDING).values_list("deadline_key", flat=True)
    )
    rows = [
        {"owed": o, "key": base_key(o.key), "pending": base_key(o.key) in pending} for o in owed
    ]
    added = (
        Deadline.objects.filter(kind=Deadline.Kind.OTHER)
        .select_related("plan", "task")
        .order_by("due_date")
    )
    reported = {
        r.deadline_id: r
        for r in DeadlineReport.objects.filter(province=user.province, deadline__in=added)
    }
    return render(
        request,
        "notifications/my_deadlines.html",
        {
            "rows": rows,
            "requests": requests[:50],
            "today": timezone.localdate(),
            "added": [(d, reported.get(d.pk)) for d in added],
        },
    )


@role_required(STAFF)
@require_POST
def extension_request(request: HttpRequest) -> HttpResponse:
    due = parse_date(request.POST.get("requested_due", "") or "")
    try:
        if due is None:
            raise TransitionRefused(_("请填写申请延至的日期。"))
        extensions.request_extension(
            request.user.province,
            request.user,
            key=request.POST.get("key", ""),
            requested_due=due,
            reason=request.POST.get("reason", ""),
        )
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("延期申请已提交，等待专利文献部审批。"))
    return redirect("notifications:my_deadlines")


@role_required(STAFF)
@require_POST
def deadline_report(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = get_object_or_404(Deadline, pk=pk, kind=Deadline.Kind.OTHER)
    try:
        extensions.report_on_deadline(
            deadline, request.user.province, request.user, request.POST.get("note", "")
        )
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已报送。"))
    return redirect("notifications:my_deadlines")


@role_required(HQ)
def extension_list(request: HttpRequest) -> HttpResponse:
    """HQ's queue of extension requests, pending first, with the history."""
    requests = (
        ExtensionRequest.objects.visible_to(request.user)
        .select_related("province", "requested_by", "decided_by")
        .order_by("state", "-requested_at")
    )
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/extension_list.html", {"page": page})


@role_required(HQ)
@require_POST
def extension_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("approve", "refuse"):
        raise Http404
    ext = get_object_or_404(ExtensionRequest.objects.visible_to(request.user), pk=pk)
    reason = request.POST.get("reason", "")
    try:
        if action == "approve":
            extensions.approve_extension(ext, request.user, reason)
        else:
            extensions.refuse_extension(ext, request.user, reason)
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已处理。"))
    return redirect("notifications:extension_list")


@role_required(STAFF | HQ)
def extension_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ext = get_object_or_404(
        ExtensionRequest.objects.visible_to(request.user).select_related("province"), pk=pk
    )
    return render(
        request, "notifications/extension_detail.html", {"ext": ext, "history": history(ext)}
    )


# --- deadlines HQ adds -----------------------------------------------------------------


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


@role_required(HQ)
def deadline_list(request: HttpRequest) -> HttpResponse:
    plan = working_plan(request)
    deadlines = plan.deadlines.select_related("task") if plan else []
    return render(
        request, "notifications/deadline_list.html", {"plan": plan, "deadlines": deadlines}
    )


@role_required(HQ)
def deadline_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """HQ adds a deadline (e.g. a quarterly progress report) or tunes a deadline's reminders."""
    plan = require_working_plan(request)
    instance = get_object_or_404(plan.deadlines, pk=pk) if pk else None
    try:
        plan.ensure_open()
    except TransitionRefused as exc:
        messages.error(request, exc.message)
        return redirect(with_year(reverse("notifications:deadline_list"), plan.year))
    form = DeadlineForm(request.POST or None, instance=instance, plan=plan)
    if request.method == "POST" and form.is_valid():
        deadline = form.save(commit=False)
        if instance is None:
            deadline.plan, deadline.kind = plan, Deadline.Kind.OTHER
        deadline.save()
        messages.success(request, _("时间节点已保存。"))
        return redirect(with_year(reverse("notifications:deadline_list"), plan.year))
    return render(request, "notifications/deadline_form.html", {"form": form, "deadline": instance})


# --- notifications ---------------------------------------------------------------------


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["notify_by"]
        widgets = {"notify_by": forms.RadioSelect}


@role_required(ALL)
def inbox(request: HttpRequest) -> HttpResponse:
    items = Notification.objects.filter(user=request.user)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    form = PreferenceForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("通知方式已保存。"))
        return redirect("notifications:inbox")
    token = request.user.ensure_calendar_token()
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "form": form,
            "calendar_url": request.build_absolute_uri(f"/notifications/calendar/{token}.ics"),
        },
    )


@role_required(ALL)
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    items = Notification.objects.filter(user=request.user, read_at__isnull=True)
    if request.POST.get("id", "").isdigit():
        items = items.filter(pk=int(request.POST["id"]))
    items.update(read_at=timezone.now())
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "notifications:inbox"  # only same-site pages: never an open redirect
    return redirect(target)


@role_required(ALL)
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go to what it is about."""
    item = get_object_or_404(Notification, pk=pk, user=request.user)
    if item.read_at is None:
        Notification.objects.filter(pk=item.pk).update(read_at=timezone.now())
    link = item.link if item.link.startswith("/") and not item.link.startswith("//") else ""
    return redirect(link or "notifications:inbox")


@role_required(ALL)
@require_POST
def calendar_renew(request: HttpRequest) -> HttpResponse:
    request.user.ensure_calendar_token(renew=True)
    messages.success(request, _("已生成新的订阅地址，旧地址已失效。"))
    return redirect("notifications:inbox")


@public
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login (calendar apps cannot log in): the long random token is the key."""
    user = (
        User.objects.filter(calendar_token=token, is_active=True).select_related("province").first()
    )
    if user is None or len(token) < 20:
        raise Http404
    response = HttpResponse(feed_for(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="workplan.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
