"""Verbs of the projects lifecycle. Pages, API and admin call these and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Role, User
from notifications.inbox import notify_province
from planning.models import BaseLevel, Plan, Task
from provinces.models import Assignment, PlanUnit, Province
from workflow.files import attach
from workflow.machine import TransitionRefused

from .models import (
    Agreement,
    Application,
    Attachment,
    Call,
    Criterion,
    Deliverable,
    ExpertAssignment,
    ProjectType,
    Review,
)

EDITABLE_FIELDS = (
    "applicant",
    "partner_agency",
    "contact_name",
    "contact_phone",
    "budget_requested",
    "plan_text",
)


# --- calls fit their task ---------------------------------------------------------------
# Whether a type of project fits a task is told by the task's own properties (its support,
# its tracks, its units), never by its number: the talent call is task 8 in 2018 and may be
# task 7 next year.

#: Base projects are done by the bases of one level (the plan's PlanUnit roles).
BASE_LEVEL_OF = {ProjectType.KEY_BASE: BaseLevel.KEY, ProjectType.BASIC_BASE: BaseLevel.BASIC}
#: How each type's money reaches the work: to the task's units, or to projects chosen by
#: review (工作支持: 设立……项目……组织项目评审).
FUNDING_MODE_OF = {
    ProjectType.ENTERPRISE_PILOT: Task.FundingMode.PROJECTS,
    ProjectType.TALENT: Task.FundingMode.PROJECTS,
}
#: Types a task's structure does not tell apart: the words its title or 工作支持 carries.
WORDS_OF = {
    ProjectType.ENTERPRISE_PILOT: ("企业",),
    ProjectType.TALENT: ("人才",),
    ProjectType.PUSH_PILOT: ("推送",),
    ProjectType.MAKERSPACE_PILOT: ("创新创业", "众创"),
}


def call_misfit(task: Task, project_type: str) -> str:
    """Why a call of ``project_type`` cannot open under ``task``; "" when it fits.

    A call opens only under a funded task, of a type funded the way the task is funded:
    base projects under a task with a track of that base level, provincial cultivation
    under a task whose tracks name their units, western support under a task all of
    whose units are western, the other pilots and projects under a task about them.
    """
    values = {
        "task": task.numeral,
        "title": task.title,
        "type": ProjectType(project_type).label if project_type in ProjectType.values else "",
    }
    if project_type not in ProjectType.values:
        return _("请选择项目类型。")
    if not task.funded:
        return _("任务（%(task)s）“%(title)s”没有资金支持，不能在其下发布申报通知。") % values
    mode = FUNDING_MODE_OF.get(project_type, Task.FundingMode.UNITS)
    if task.funding_mode and task.funding_mode != mode:
        if mode == Task.FundingMode.PROJECTS:
            return (
                _(
                    "任务（%(task)s）的资金直接支持执行单位，不设经评审确定的“%(type)s”，"
                    "不能发布该类申报通知。"
                )
                % values
            )
        return (
            _("任务（%(task)s）的资金经项目申报评审确定，不能发布直接支持执行单位的“%(type)s”。")
            % values
        )
    if project_type in BASE_LEVEL_OF:
        level = BASE_LEVEL_OF[project_type]
        if not task.tracks.filter(base_level=level).exists():
            return _(
                "任务（%(task)s）没有由承担%(level)s的基地执行的类别，不能发布“%(type)s”。"
            ) % {**values, "level": level.label}
    elif project_type == ProjectType.CULTIVATION:
        if not task.tracks.filter(base_level="", assignments__isnull=False).exists():
            return (
                _("任务（%(task)s）没有分类别指定执行单位的能力培育，不能发布“%(type)s”。") % values
            )
    elif project_type == ProjectType.WESTERN_SUPPORT:
        units = task.assignments.filter(kind=Assignment.Kind.MANDATORY)
        if not units.exists() or units.filter(province__western=False).exists():
            return _("任务（%(task)s）的执行单位不全是西部省区，不能发布“%(type)s”。") % values
    words = WORDS_OF.get(project_type, ())
    if words and not any(w in task.title or w in task.support for w in words):
        return _("任务（%(task)s）“%(title)s”与“%(type)s”无关，不能发布该类申报通知。") % values
    return ""


def misplaced_task_message(task: Task, plan: Plan) -> str:
    return _("任务（%(task)s）不属于%(year)d年度工作计划。") % {
        "task": task.numeral,
        "year": plan.year,
    }


def ensure_call_fits(plan: Plan, task: Task, project_type: str) -> None:
    """Refuse (TransitionRefused) a call that does not fit its plan and task."""
    plan.ensure_open()
    if task.plan_id != plan.pk:
        raise TransitionRefused(misplaced_task_message(task, plan))
    if problem := call_misfit(task, project_type):
        raise TransitionRefused(problem)


@transaction.atomic
def open_call(
    plan: Plan,
    by,
    *,
    task: Task,
    project_type: str,
    title: str,
    opens_at,
    closes_at,
    criteria: list[tuple[str, int]],
    reviews_required: int = 2,
) -> Call:
    """HQ opens a call (申报通知) under a funded task of the plan, with its criteria."""
    ensure_call_fits(plan, task, project_type)
    call = Call.objects.create(
        plan=plan,
        task=task,
        project_type=project_type,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        reviews_required=reviews_required,
    )
    Criterion.objects.bulk_create(
        Criterion(call=call, name=name, weight=weight) for name, weight in criteria
    )
    return call


def ineligibility(call: Call, province: Province) -> str:
    """Why ``province`` may not apply to ``call``; "" when it may.

    Base projects: only the bases of that level in the call's plan. Every other type: the
    units carrying the call's task (a voluntary one once it has taken the task up), so
    western support goes to the western task's units and enterprise pilots to any unit
    under a task every unit carries.
    """
    values = {
        "unit": province.short_name,
        "year": call.plan.year,
        "task": call.task.numeral,
        "type": call.get_project_type_display(),
    }
    if call.project_type in BASE_LEVEL_OF:
        level = BASE_LEVEL_OF[call.project_type]
        role = PlanUnit.objects.filter(plan_id=call.plan_id, province=province)
        if not role.filter(base_level=level).exists():
            return _("%(unit)s不是%(year)d年度承担%(level)s的基地，不能申报“%(type)s”。") % {
                **values,
                "level": level.label,
            }
        return ""
    assignment = Assignment.objects.filter(task_id=call.task_id, province=province).first()
    if assignment is None:
        return _("%(unit)s不是任务（%(task)s）的执行单位，不能申报“%(type)s”。") % values
    if not assignment.taken_up:
        return _("%(unit)s尚未确认开展任务（%(task)s），不能申报“%(type)s”。") % values
    return ""


def ensure_eligible(call: Call, province: Province, state: str = "") -> None:
    if problem := ineligibility(call, province):
        raise TransitionRefused(problem, current_state=state)


def start_application(call: Call, by, fields: dict) -> Application:
    """A province's draft application to a call it is eligible for (its own province)."""
    ensure_eligible(call, by.province)
    return Application.objects.create(
        call=call,
        province=by.province,
        created_by=by,
        **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS},
    )


