"""What funded projects make units owe: deliverables, rectification, acceptance, and the
project reports their schedule asks for.

Registered with notifications when its ``obligations`` modules are discovered.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.db.models import Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.obligations import Owed, register_carrying, register_todo
from planning.models import Deadline, Plan
from provinces.obligations import Recipients

from .models import Application, Deliverable, ProjectReport, ProjectReportDue

RUNNING = (Application.State.IN_PROGRESS, Application.State.RECTIFICATION)


def running_projects(plan: Plan) -> QuerySet[Application]:
    """The projects whose obligations ``plan`` carries: those called in it that are running
    (实施中, 整改中), and the running projects of closed earlier plans that no published plan
    between carries (a project goes on across the year boundary; closing its year does not
    stop it, and the first published year after it takes it on, once)."""
    earlier_published = Coalesce(  # a subquery: the caller's one query stays one
        Subquery(
            Plan.objects.published().filter(year__lt=plan.year).order_by("-year").values("year")[:1]
        ),
        Value(0),
    )
    return Application.objects.filter(state__in=RUNNING).filter(
        Q(call__plan=plan)
        | Q(
            call__plan__state=Plan.State.CLOSED,
            call__plan__year__lt=plan.year,
            call__plan__year__gte=earlier_published,
        )
    )


def _running(plan: Plan, shared: dict | None, unit: int | None) -> list[Application]:
    """The running projects ``plan`` carries (with ``unit``, that unit's), read once for
    both project sources of one ``shared`` dict."""
    key = ("projects.running", plan.pk, unit)
    if shared is not None and key in shared:
        return shared[key]
    projects = running_projects(plan)
    if unit is not None:
        projects = projects.filter(province_id=unit)
    apps = list(projects.select_related("province", "call__task", "call__plan"))
    if shared is not None:
        shared[key] = apps
    return apps


@register_carrying
def projects_owed(
    plan: Plan, due_by: date | None = None, shared: dict | None = None, unit: int | None = None
) -> Iterator[Owed]:
    """Project deliverables not done, rectification dates, and acceptance of running projects
    (this plan's, and those carried on from closed years: acceptance then follows this
    year's acceptance deadline); with ``unit``, that unit's only."""
    recipients = Recipients.of(plan, shared)  # read when the first item needs them
    apps = _running(plan, shared, unit)
    if not apps:  # no running project, so no deliverable either
        return
    projects = running_projects(plan)
    if unit is not None:
        projects = projects.filter(province_id=unit)

    def carried(app: Application) -> int | None:
        return app.call.plan.year if app.call.plan_id != plan.pk else None

    deliverables = Deliverable.objects.filter(application__in=projects, done_on__isnull=True)
    if due_by is not None:
        deliverables = deliverables.filter(due_date__lte=due_by)
    for d in deliverables.select_related(
        "application__province", "application__call__task", "application__call__plan"
    ):
        app = d.application
        yield Owed(
            key=f"deliverable:{d.pk}",
            province=app.province,
            due=d.due_date,
            what=_("项目交付成果：%(t)s（%(a)s）") % {"t": d.title, "a": app.applicant},
            link=app.get_absolute_url(),
            recipients=recipients.units.get(app.province_id, []),
            tasks=(app.call.task.number,),
            carried_from=app.call.plan.year if app.call.plan_id != plan.pk else None,
        )
    for app in apps:
        if app.state != Application.State.RECTIFICATION or app.rectification_due is None:
            continue
        yield Owed(
            key=f"rectification:{app.pk}:{app.rectification_due:%Y%m%d}",
            province=app.province,
            due=app.rectification_due,
            what=_("项目整改后申请验收：%(a)s") % {"a": app.applicant},
            link=app.get_absolute_url(),
            recipients=recipients.units.get(app.province_id, []),
            tasks=(app.call.task.number,),
            carried_from=app.call.plan.year if app.call.plan_id != plan.pk else None,
        )
    in_progress = any(app.state == Application.State.IN_PROGRESS for app in apps)
    deadline = in_progress and plan.deadlines.filter(kind=Deadline.Kind.ACCEPTANCE).first()
    if deadline:
        for app in apps:
            if app.state != Application.State.IN_PROGRESS:
                continue
            yield Owed(
                key=f"acceptance:{app.pk}",
                province=app.province,
                due=deadline.due_date,
                what=_("项目验收申请：%(a)s") % {"a": app.applicant},
                link=app.get_absolute_url(),
                recipients=recipients.units.get(app.province_id, []),
                offsets=deadline.offsets,
                tasks=(app.call.task.number,),
                carried_from=carried(app),
            )


@register_carrying
@register_todo
def project_reports_owed(
    plan: Plan, due_by: date | None = None, shared: dict | None = None, unit: int | None = None
) -> Iterator[Owed]:
    """Due project reports not handed in, while the project runs (with ``unit``, that unit's
    only). The unit contact (else the unit's staff) is reminded, and the project's HQ contact
    gets the same reminders and chasers, so the report they wait for is in their inbox too."""
    if not _running(plan, shared, unit):  # no running project, so no report due
        return
    projects = running_projects(plan)
    if unit is not None:
        projects = projects.filter(province_id=unit)
    dues = ProjectReportDue.objects.filter(application__in=projects).exclude(
        report__state__in=ProjectReport.HANDED_IN
    )
    if due_by is not None:
        dues = dues.filter(due_date__lte=due_by)
    dues = dues.select_related(
        "application__province",
        "application__call__task",
        "application__call__plan",
        "application__hq_contact",
        "application__unit_contact",
    )
    staff = None
    for due in dues.order_by("due_date", "pk"):
        app = due.application
        if staff is None:
            staff = Recipients.of(plan, shared).staff
        unit = app.unit_contact
        emails = [unit.email] if unit is not None and unit.is_active and unit.email else []
        emails = emails or list(staff.get(app.province_id, []))
        hq = app.hq_contact
        if hq is not None and hq.is_active and hq.email:
            emails.append(hq.email)
        yield Owed(
            key=f"project-report:{due.pk}",
            province=app.province,
            due=due.due_date,
            what=_("项目报告：%(a)s（%(r)s）") % {"a": app.applicant, "r": due.label},
            link=reverse("projects:project_reporting", args=[app.pk]),
            recipients=sorted(set(emails)),
            tasks=(app.call.task.number,),
            carried_from=app.call.plan.year if app.call.plan_id != plan.pk else None,
        )
