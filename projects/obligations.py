"""What funded projects make units owe: deliverables, rectification, acceptance, and the
project reports their schedule asks for.

Registered with notifications when its ``obligations`` modules are discovered; each source
answers for all the plans it is given at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property, reduce
from operator import or_

from django.db.models import Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.obligations import Owed, Span, register_carrying, register_todo
from planning.models import Deadline, Plan
from provinces.obligations import Deadlines, Recipients, Shared

from .models import Application, Deliverable, ProjectReport, ProjectReportDue

RUNNING = (Application.State.IN_PROGRESS, Application.State.RECTIFICATION)


def _carried_into(plan: Plan, published: Sequence[int] | None = None) -> Q:
    """The running projects of closed earlier plans that ``plan`` takes on: those no
    published plan between carries. ``published`` are the published plans' years when the
    caller has read them; else a subquery finds the one before (one query stays one)."""
    if published is None:
        earlier = Coalesce(
            Subquery(
                Plan.objects.published()
                .filter(year__lt=plan.year)
                .order_by("-year")
                .values("year")[:1]
            ),
            Value(0),
        )
    else:
        earlier = max((year for year in published if year < plan.year), default=0)
    return Q(
        call__plan__state=Plan.State.CLOSED,
        call__plan__year__lt=plan.year,
        call__plan__year__gte=earlier,
    )


def running_under(
    plans: Sequence[Plan], published: Sequence[int] | None = None
) -> QuerySet[Application]:
    """The projects whose obligations the plans carry, in one query: those called in them
    that are running (实施中, 整改中), and the running projects of closed earlier plans that
    no published plan between carries (a project goes on across the year boundary; closing
    its year does not stop it, and the first published year after it takes it on, once).

    ``published``: the published plans' years, if the caller has read them."""
    plans = list(plans)
    if not plans:
        return Application.objects.none()
    return Application.objects.filter(state__in=RUNNING).filter(
        reduce(or_, [_carried_into(plan, published) for plan in plans], Q(call__plan__in=plans))
    )


class Published(Shared):
    """The published plans' years, read once for the project sources of one read."""

    @cached_property
    def years(self) -> list[int]:
        return list(Plan.objects.published().values_list("year", flat=True))


class Running(Shared):
    """The running projects the plans carry (:func:`running_under`), with what their items
    name, read once for the project sources of one read (in a unit's span, that unit's
    only). A source with nothing running asks no more."""

    def __init__(self, plans: Sequence[Plan]) -> None:
        super().__init__(plans)
        self._apps: dict[int | None, list[Application]] = {}

    def apps(self, span: Span, shared: dict | None) -> list[Application]:
        if span.unit not in self._apps:
            running = running_under(self.plans, Published.of(self.plans, shared).years)
            if span.unit is not None:
                running = running.filter(province_id=span.unit)
            self._apps[span.unit] = list(
                running.select_related(
                    "province", "call__task", "call__plan", "hq_contact", "unit_contact"
                )
            )
        return self._apps[span.unit]


def running_projects(plan: Plan) -> QuerySet[Application]:
    """The projects whose obligations ``plan`` carries (see :func:`running_under`)."""
    return running_under([plan])


def carrier(app: Application, plans: Sequence[Plan]) -> Plan:
    """Which of ``plans`` a project from :func:`running_under` is owed under: its own plan,
    else the earliest later one (published plans' carried ranges do not overlap)."""
    for plan in plans:
        if plan.pk == app.call.plan_id:
            return plan
    return min((p for p in plans if p.year > app.call.plan.year), key=lambda p: p.year)


@register_carrying
def projects_owed(plans: Sequence[Plan], span: Span, shared: dict | None = None) -> Iterator[Owed]:
    """Project deliverables not done, rectification dates, and acceptance of running projects
    (the plans' own, and those carried on from closed years: acceptance then follows the
    carrying year's acceptance deadline; in a unit's span, that unit's only)."""
    apps = Running.of(plans, shared).apps(span, shared)
    if not apps:  # no running project, so no deliverable either
        return
    recipients = Recipients.of(plans, shared)
    deadlines = Deadlines.of(plans, shared)
    by_pk = {app.pk: app for app in apps}
    deliverables = span.narrow(
        Deliverable.objects.filter(application_id__in=list(by_pk), done_on__isnull=True),
        due="due_date",
        unit="application__province_id",
        key="deliverable",
    )
    for d in deliverables:
        app = by_pk[d.application_id]
        plan = carrier(app, plans)
        yield Owed(
            key=f"deliverable:{d.pk}",
            province=app.province,
            due=d.due_date,
            what=_("项目交付成果：%(t)s（%(a)s）") % {"t": d.title, "a": app.applicant},
            link=app.get_absolute_url(),
            recipients=recipients.unit(plan, app.province_id),
            tasks=(app.call.task.number,),
            year=plan.year,
            carried_from=app.call.plan.year if app.call.plan_id != plan.pk else None,
            tally=d.tally,
        )
    for app in apps:
        if app.state != Application.State.RECTIFICATION or app.rectification_due is None:
            continue
        if not span.needs(app.rectification_due):
            continue
        plan = carrier(app, plans)
        yield Owed(
            key=f"rectification:{app.pk}:{app.rectification_due:%Y%m%d}",
            province=app.province,
            due=app.rectification_due,
            what=_("项目整改后申请验收：%(a)s") % {"a": app.applicant},
            link=app.get_absolute_url(),
            recipients=recipients.unit(plan, app.province_id),
            tasks=(app.call.task.number,),
            year=plan.year,
            carried_from=app.call.plan.year if app.call.plan_id != plan.pk else None,
        )
    for app in apps:
        if app.state != Application.State.IN_PROGRESS:
            continue
        plan = carrier(app, plans)
        deadline = deadlines.first(plan, Deadline.Kind.ACCEPTANCE)
        if deadline is None or not span.needs(deadline.due_date, deadline.offsets):
            continue
        yield Owed(
            key=f"acceptance:{app.pk}",
            province=app.province,
            due=deadline.due_date,
            what=_("项目验收申请：%(a)s") % {"a": app.applicant},
            link=app.get_absolute_url(),
            recipients=recipients.unit(plan, app.province_id),
            offsets=deadline.offsets,
            tasks=(app.call.task.number,),
            year=plan.year,
            carried_from=app.call.plan.year if app.call.plan_id != plan.pk else None,
        )


@register_carrying
@register_todo
def project_reports_owed(
    plans: Sequence[Plan], span: Span, shared: dict | None = None
) -> Iterator[Owed]:
    """Due project reports not handed in, while the project runs. The unit contact (else the
    unit's staff) is reminded, and the project's HQ contact gets the same reminders and
    chasers, so the report they wait for is in their inbox too (in a unit's span, that
    unit's only: ``Span.narrow`` cuts them)."""
    apps = {app.pk: app for app in Running.of(plans, shared).apps(span, shared)}
    if not apps:  # no running project, so no report is owed
        return
    dues = span.narrow(
        ProjectReportDue.objects.filter(application_id__in=list(apps)).exclude(
            report__state__in=ProjectReport.HANDED_IN
        ),
        due="due_date",
        unit="application__province_id",
        key="project-report",
    )
    staff = None
    for due in dues.order_by("due_date", "pk"):
        app = apps[due.application_id]
        if staff is None:
            staff = Recipients.of(plans, shared).staff
        plan = carrier(app, plans)
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
            year=plan.year,
            carried_from=app.call.plan.year if app.call.plan_id != plan.pk else None,
            tally=due.tally,
        )
