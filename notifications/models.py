"""Reminders sent (each exactly once), HQ's daily summaries, extension requests, in-app
notifications. A unit is referenced by its model label only: notifications imports no
domain app."""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.visibility import scoped
from workflow.machine import step
from workflow.modelparts import by_user, meta

# The executing unit a reminder or an extension request is about, by its model label only
# (as AUTH_USER_MODEL names the user model).
UNIT_MODEL = "provinces.Province"


def unit_model() -> type[models.Model]:
    """The executing unit's model class (as ``get_user_model()`` gives the user's)."""
    return apps.get_model(UNIT_MODEL)


class ReminderLog(models.Model):
    """One reminder to one person about one thing a unit owes, at one offset.

    ``offset`` is days before the due date (7, 3, 1, 0), negative for chasing
    after it (-3, -6, …); a manual 催办 from HQ uses ``kind=manual`` with the date
    as its offset key. The unique constraint is what makes sending exactly-once:
    a sweep claims a reminder by inserting its row; a second sweep, a retry or a
    second worker cannot insert it again.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("到期提醒")
        CHASE = "chase", _("逾期催办")
        MANUAL = "manual", _("人工催办")

    deadline_key = models.CharField(_("事项"), max_length=100)
    province = models.ForeignKey(UNIT_MODEL, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.EmailField(_("收件人"))
    offset = models.IntegerField(_("提前天数"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    what = models.CharField(_("内容"), max_length=300)
    due_date = models.DateField(_("截止日期"))
    link = models.CharField(_("链接"), max_length=300, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(_("领取时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    requested_by = by_user(on_delete=models.SET_NULL, blank=True)

    Meta = meta(
        _("提醒记录"),
        ordering=["-created_at", "-pk"],
        unique={
            "reminder_exactly_once": ("deadline_key", "province", "recipient", "offset", "kind")
        },
    )

    def __str__(self) -> str:
        return f"{self.recipient} · {self.what} · {self.offset}"


class SummaryLog(models.Model):
    """HQ's one summary mail per day."""

    day = models.DateField(_("日期"), unique=True)
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    recipients = models.PositiveSmallIntegerField(_("收件人数"), default=0)
    due_soon = models.PositiveIntegerField(_("即将到期"), default=0)
    overdue = models.PositiveIntegerField(_("已逾期"), default=0)

    Meta = meta(_("汇总邮件记录"), ordering=["-day"])

    def __str__(self) -> str:
        return str(self.day)


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class ExtensionRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> ExtensionRequestQuerySet:
        return scoped(self, user, "province_id")


class ExtensionRequest(models.Model):
    """延期申请: a unit asks, before the due date, for a later date for one thing it owes."""

    State = ExtensionState
    STEPS = {
        "approve_extension": ((ExtensionState.PENDING,), ExtensionState.APPROVED),
        "refuse_extension": ((ExtensionState.PENDING,), ExtensionState.REFUSED),
    }

    deadline_key = models.CharField(_("事项"), max_length=100)
    province = models.ForeignKey(
        UNIT_MODEL, on_delete=models.PROTECT, related_name="extension_requests"
    )
    what = models.CharField(_("内容"), max_length=300)
    # The year of the plan the debt is owed under: HQ's queue and the API list one plan.
    plan_year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True, db_index=True)
    due_date = models.DateField(_("原截止日期"))
    requested_due = models.DateField(_("申请延至"))
    reason = models.TextField(_("延期理由"))
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    requested_by = by_user()
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = by_user(blank=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审批意见"), blank=True)

    objects = ExtensionRequestQuerySet.as_manager()

    Meta = meta(
        _("延期申请"),
        ordering=["-requested_at", "-pk"],
        constraints=[
            models.UniqueConstraint(
                fields=["deadline_key", "province"],
                condition=models.Q(state="pending"),
                name="one_pending_extension",
            ),
            models.CheckConstraint(
                condition=models.Q(requested_due__gt=models.F("due_date")),
                name="extension_moves_later",
            ),
        ],
    )

    def __str__(self) -> str:
        return f"{self.province} · {self.what} → {self.requested_due}"

    def approve(self, by, reason: str = "") -> None:
        decision = {"decided_by": by, "decision_reason": reason}
        step(self, by, "approve_extension", reason=reason, stamp="decided_at", updates=decision)

    def refuse(self, by, reason: str) -> None:
        decision = {"decided_by": by, "decision_reason": (reason or "").strip()}
        step(
            self,
            by,
            "refuse_extension",
            reason=reason,
            reason_required=True,
            stamp="decided_at",
            updates=decision,
        )


logger = logging.getLogger(__name__)


def _param_text(value: Any) -> Any:
    """One stored parameter as the reader reads it (see :func:`render_message`)."""
    if not isinstance(value, dict):
        return value
    if "msgid" in value:
        return gettext(value["msgid"])
    if "choice" in value:
        app_label, model_name, field_name = value["choice"].split(".")
        field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
        label = dict(field.flatchoices).get(value.get("value"))
        return str(label) if label is not None else value.get("value")
    return value


def render_message(msgid: str, params: dict | None) -> str:
    """A stored message in the active language: the msgid translated, then its parameters.

    A parameter is a plain value (a name, a reason, a number, an ISO date: shown as it is),
    ``{"msgid": source}`` (a translatable word, translated now) or ``{"choice":
    "app.model.field", "value": v}`` (a choice's value, shown as its label now).
    """
    values = {key: _param_text(v) for key, v in (params or {}).items()}
    translated = gettext(msgid)
    if not values:
        return translated
    try:
        return translated % values
    except (KeyError, ValueError, TypeError):
        # a translation whose placeholders do not match its msgid: the source sentence
        logger.warning("notification translation does not match its msgid: %r", msgid)
        return msgid % values


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> NotificationQuerySet:
        """An inbox is its owner's only, whatever the role."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(user=user)


class Notification(models.Model):
    """站内通知: what happened that concerns one user; mailed now or in a daily digest.

    Stored untranslated, as a ``msgid`` (the source sentence, marked with ``gettext_noop``)
    and its ``params``; :attr:`text` renders it in the language active when it is read
    (the page's, or the recipient's for mail). Rows from before have only ``message``,
    the text as it was written, and show it as it is.
    """

    class Kind(models.TextChoices):
        RETURNED = "returned", _("退回修改")
        CONFIRMED = "confirmed", _("已确认")
        REMINDER = "reminder", _("提醒")
        DECISION = "decision", _("决定")
        PLAN = "plan", _("年度计划")
        REPORT = "report", _("项目报告")
        QUESTION = "question", _("项目咨询")
        NOTICE = "notice", _("通知")

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    msgid = models.CharField(_("消息"), max_length=500, blank=True)
    params = models.JSONField(_("消息参数"), default=dict, blank=True)
    message = models.CharField(
        _("内容"), max_length=500, blank=True, help_text=_("旧通知的原文（没有消息时显示）")
    )
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    Meta = meta(
        _("站内通知"),
        ordering=["-created_at", "-pk"],
        indexes=[
            models.Index(
                fields=["user"], condition=models.Q(read_at__isnull=True), name="unread_by_user"
            ),
            models.Index(
                fields=["user", "created_at"],
                condition=models.Q(emailed_at__isnull=True),
                name="not_emailed_by_user",
            ),
        ],
    )

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """What the notification says, in the active language."""
        if not self.msgid:
            return self.message
        return render_message(self.msgid, self.params)