def update_draft(application: Application, by, changes: dict) -> Application:
    """Change a draft application; once submitted it is the reviewers' and cannot change.

    The update is conditional on the draft state in the database, so a submit that lands
    first wins and this edit is refused rather than slipping in after it.
    """
    fields = {k: v for k, v in changes.items() if k in EDITABLE_FIELDS}
    changed = Application.objects.filter(pk=application.pk, state=Application.State.DRAFT).update(
        **fields
    )
    if not changed:
        raise TransitionRefused(_("申报已提交，不能修改。"), current_state=application.state)
    for k, v in fields.items():
        setattr(application, k, v)
    return application


def submit_application(application: Application, by, now=None) -> Application:
    """Submit while the call is open and the unit eligible; a closed call refuses with its
    dates, an ineligible unit with the reason."""
    call = application.call
    ensure_eligible(call, application.province, application.state)
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


def find_expert(pk) -> User:
    """The expert chosen on the page or in the API, by id; ``assign_expert`` checks the rest."""
    expert = (
        User.objects.filter(pk=int(pk), role=Role.EXPERT).first() if f"{pk}".isdigit() else None
    )
    if expert is None:
        raise TransitionRefused(_("没有这位评审专家。"))
    return expert


def assign_expert(application: Application, expert, by) -> ExpertAssignment:
    """An active expert, never from the applicant's province."""
    if not expert.is_expert:
        raise TransitionRefused(_("只能分配评审专家。"))
    if not expert.is_active:
        raise TransitionRefused(
            _("评审专家 %(e)s 的账号已停用，不能分配评审。") % {"e": expert.display_name()}
        )
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
    if not criteria:
        raise TransitionRefused(_("该申报通知没有设置评分项，请联系专利文献部。"))
    names = {c.name for c in criteria}
    if set(scores) != names:
        raise TransitionRefused(_("请为每个评分项打分。"))
    if any(not 0 <= int(v) <= 100 for v in scores.values()):
        raise TransitionRefused(_("每项得分应在 0 到 100 之间。"))
    if recommendation not in Review.Recommendation.values:
        raise TransitionRefused(_("请选择评审建议。"))
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


