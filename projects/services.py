"""Verbs of the projects lifecycle. Pages, API and admin call these and nothing else."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Role, User
from notifications.inbox import notify, notify_province
from planning.models import BaseLevel, Plan, Task
from provinces.models import Assignment, PlanUnit, Province
from workflow.files import attach
from workflow.machine import TransitionRefused, record_event
from workflow.review import save_draft

from .models import (
    FREQUENCY_MONTHS,
    Agreement,
    Application,
    Attachment,
    Call,
    Criterion,
    Deliverable,
    ExpertAssignment,
    ProjectQuestion,
    ProjectReport,
    ProjectReportDue,
    ProjectReportFile,
    ProjectType,
    ReportFrequency,
    ReportSchedule,
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
    whose units are western in the task's plan, the other pilots and projects under a task about them.
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
        western = PlanUnit.objects.western(task.plan_id)
        if not units.exists() or units.exclude(province_id__in=western).exists():
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
    under a task every unit carries; western support also only to units western in the
    call's plan (``PlanUnit.western`` of that year).
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
    if call.project_type == ProjectType.WESTERN_SUPPORT:
        if not PlanUnit.objects.western(call.plan_id).filter(province_id=province.pk).exists():
            return _("%(unit)s不是%(year)d年度的西部省区，不能申报“%(type)s”。") % values
    return ""


def ensure_eligible(call: Call, province: Province, state: str = "") -> None:
    if problem := ineligibility(call, province):
        raise TransitionRefused(problem, current_state=state)


def start_application(call: Call, by, fields: dict) -> Application:
    """A province's draft application to a call it is eligible for (its own province)."""
    call.plan.ensure_open()
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
    application.check_open()
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
    application.check_open()
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
    application.submit(by, now=now)
    return application


def find_expert(pk) -> User:
    """The expert chosen on the page or in the API, by id; ``assign_expert`` checks the rest."""
    expert = (
        User.objects.filter(pk=int(pk), role=Role.EXPERT).first() if f"{pk}".isdigit() else None
    )
    if expert is None:
        raise TransitionRefused(_("没有这位评审专家。"))
    return expert


def assign_expert(application: Application, expert, by, now=None) -> ExpertAssignment:
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
        application.start_review(by, now=now)
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
    now=None,
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
        now=now,
    )
    _default_contacts(application, by)
    _tell(application, gettext_noop("项目“%(a)s”已立项，资助经费 %(b)s 万元。"), b=budget_granted)
    return application


@transaction.atomic  # the change, its history and its notification: all or none
def reject(
    application: Application, by, reason: str, override_reviews: bool = False, now=None
) -> Application:
    application.reject(by, decision_reason(application, reason, override_reviews), now=now)
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
def accept(
    application: Application, by, reason: str = "", owed_confirmed: bool = False, now=None
) -> Application:
    """Accept a project; with project reports still owed, only once HQ confirms so."""
    owed = len(reports_still_owed(application))
    if owed and not owed_confirmed:
        raise TransitionRefused(
            _("项目“%(a)s”还有 %(n)d 份项目报告未报送。确认仍要验收通过，请勾选确认后再提交。")
            % {"a": application.applicant, "n": owed},
            current_state=application.state,
        )
    if owed:
        reason = _("仍有 %(n)d 份项目报告未报送，经确认验收。%(reason)s") % {
            "n": owed,
            "reason": reason.strip(),
        }
    application.accept(by, reason, now=now)
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
def fail(application: Application, by, reason: str, now=None) -> Application:
    application.fail(by, reason, now=now)
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
    report_frequency: str = "",
    report_dates: Iterable[date] | None = None,
    now=None,
) -> Agreement:
    """Record the agreement and its deliverables, and start the project (已立项 → 实施中).

    With ``report_frequency`` the report schedule is set in the same transaction.
    """
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
        application.start(by, now=now)
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
        _default_contacts(application, by)
        if report_frequency:
            set_report_schedule(application, by, report_frequency, report_dates or ())
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


