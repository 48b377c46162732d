"""What funded projects make units owe: deliverables, rectification, acceptance.

Registered with notifications when its ``obligations`` modules are discovered.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.utils.translation import gettext as _

from notifications.obligations import Owed, register
from planning.models import Deadline, Plan
from provinces.obligations import Recipients

from .models import Application, Deliverable


@register
def projects_owed(
    plan: Plan, due_by: date | None = None, shared: dict | None = None
) -> Iterator[Owed]:
    """Project deliverables not done, rectification dates, and acceptance of running projects."""
    staff = Recipients.of(plan, shared).units
    running = (Application.State.IN_PROGRESS, Application.State.RECTIFICATION)
    deliverables = Deliverable.objects.filter(
        application__call__plan=plan, application__state__in=running, done_on__isnull=True
    )
    if due_by is not None:
        deliverables = deliverables.filter(due_date__lte=due_by)
    for d in deliverables.select_related("application__province", "application__call__task"):
        app = d.application
        yield Owed(
            key=f"deliverable:{d.pk}",
            province=app.province,
            due=d.due_date,
            what=_("项目交付成果：%(t)s（%(a)s）") % {"t": d.title, "a": app.applicant},
            link=app.get_absolute_url(),
            recipients=staff.get(app.province_id, []),
            tasks=(app.call.task.number,),
        )
    for app in Application.objects.filter(
        call__plan=plan, state=Application.State.RECTIFICATION, rectification_due__isnull=False
    ).select_related("province", "call__task"):
        yield Owed(
            key=f"rectification:{app.pk}:{app.rectification_due:%Y%m%d}",
            province=app.province,
            due=app.rectification_due,
            what=_("项目整改后申请验收：%(a)s") % {"a": app.applicant},
            link=app.get_absolute_url(),
            recipients=staff.get(app.province_id, []),
            tasks=(app.call.task.number,),
        )
    deadline = plan.deadlines.filter(kind=Deadline.Kind.ACCEPTANCE).first()
    if deadline is not None:
        for app in Application.objects.filter(
            call__plan=plan, state=Application.State.IN_PROGRESS
        ).select_related("province", "call__task"):
            yield Owed(
                key=f"acceptance:{app.pk}",
                province=app.province,
                due=deadline.due_date,
                what=_("项目验收申请：%(a)s") % {"a": app.applicant},
                link=app.get_absolute_url(),
                recipients=staff.get(app.province_id, []),
                offsets=deadline.offsets,
                tasks=(app.call.task.number,),
            )