def decision_reason(application: Application, reason: str, override: bool) -> str:
    """The reason a decision records; below the call's review minimum only an override decides.

    An override needs a reason, and the history says that the decision was one. An
    application that cannot be decided at all is left for the transition to refuse.
    """
    reason = reason.strip()
    if application.state not in Application.DECIDABLE:
        return reason
    submitted = Review.objects.filter(assignment__application=application).count()
    required = application.call.reviews_required
    if submitted >= required:
        return reason
    if not override or not reason:
        raise TransitionRefused(
            _(
                "“%(a)s”只有 %(n)d 份专家评审，本申报通知要求至少 %(m)d 份。"
                "评审不足时作出决定，须选择特批并填写理由。"
            )
            % {"a": application.applicant, "n": submitted, "m": required},
            current_state=application.state,
        )
    return _("评审不足特批（%(n)d/%(m)d 份专家评审）：%(reason)s") % {
        "n": submitted,
        "m": required,
        "reason": reason,
    }


@transaction.atomic  # the change, its history and its notification: all or none
def approve(
    application: Application,
    by,
    undertaking_unit: str,
    budget_granted: Decimal,
    reason: str = "",
    allow_over: bool = False,
    override_reviews: bool = False,
) -> Application:
    if not undertaking_unit.strip():
        raise TransitionRefused(_("请填写项目承担单位。"))
    if budget_granted <= 0:
        raise TransitionRefused(_("资助经费应大于 0。"))
    if budget_granted > application.budget_requested and not allow_over:
        raise TransitionRefused(_("资助经费超过申请经费，请确认后再提交。"))
    application.approve(
        by,
        undertaking_unit=undertaking_unit,
        budget_granted=budget_granted,
        reason=decision_reason(application, reason, override_reviews),
    )
    _tell(application, gettext_noop("项目“%(a)s”已立项，资助经费 %(b)s 万元。"), b=budget_granted)
    return application


@transaction.atomic  # the change, its history and its notification: all or none
def reject(
    application: Application, by, reason: str, override_reviews: bool = False
) -> Application:
    application.reject(by, decision_reason(application, reason, override_reviews))
    _tell(application, gettext_noop("项目“%(a)s”未立项：%(r)s"), r=reason.strip())
    return application


def _tell(application: Application, message: str, **params) -> None:
    notify_province(
        application.province_id,
        "decision",
        message,
        params={"a": application.applicant, **params},
        link=application.get_absolute_url(),
    )


@transaction.atomic  # the change, its history and its notification: all or none
def accept(application: Application, by, reason: str = "") -> Application:
    application.accept(by, reason)
    _tell(application, gettext_noop("项目“%(a)s”验收通过。"))
    return application


@transaction.atomic  # the change, its history and its notification: all or none
def require_rectification(application: Application, by, reason: str, due) -> Application:
    application.require_rectification(by, reason, due)
    _tell(
        application,
        gettext_noop("项目“%(a)s”需整改，期限 %(d)s：%(r)s"),
        d=due,
        r=reason.strip(),
    )
    return application


