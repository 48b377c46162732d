"""Project reports (项目报告): the schedule and contacts of a running project, the reports the
unit writes for its HQ contact, HQ's review, and the acceptance page that shows them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import HQ, STAFF, role_required
from accounts.models import Role, User
from planning.working import in_working_plan, working_plan
from workflow.files import download
from workflow.machine import TransitionRefused, history

from .. import services
from ..acceptance import panels
from ..forms import ProjectReportForm
from ..models import (
    Application,
    Deliverable,
    ProjectReport,
    ProjectReportDue,
    ProjectReportFile,
    ReportFrequency,
)


def _project(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(
        Application.objects.visible_to(request.user).select_related(
            "call__task", "province", "hq_contact", "unit_contact"
        ),
        pk=pk,
    )


def _report(request: HttpRequest, pk: int) -> ProjectReport:
    return get_object_or_404(
        ProjectReport.objects.visible_to(request.user).select_related(
            "application__province", "application__hq_contact", "due"
        ),
        pk=pk,
    )


@role_required(STAFF | HQ)
def report_list(request: HttpRequest) -> HttpResponse:
    """The working year's project reports the user sees; HQ may keep to its own projects."""
    plan = working_plan(request)
    reports = in_working_plan(
        ProjectReport.objects.visible_to(request.user), request, "application__call__plan"
    )
    mine = request.user.is_hq and request.GET.get("mine") == "1"
    if mine:
        reports = reports.filter(application__hq_contact=request.user)
    state = request.GET.get("state", "")
    if state in ProjectReport.State.values:
        reports = reports.filter(state=state)
    reports = reports.select_related(
        "application__province", "application__hq_contact", "due"
    ).order_by("application__province__sort_order", "application_id", "due__due_date", "pk")
    return render(
        request,
        "projects/report_list.html",
        {
            "plan": plan,
            "reports": reports,
            "mine": mine,
            "state": state,
            "states": ProjectReport.State.choices,
        },
    )