def request_acceptance(application: Application, by, final_report: str, now=None) -> Application:
    if not final_report.strip():
        raise TransitionRefused(_("请填写验收报告。"), current_state=application.state)
    application.request_acceptance(by, final_report.strip(), now=now)
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


# --- contacts, the report schedule and project reports ---------------------------------


def _default_contacts(application: Application, by) -> None:
    """At decision or agreement: the HQ reviewer who decides is the HQ contact, the unit's
    staff member who applied is the unit contact, unless HQ named others already."""
    updates = {}
    if application.hq_contact_id is None and getattr(by, "role", None) == Role.HQ_REVIEWER:
        updates["hq_contact"] = by
    creator = application.created_by
    if (
        application.unit_contact_id is None
        and creator is not None
        and creator.role == Role.PROVINCE_STAFF
        and creator.province_id == application.province_id
    ):
        updates["unit_contact"] = creator
    if updates:
        Application.objects.filter(pk=application.pk).update(**updates)
        for name, value in updates.items():
            setattr(application, name, value)


def set_contacts(application: Application, by, *, hq_contact, unit_contact) -> Application:
    """HQ names the project's HQ contact (a 文献部 reviewer) and the unit's contact (a staff
    member of the undertaking province); ``None`` leaves one unnamed."""
    if application.state not in (*ProjectReport.RUNNING, Application.State.APPROVED):
        raise TransitionRefused(
            _("项目当前状态为“%(s)s”，不能修改项目联系人。")
            % {"s": application.get_state_display()},
            current_state=application.state,
        )
    if hq_contact is not None and (hq_contact.role != Role.HQ_REVIEWER or not hq_contact.is_active):
        raise TransitionRefused(_("文献部项目联系人应为在职的专利文献部工作人员。"))
    if unit_contact is not None and (
        unit_contact.role != Role.PROVINCE_STAFF
        or unit_contact.province_id != application.province_id
        or not unit_contact.is_active
    ):
        raise TransitionRefused(
            _("承担方联系人应为 %(p)s 的省局工作人员。") % {"p": application.province.short_name}
        )
    with transaction.atomic():
        Application.objects.filter(pk=application.pk).update(
            hq_contact=hq_contact, unit_contact=unit_contact
        )
        application.hq_contact, application.unit_contact = hq_contact, unit_contact
        record_event(
            application,
            name="set_contacts",
            actor=by,
            reason=_("文献部项目联系人：%(h)s；承担方联系人：%(u)s")
            % {
                "h": hq_contact.display_name() if hq_contact else "—",
                "u": unit_contact.display_name() if unit_contact else "—",
            },
        )
    return application


def find_user(pk, role: str) -> User | None:
    """A user chosen by id on a page or in the API (``""``/``None``: nobody)."""
    if pk in (None, ""):
        return None
    user = User.objects.filter(pk=int(pk), role=role).first() if f"{pk}".isdigit() else None
    if user is None:
        raise TransitionRefused(_("没有这位用户。"))
    return user


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day (31 January + 1 → 28/29 Feb)."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def report_due_dates(
    frequency: str, starts_on: date, ends_on: date, dates: Iterable[date] = ()
) -> list[date]:
    """The dates a schedule makes reports due: each period's last day from the agreement's
    start (monthly, quarterly, half-yearly), the last one always the end of the agreement
    (the final report); or the dates HQ chose (within the agreement, up to 3 months after)."""
    if frequency == ReportFrequency.FINAL:
        return [ends_on]
    if frequency == ReportFrequency.CUSTOM:
        chosen = sorted(set(dates))
        if not chosen:
            raise TransitionRefused(_("指定日期报告请至少填写一个报告日期。"))
        latest = add_months(ends_on, 3)
        for day in chosen:
            if not starts_on <= day <= latest:
                raise TransitionRefused(
                    _("报告日期 %(d)s 应在实施期内（%(s)s 至 %(e)s，结题报告可延后 3 个月）。")
                    % {
                        "d": f"{day:%Y-%m-%d}",
                        "s": f"{starts_on:%Y-%m-%d}",
                        "e": f"{ends_on:%Y-%m-%d}",
                    }
                )
        return chosen
    months = FREQUENCY_MONTHS.get(frequency)
    if months is None:
        raise TransitionRefused(_("请选择报告频次。"))
    out, k = [], 1
    while (day := add_months(starts_on, months * k) - timedelta(days=1)) < ends_on:
        out.append(day)
        k += 1
    return [*out, ends_on]