@transaction.atomic  # the change, its history and its notification: all or none
def fail(application: Application, by, reason: str) -> Application:
    application.fail(by, reason)
    _tell(application, gettext_noop("项目“%(a)s”验收不通过：%(r)s"), r=reason.strip())
    return application


# --- batch decisions ------------------------------------------------------------------


def decide_batch(
    call: Call,
    by,
    application_ids: list[int],
    decision: str,
    reason: str = "",
    override_reviews: bool = False,
) -> list[Application]:
    """Approve (as asked: applicant undertakes, budget as requested) or reject many at once.

    All or nothing: if any one is refused (too few reviews without an override included),
    none is decided and the error names it.
    """
    if decision not in ("approve", "reject"):
        raise TransitionRefused(_("请选择立项或不予立项。"))
    if not application_ids:
        raise TransitionRefused(_("请至少选择一项申报。"))
    applications = list(
        Application.objects.filter(call=call, pk__in=application_ids).order_by("pk")
    )
    if len(applications) != len(set(application_ids)):
        raise TransitionRefused(_("所选申报不属于本申报通知。"))
    with transaction.atomic():
        for app in applications:
            try:
                if decision == "approve":
                    approve(
                        app,
                        by,
                        app.applicant,
                        app.budget_requested,
                        reason,
                        override_reviews=override_reviews,
                    )
                else:
                    reject(app, by, reason, override_reviews=override_reviews)
            except TransitionRefused as exc:
                raise TransitionRefused(
                    _("“%(a)s”：%(m)s 本批未作任何决定。") % {"a": app.applicant, "m": exc.message},
                    current_state=exc.current_state,
                ) from exc
    return applications


# --- agreement and progress ------------------------------------------------------------


@dataclass
class DeliverableLine:
    title: str
    due_date: date


def parse_deliverables(text: str) -> list[DeliverableLine]:
    """One deliverable per line: "2018-11-30 研发节点专利信息利用流程" (date, then title)."""
    from django.utils.dateparse import parse_date

    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        raw = raw.strip()
        if not raw:
            continue
        head, _sep, title = raw.partition(" ")
        try:
            due = parse_date(head.strip())
        except ValueError:
            due = None
        if due is None or not title.strip():
            raise TransitionRefused(
                _("交付成果第 %(n)d 行“%(raw)s”应为“日期 成果名称”，例如“2018-11-30 培训教材”。")
                % {"n": number, "raw": raw[:40]}
            )
        lines.append(DeliverableLine(title.strip()[:200], due))
    return lines


def sign_agreement(
    application: Application,
    by,
    *,
    number: str,
    budget: Decimal,
    starts_on: date,
    ends_on: date,
    deliverables: list[DeliverableLine],
    terms: str = "",
) -> Agreement:
    """Record the agreement and its deliverables, and start the project (已立项 → 实施中)."""
    if not number.strip():
        raise TransitionRefused(_("请填写协议编号。"))
    if application.budget_granted is not None and budget > application.budget_granted:
        raise TransitionRefused(
            _("协议经费不能超过资助经费 %(g)s 万元。") % {"g": application.budget_granted}
        )
    if budget <= 0:
        raise TransitionRefused(_("协议经费应大于 0。"))
    if ends_on < starts_on:
        raise TransitionRefused(_("实施结束日期不能早于开始日期。"))
    if not deliverables:
        raise TransitionRefused(_("协议至少应有一项交付成果。"))
    for line in deliverables:
        if not starts_on <= line.due_date <= ends_on:
            raise TransitionRefused(
                _("交付成果“%(t)s”的完成期限 %(d)s 不在实施期内。")
                % {"t": line.title, "d": line.due_date}
            )
    if Agreement.objects.filter(number=number.strip()).exists():
        raise TransitionRefused(_("协议编号 %(n)s 已被使用。") % {"n": number.strip()})
    with transaction.atomic():
        application.start(by)
        agreement = Agreement.objects.create(
            application=application,
            number=number.strip(),
            budget=budget,
            starts_on=starts_on,
            ends_on=ends_on,
            terms=terms,
            signed_by=by,
        )
        Deliverable.objects.filter(application=application).delete()
        Deliverable.objects.bulk_create(
            Deliverable(application=application, title=d.title, due_date=d.due_date)
            for d in deliverables
        )
    return agreement