@role_required(STAFF | HQ)
def project_reporting(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's contacts, report schedule, due reports with their reports, and questions."""
    app = _project(request, pk)
    dues = list(app.report_dues.select_related("report").order_by("due_date", "pk"))
    extra = app.reports.filter(due__isnull=True).order_by("pk")
    schedule = getattr(app, "report_schedule", None)
    return render(
        request,
        "projects/project_reporting.html",
        {
            "app": app,
            "agreement": getattr(app, "agreement", None),
            "schedule": schedule,
            "dues": dues,
            "extra_reports": extra,
            "owed": len(services.reports_still_owed(app)),
            "questions": app.questions.select_related("asked_by")[:20],
            "frequencies": ReportFrequency.choices,
            "custom_dates": "\n".join(f"{d.due_date:%Y-%m-%d}" for d in dues)
            if schedule and schedule.frequency == ReportFrequency.CUSTOM
            else "",
            "hq_people": User.objects.filter(role=Role.HQ_REVIEWER, is_active=True)
            if request.user.is_hq
            else [],
            "unit_people": User.objects.filter(
                role=Role.PROVINCE_STAFF, province=app.province, is_active=True
            )
            if request.user.is_hq
            else [],
            "can_write": request.user.is_province_staff and app.state in ProjectReport.RUNNING,
        },
    )


def _dates(raw: str) -> list:
    out = []
    for number, line in enumerate((raw or "").split(), start=1):
        try:
            day = parse_date(line)
        except ValueError:
            day = None
        if day is None:
            raise TransitionRefused(
                _("第 %(n)d 个报告日期“%(raw)s”应为 YYYY-MM-DD。") % {"n": number, "raw": line[:20]}
            )
        out.append(day)
    return out


@role_required(actions={"schedule": HQ, "contacts": HQ, "ask": STAFF, "write": STAFF})
@require_POST
def project_reporting_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    app = _project(request, pk)
    user, post = request.user, request.POST
    try:
        if action == "schedule":
            schedule = services.set_report_schedule(
                app, user, post.get("frequency", ""), _dates(post.get("dates", ""))
            )
            done = _("报告安排已设置：%(f)s。") % {"f": schedule.get_frequency_display()}
        elif action == "contacts":
            services.set_contacts(
                app,
                user,
                hq_contact=services.find_user(post.get("hq_contact"), Role.HQ_REVIEWER),
                unit_contact=services.find_user(post.get("unit_contact"), Role.PROVINCE_STAFF),
            )
            done = _("项目联系人已更新。")
        elif action == "ask":
            services.ask_question(app, user, post.get("text", ""))
            done = _("问题已发送给文献部项目联系人。")
        else:  # write: open (or start) the report for one due report
            raw = post.get("due", "")
            due = (
                get_object_or_404(ProjectReportDue, pk=int(raw), application=app)
                if raw.isdigit()
                else None
            )
            existing = ProjectReport.objects.filter(due=due).first() if due else None
            if existing is not None:
                return redirect(existing)
            report = services.new_report(app, due, user, {})
            return redirect(report)
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("projects:project_reporting", pk=app.pk)


@role_required(STAFF | HQ, post=STAFF)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A project report: the unit edits and submits it; HQ reads, confirms or returns it."""
    report = _report(request, pk)
    app = report.application
    can_edit = request.user.is_province_staff and report.can_be_edited_by(request.user)
    form = ProjectReportForm(request.POST or None, instance=report, application=app)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_report(
                    report, request.user, data, [d.pk for d in data["deliverables"]]
                )
                if "submit" in request.POST:
                    services.submit_report(report, request.user)
            except TransitionRefused as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("已报送，等待文献部项目联系人确认。")
                    if "submit" in request.POST
                    else _("已保存草稿。"),
                )
            return redirect(report)
    return render(
        request,
        "projects/report_detail.html",
        {
            "report": report,
            "app": app,
            "form": form,
            "can_edit": can_edit,
            "linked": report.deliverables.all(),
            "files": report.files.all(),
            "history": history(report),
            "upload_limit_mb": settings.MAX_UPLOAD_SIZE // 1024 // 1024,
        },
    )


@role_required(actions={"upload": STAFF, "confirm": HQ, "return": HQ, "select": HQ})
@require_POST
def report_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    report = _report(request, pk)
    user, post = request.user, request.POST
    try:
        if action == "upload":
            uploads = request.FILES.getlist("files")
            services.add_report_files(report, user, uploads)
            done = _("已上传 %(n)d 个文件。") % {"n": len(uploads)}
        elif action == "confirm":
            services.confirm_report(report, user, post.get("reason", ""))
            done = _("项目报告已确认。")
        elif action == "return":
            services.return_report(report, user, post.get("reason", ""))
            done = _("项目报告已退回修改。")
        else:
            selected = post.get("digest") == "1"
            services.select_report(report, user, selected)
            done = _("已选入年度汇编。") if selected else _("已不再选入年度汇编。")
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:  # a bad file: none of the files is stored
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(report)


@role_required(STAFF | HQ)
def report_file(request: HttpRequest, pk: int) -> HttpResponse:
    return download(get_object_or_404(ProjectReportFile.objects.visible_to(request.user), pk=pk))


@role_required(HQ)
def acceptance(request: HttpRequest, pk: int) -> HttpResponse:
    """HQ's acceptance page: the reports and the deliverables side by side; accepting a
    project with reports still owed needs a ticked confirmation with their number."""
    app = _project(request, pk)
    owed = services.reports_still_owed(app)
    if request.method == "POST":
        try:
            services.accept(
                app,
                request.user,
                request.POST.get("reason", ""),
                owed_confirmed=request.POST.get("confirm_owed") == str(len(owed)),
            )
        except TransitionRefused as exc:
            messages.error(request, exc.message)
            return redirect("projects:acceptance", pk=app.pk)
        messages.success(request, _("项目“%(a)s”验收通过。") % {"a": app.applicant})
        return redirect(app)
    reports = (
        app.reports.select_related("due")
        .prefetch_related(Prefetch("deliverables", queryset=Deliverable.objects.order_by("pk")))
        .annotate(n_files=Count("files"))
        .order_by("due__due_date", "pk")
    )
    return render(
        request,
        "projects/acceptance.html",
        {
            "app": app,
            "agreement": getattr(app, "agreement", None),
            "reports": reports,
            "deliverables": app.deliverables.annotate(n_reports=Count("reports")),
            "owed": owed,
            "attachments": app.attachments.filter(purpose="acceptance"),
            "panels": panels(request, app),  # the money, from funding
        },
    )