@transaction.atomic
def set_report_schedule(
    application: Application, by, frequency: str, dates: Iterable[date] = ()
) -> ReportSchedule:
    """Set (or change) how often the project reports; its due reports follow.

    Due reports already reported on are kept as they are; the others that the new
    schedule no longer asks for are dropped, and new dates are added.
    """
    agreement = Agreement.objects.filter(application=application).first()
    if agreement is None:
        raise TransitionRefused(_("签订协议后才能设置报告安排。"), current_state=application.state)
    if application.state not in ProjectReport.RUNNING:
        raise TransitionRefused(
            _("项目当前状态为“%(s)s”，不能修改报告安排。") % {"s": application.get_state_display()},
            current_state=application.state,
        )
    wanted = report_due_dates(frequency, agreement.starts_on, agreement.ends_on, dates)
    schedule, _created = ReportSchedule.objects.update_or_create(
        application=application, defaults={"frequency": frequency, "set_by": by}
    )
    existing = {d.due_date: d for d in application.report_dues.select_related("report")}
    kept = {day for day, d in existing.items() if getattr(d, "report", None) is not None}
    ProjectReportDue.objects.filter(
        application=application, due_date__in=set(existing) - kept - set(wanted)
    ).delete()
    starts = [agreement.starts_on, *(day + timedelta(days=1) for day in wanted[:-1])]
    ProjectReportDue.objects.bulk_create(
        ProjectReportDue(
            application=application,
            due_date=day,
            period_start=min(start, day),
            is_final=day == wanted[-1],
        )
        for start, day in zip(starts, wanted, strict=True)
        if day not in existing
    )
    ProjectReportDue.objects.filter(application=application).exclude(due_date=wanted[-1]).update(
        is_final=False
    )
    ProjectReportDue.objects.filter(application=application, due_date=wanted[-1]).update(
        is_final=True
    )
    record_event(
        application,
        name="set_report_schedule",
        actor=by,
        reason=_("报告安排：%(f)s，共 %(n)d 次")
        % {
            "f": schedule.get_frequency_display(),
            "n": len(wanted),
        },
    )
    return schedule


def reports_still_owed(application: Application) -> list[ProjectReportDue]:
    """The project's due reports that have not been handed in (submitted or confirmed)."""
    return list(
        application.report_dues.exclude(report__state__in=ProjectReport.HANDED_IN).order_by(
            "due_date"
        )
    )


REPORT_FIELDS = tuple(name for name, _label in ProjectReport.SECTIONS)


def save_report(
    report: ProjectReport, by, fields: dict, deliverables: Iterable[int] | None = None
) -> ProjectReport:
    """Write a draft (or a returned report): its sections and the deliverables it is about."""
    values = {k: (fields.get(k) or "").strip() for k in REPORT_FIELDS if k in fields}
    if report.pk is None and report.created_by_id is None:
        report.created_by = by if getattr(by, "pk", None) else None
    with transaction.atomic():
        save_draft(report, by, values)
        if deliverables is not None:
            report.deliverables.set(
                Deliverable.objects.filter(application=report.application_id, pk__in=deliverables)
            )
    return report


def new_report(
    application: Application,
    due: ProjectReportDue | None,
    by,
    fields: dict,
    deliverables: Iterable[int] | None = None,
) -> ProjectReport:
    """A new draft report, for one due report of the schedule (or an extra one)."""
    if due is not None and due.application_id != application.pk:
        raise TransitionRefused(_("报告期不属于本项目。"))
    if due is not None and ProjectReport.objects.filter(due=due).exists():
        raise TransitionRefused(_("该报告期已有项目报告，请打开并修改它。"))
    return save_report(ProjectReport(application=application, due=due), by, fields, deliverables)