def report_progress(
    deliverable: Deliverable, by, *, percent: int, note: str, done_on: date | None, today=None
) -> Deliverable:
    """The undertaking side reports progress against one deliverable."""
    today = today or timezone.localdate()
    app = deliverable.application
    if app.state not in (Application.State.IN_PROGRESS, Application.State.RECTIFICATION):
        raise TransitionRefused(
            _("项目当前状态为“%(s)s”，不能报告进展。") % {"s": app.get_state_display()},
            current_state=app.state,
        )
    if not 0 <= percent <= 100:
        raise TransitionRefused(_("完成进度应在 0 到 100 之间。"))
    if percent == 100 and done_on is None:
        raise TransitionRefused(_("已完成的成果请填写完成日期。"))
    if done_on is not None and percent != 100:
        raise TransitionRefused(_("填写了完成日期，完成进度应为 100%。"))
    if done_on is not None and done_on > today:
        raise TransitionRefused(_("完成日期不能晚于今天。"))
    if not note.strip():
        raise TransitionRefused(_("请填写进展情况。"))
    deliverable.percent = percent
    deliverable.progress_note = note.strip()
    deliverable.done_on = done_on
    deliverable.reported_at = timezone.now()
    deliverable.reported_by = by
    deliverable.save(
        update_fields=["percent", "progress_note", "done_on", "reported_at", "reported_by"]
    )
    return deliverable


def request_acceptance(application: Application, by, final_report: str) -> Application:
    if not final_report.strip():
        raise TransitionRefused(_("请填写验收报告。"), current_state=application.state)
    application.request_acceptance(by, final_report.strip())
    return application


def add_attachments(application: Application, by, uploads, purpose: str) -> list[Attachment]:
    """Application files while it is a draft; acceptance evidence while the project runs.

    Every file is checked first; one bad file stores none (ValidationError).
    """
    allowed = {
        Attachment.Purpose.APPLICATION: {Application.State.DRAFT},
        Attachment.Purpose.ACCEPTANCE: {
            Application.State.IN_PROGRESS,
            Application.State.RECTIFICATION,
        },
    }
    if application.state not in allowed.get(purpose, set()):
        raise TransitionRefused(
            _("项目当前状态为“%(s)s”，不能上传此类材料。") % {"s": application.get_state_display()},
            current_state=application.state,
        )
    if not uploads:
        raise TransitionRefused(_("请选择要上传的文件。"))
    return attach(Attachment, uploads, by, application=application, purpose=purpose)


# --- totals ---------------------------------------------------------------------------


def project_totals(user, plan) -> dict:
    """Counts and money by task and type, by province and by state, for what the user sees
    in one plan. Tasks are grouped as tasks of that plan, not by their number: the talent
    call is task 8 in 2018 and task 7 in 2019."""
    visible = Application.objects.visible_to(user).filter(call__plan=plan)
    money = {
        "n": Count("pk"),
        "asked": Sum("budget_requested"),
        "granted": Sum("budget_granted"),
        "approved": Count("pk", filter=Q(budget_granted__isnull=False)),
    }
    types = dict(ProjectType.choices)
    states = dict(Application.State.choices)
    by_task = [
        {**row, "type_label": types.get(row["call__project_type"], row["call__project_type"])}
        for row in visible.values("call__task", "call__task__number", "call__project_type")
        .annotate(**money)
        .order_by("call__task__number", "call__project_type")
    ]
    by_province = list(
        visible.values("province__code", "province__name", "province__sort_order")
        .annotate(**money)
        .order_by("province__sort_order")
    )
    by_state = [
        {**row, "label": states.get(row["state"], row["state"])}
        for row in visible.values("state").annotate(**money).order_by("state")
    ]
    overall = visible.aggregate(**money)
    return {"by_task": by_task, "by_province": by_province, "by_state": by_state, "all": overall}
