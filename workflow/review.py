"""The reviewed-submission lifecycle, written once: draft → submitted → returned → confirmed.

Everything a unit hands in for HQ to review (registrations, annual summaries, typical
cases, and later task reports and spending reports) inherits :class:`ReviewedSubmission`.
The lifecycle holds the states, the transitions (each through
:func:`workflow.machine.apply_transition`), the states in which a submission may be
edited, and :func:`save_draft`, the only way to change a draft. A model says only what
is its own: its unit, its eligibility, what must be filled in, its deadline, and the
extra fields a transition sets.

Nothing else writes ``state``, ``submitted_at`` or ``is_late``: saving a draft is an
``UPDATE … WHERE state IN (editable)`` whose row count is checked, so a submit or a
review that lands first wins and the stale edit is refused, never saved over it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .machine import TransitionRefused, apply_transition


class ReviewState(models.TextChoices):
    DRAFT = "draft", gettext_lazy("草稿")
    SUBMITTED = "submitted", gettext_lazy("已报送")
    RETURNED = "returned", gettext_lazy("已退回")
    RESUBMITTED = "resubmitted", gettext_lazy("已重新报送")
    CONFIRMED = "confirmed", gettext_lazy("已确认")


class ReviewedSubmission(models.Model):
    """A submission HQ reviews. Subclasses fill in the hooks below and nothing else."""

    State = ReviewState
    EDITABLE = (ReviewState.DRAFT, ReviewState.RETURNED)
    AWAITING_REVIEW = (ReviewState.SUBMITTED, ReviewState.RESUBMITTED)
    HANDED_IN = (ReviewState.SUBMITTED, ReviewState.RESUBMITTED, ReviewState.CONFIRMED)
    # Fields only transitions write; save_draft refuses them. Subclasses add their own
    # (a confirmation time, HQ's selection).
    SET_BY_TRANSITIONS: frozenset[str] = frozenset({"state", "submitted_at", "is_late"})

    state = models.CharField(
        gettext_lazy("状态"),
        max_length=20,
        choices=ReviewState.choices,
        default=ReviewState.DRAFT,
        db_index=True,
    )
    submitted_at = models.DateTimeField(gettext_lazy("报送时间"), null=True, blank=True)
    is_late = models.BooleanField(gettext_lazy("逾期报送"), default=False)

    class Meta:
        abstract = True

    # --- what each model says for itself ---------------------------------------------
    def unit_id(self) -> int | None:
        """The executing unit (province) this submission belongs to."""
        raise NotImplementedError

    def check_eligible(self, by) -> None:
        """Refuse (TransitionRefused) if ``by`` may not write or submit this now.

        The rule every submission shares: it is written by its own unit's staff (or an
        administrator; ``None`` is the system itself, e.g. demo data). Subclasses call
        super() and add their own (a voluntary task must be taken up first).
        """
        if by is None or by.is_administrator:
            return
        if not by.is_province_staff or by.province_id != self.unit_id():
            raise TransitionRefused(
                _("只能填写和报送本单位的%(what)s。") % {"what": self._meta.verbose_name},
                current_state=self.state,
            )

    def check_open(self) -> None:
        """Refuse (TransitionRefused) when what this is filed under is closed history (a
        closed plan is read-only: nothing is written, handed in or reviewed). Subclasses
        say where their plan is."""

    def missing_for_submission(self) -> list[str]:
        """The labels of what must still be filled in before it can be submitted."""
        return []

    def submission_deadline(self) -> date | None:
        """The due date a submission after which is recorded as late."""
        return None

    def transition_updates(self, transition: str, now: datetime) -> dict[str, Any]:
        """Extra fields a transition sets on this model (figures, confirmation time)."""
        return {}

    def transitioned(self, transition: str) -> None:
        """Change what follows from ``transition`` (the state already written), in its
        transaction, so a refused transition changes neither (spending kept on the
        allocation). Nothing, unless a model says otherwise."""

    # --- the lifecycle -----------------------------------------------------------------
    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE

    @property
    def is_awaiting_review(self) -> bool:
        return self.state in self.AWAITING_REVIEW

    def locked(self, state: str | None = None) -> TransitionRefused:
        """The refusal of an edit in ``state`` (by default the state this instance holds)."""
        state = self.state if state is None else state
        label = dict(ReviewState.choices).get(state, _("已删除"))
        return TransitionRefused(
            _("“%(state)s”的%(what)s已锁定，不能修改。")
            % {"state": label, "what": self._meta.verbose_name},
            current_state=state,
        )

    def ensure_editable(self) -> None:
        """Refuse early, from the state this instance holds; save_draft checks the database."""
        if not self.is_editable:
            raise self.locked()

    def can_be_edited_by(self, by) -> bool:
        """Whether pages should offer ``by`` the form (the same rules save_draft applies)."""
        try:
            self.check_eligible(by)
            self.check_open()
        except TransitionRefused:
            return False
        return self.is_editable

    def submit(self, by, *, now: datetime | None = None) -> None:
        """Hand in (or hand in again after a return); late is allowed and recorded."""
        self.check_eligible(by)
        self.check_open()
        missing = self.missing_for_submission()
        if missing:
            raise TransitionRefused(
                _("尚未填写完整，不能报送：%(missing)s。") % {"missing": "、".join(missing)},
                current_state=self.state,
            )
        now = now or timezone.now()
        deadline = self.submission_deadline()
        target = (
            self.State.RESUBMITTED if self.state == self.State.RETURNED else self.State.SUBMITTED
        )
        self._apply(
            name="submit",
            source=self.EDITABLE,
            target=target,
            actor=by,
            at=now,
            updates={
                "submitted_at": now,
                "is_late": bool(deadline and timezone.localdate(now) > deadline),
                **self.transition_updates("submit", now),
            },
        )

    # ``now``: the moment of the decision (by default now), as for submit.
    def return_for_revision(self, by, reason: str, *, now: datetime | None = None) -> None:
        self._review("return", self.AWAITING_REVIEW, self.State.RETURNED, by, reason, True, now)

    def confirm(self, by, reason: str = "", *, now: datetime | None = None) -> None:
        self._review("confirm", self.AWAITING_REVIEW, self.State.CONFIRMED, by, reason, False, now)

    def reopen(self, by, reason: str, *, now: datetime | None = None) -> None:
        """HQ opens a confirmed submission again for the unit to change and hand in."""
        self._review("reopen", [self.State.CONFIRMED], self.State.RETURNED, by, reason, True, now)

    def _review(
        self,
        name: str,
        source: Iterable[str],
        target: str,
        by,
        reason: str,
        required: bool,
        now: datetime | None = None,
    ) -> None:
        self.check_open()
        now = now or timezone.now()
        self._apply(
            name=name,
            source=source,
            target=target,
            actor=by,
            reason=reason,
            reason_required=required,
            at=now,
            updates=self.transition_updates(name, now),
        )

    def _apply(self, *, name: str, **transition) -> None:
        """The transition and what follows from it (``transitioned``), all or nothing."""
        with transaction.atomic():
            apply_transition(self, name=name, **transition)
            self.transitioned(name)


class ConfirmedSubmission(ReviewedSubmission):
    """A submission that keeps when HQ confirmed it; opened again, it is no longer confirmed."""

    SET_BY_TRANSITIONS = ReviewedSubmission.SET_BY_TRANSITIONS | {"confirmed_at"}

    confirmed_at = models.DateTimeField(gettext_lazy("确认时间"), null=True, blank=True)

    class Meta:
        abstract = True

    def transition_updates(self, transition: str, now: datetime) -> dict[str, Any]:
        if transition == "confirm":
            return {"confirmed_at": now}
        if transition == "reopen":
            return {"confirmed_at": None}
        return {}


def save_draft(
    obj: ReviewedSubmission,
    by,
    fields: Mapping[str, Any],
    children: Mapping[str, Iterable[models.Model] | None] | None = None,
) -> ReviewedSubmission:
    """Change a draft (or a returned submission), or refuse and change nothing.

    ``fields`` are the submission's own fields; ``children`` maps a reverse relation
    (``"contacts"``, ``"milestones"``) to the rows that replace the current ones, in the
    same transaction (``None`` leaves that relation alone). A new ``obj`` is inserted as
    a draft. An existing one is written with ``UPDATE … WHERE pk = … AND state IN
    (editable)``: if the row is no longer editable in the database (a submit landed
    first), TransitionRefused says what state it is in and nothing is written.
    """
    model = type(obj)
    written_by_transitions = set(fields) & model.SET_BY_TRANSITIONS
    if written_by_transitions:
        raise ValueError(f"save_draft cannot write {sorted(written_by_transitions)}")
    obj.check_eligible(by)
    obj.check_open()
    with transaction.atomic():
        if obj.pk is None:
            for name, value in fields.items():
                setattr(obj, name, value)
            obj.state = ReviewState.DRAFT
            try:
                with transaction.atomic():
                    obj.save(force_insert=True)
            except IntegrityError as exc:  # the same draft created a moment ago, elsewhere
                raise TransitionRefused(
                    _("该%(what)s刚刚已由他人创建，请刷新页面后再修改。")
                    % {"what": obj._meta.verbose_name}
                ) from exc
        else:
            now = timezone.now()
            stamps = {
                f.name: now for f in model._meta.concrete_fields if getattr(f, "auto_now", False)
            }
            values = {**fields, **stamps} or {"state": F("state")}  # children only: still a check
            changed = model._default_manager.filter(pk=obj.pk, state__in=model.EDITABLE).update(
                **values
            )
            if changed != 1:
                current = (
                    model._default_manager.filter(pk=obj.pk).values_list("state", flat=True).first()
                )
                raise obj.locked(current or "")
            for name, value in {**fields, **stamps}.items():  # never the F() placeholder
                setattr(obj, name, value)
        for relation, rows in (children or {}).items():
            if rows is not None:
                _replace_children(obj, relation, list(rows))
    return obj


def _replace_children(obj: models.Model, relation: str, rows: list[models.Model]) -> None:
    manager = getattr(obj, relation)
    parent_field = manager.field.name
    manager.all().delete()
    for row in rows:
        setattr(row, parent_field, obj)
    manager.model._default_manager.bulk_create(rows)
    getattr(obj, "_prefetched_objects_cache", {}).pop(relation, None)