def add_report_files(report: ProjectReport, by, uploads) -> list[ProjectReportFile]:
    """Files while the report can still be changed; one bad file stores none."""
    report.check_eligible(by)
    report.ensure_editable()
    if not uploads:
        raise TransitionRefused(_("请选择要上传的文件。"))
    return attach(ProjectReportFile, uploads, by, report=report)


def _hq_recipients(application: Application) -> list[User]:
    """The HQ contact; before one is named, every active HQ reviewer."""
    if application.hq_contact_id:
        return [application.hq_contact]
    return list(User.objects.filter(role=Role.HQ_REVIEWER, is_active=True))


@transaction.atomic  # the change, its history and its notification: all or none
def submit_report(report: ProjectReport, by) -> ProjectReport:
    report.submit(by)
    app = report.application
    notify(
        _hq_recipients(app),
        "report",
        gettext_noop("%(p)s 报送了项目报告：%(a)s（%(r)s）"),
        params={"p": app.province.short_name, "a": app.applicant, "r": _report_label(report)},
        link=report.get_absolute_url(),
    )
    return report


def _report_label(report: ProjectReport) -> str:
    return report.due.label if report.due_id else str(_("项目报告"))


def _check_reviewer(report: ProjectReport, by) -> None:
    """The project's HQ contact reviews its reports (an administrator may stand in)."""
    contact = report.application.hq_contact
    if contact is not None and by.pk != contact.pk and not by.is_administrator:
        raise TransitionRefused(
            _("本项目的报告由文献部项目联系人 %(c)s 确认或退回。") % {"c": contact.display_name()},
            current_state=report.state,
        )


@transaction.atomic  # the change, its history and its notification: all or none
def confirm_report(report: ProjectReport, by, reason: str = "") -> ProjectReport:
    _check_reviewer(report, by)
    report.confirm(by, reason)
    notify_province(
        report.application.province_id,
        "confirmed",
        gettext_noop("项目报告已确认：%(a)s（%(r)s）"),
        params={"a": report.application.applicant, "r": _report_label(report)},
        link=report.get_absolute_url(),
    )
    return report


@transaction.atomic  # the change, its history and its notification: all or none
def return_report(report: ProjectReport, by, reason: str) -> ProjectReport:
    _check_reviewer(report, by)
    report.return_for_revision(by, reason)
    notify_province(
        report.application.province_id,
        "returned",
        gettext_noop("项目报告被退回修改：%(a)s（%(r)s）：%(reason)s"),
        params={
            "a": report.application.applicant,
            "r": _report_label(report),
            "reason": reason.strip(),
        },
        link=report.get_absolute_url(),
    )
    return report


def select_report(report: ProjectReport, by, selected: bool) -> ProjectReport:
    report.select_for_digest(by, selected)
    return report


@transaction.atomic  # the question and its notification: all or none
def ask_question(application: Application, by, text: str) -> ProjectQuestion:
    """The unit asks the project's HQ contact; the question lands in the contact's inbox."""
    if not by.is_province_staff or by.province_id != application.province_id:
        raise TransitionRefused(_("只有项目承担省份的工作人员可以向项目联系人提问。"))
    if application.state not in (*ProjectReport.RUNNING, Application.State.APPROVED):
        raise TransitionRefused(
            _("项目当前状态为“%(s)s”，不能提问。") % {"s": application.get_state_display()},
            current_state=application.state,
        )
    text = (text or "").strip()
    if not text:
        raise TransitionRefused(_("请填写问题。"))
    question = ProjectQuestion.objects.create(application=application, text=text, asked_by=by)
    notify(
        _hq_recipients(application),
        "question",
        gettext_noop("%(p)s 就项目“%(a)s”提问：%(q)s"),
        params={"p": application.province.short_name, "a": application.applicant, "q": text[:200]},
        link=application.get_absolute_url(),
    )
    return question
