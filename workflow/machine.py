"""Explicit, race-safe state transitions for models with a ``state`` field.

A transition names the states it may start from. It is applied with a
conditional ``UPDATE … WHERE state IN (…)`` so that two people acting on the
same object at the same moment cannot both succeed: the loser gets
:class:`TransitionRefused` with the state the object is really in, and nothing
changes. Each success writes a :class:`~workflow.models.TransitionLog` row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import TransitionLog


class TransitionRefused(Exception):
    """The transition is not allowed now; the message says why, in the user's language."""

    def __init__(self, message: str, *, current_state: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.current_state = current_state


def apply_transition(
    obj: models.Model,
    *,
    name: str,
    source: Iterable[str],
    target: str,
    actor: Any = None,
    reason: str = "",
    reason_required: bool = False,
    updates: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> TransitionLog:
    """Move ``obj`` from one of ``source`` to ``target``, or refuse and change nothing.

    ``at`` is the moment the history records (by default now): a submission backdated to
    the day it was really made (demo data, a paper form entered later) is dated then."""
    reason = (reason or "").strip()
    if reason_required and not reason:
        raise TransitionRefused(_("必须填写理由。"), current_state=obj.state)
    sources = list(source)
    updates = dict(updates or {})
    model = type(obj)
    with transaction.atomic():
        changed = model._default_manager.filter(pk=obj.pk, state__in=sources).update(
            state=target, **updates
        )
        if changed != 1:
            current = (
                model._default_manager.filter(pk=obj.pk).values_list("state", flat=True).first()
            )
            label = _state_label(model, current)
            raise TransitionRefused(
                _("当前状态为“%(state)s”，不能执行该操作。") % {"state": label},
                current_state=current,
            )
        log = TransitionLog.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=obj.pk,
            transition=name,
            from_state=_from_state(obj, sources),
            to_state=target,
            actor=actor if getattr(actor, "pk", None) else None,
            at=at or timezone.now(),
            reason=reason,
        )
    obj.state = target
    for field, value in updates.items():
        if not hasattr(value, "resolve_expression"):
            setattr(obj, field, value)
    return log


def step(
    obj: models.Model, by, name: str, *, at: datetime | None = None, stamp: str = "", **options
) -> TransitionLog:
    """``apply_transition`` along the model's own table of transitions: ``STEPS[name]`` is
    the pair (the states it may start from, the state it leads to), written once on the
    model. ``stamp`` names a field that keeps the moment (``submitted_at``); ``options``
    are ``apply_transition``'s (``reason``, ``reason_required``, ``updates``)."""
    source, target = type(obj).STEPS[name]
    at = at or timezone.now()
    updates = {**options.pop("updates", {}), **({stamp: at} if stamp else {})}
    return apply_transition(
        obj, name=name, source=source, target=target, actor=by, at=at, updates=updates, **options
    )


def _from_state(obj: models.Model, sources: list[str]) -> str:
    return obj.state if obj.state in sources else sources[0]


def _state_label(model: type[models.Model], state: str | None) -> str:
    if state is None:
        return _("已删除")
    field = model._meta.get_field("state")
    return str(dict(field.flatchoices).get(state, state))


def record_event(
    obj: models.Model,
    *,
    name: str,
    actor: Any = None,
    reason: str = "",
    at: datetime | None = None,
) -> TransitionLog:
    """Record something done to ``obj`` that does not change its state (a schedule step
    marked done, a case selected), in the same history as its transitions, dated ``at``
    (by default now)."""
    state = getattr(obj, "state", "")
    return TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        transition=name,
        from_state=state,
        to_state=state,
        actor=actor if getattr(actor, "pk", None) else None,
        at=at or timezone.now(),
        reason=reason,
    )


def history(obj: models.Model):
    """The transitions of one object, oldest first."""
    return TransitionLog.objects.for_object(obj)
