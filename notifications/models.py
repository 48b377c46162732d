"""A record of every reminder: the unique key that makes each one go out exactly once."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
    province = models.ForeignKey(
        "provinces.Province", on_delete=models.CASCADE, related_name="reminders"
    )
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
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline_key", "province", "recipient", "offset", "kind"],
                name="reminder_exactly_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.what} · {self.offset}"


class SummaryLog(models.Model):
    """HQ's one summary mail per day."""

    day = models.DateField(_("日期"), unique=True)
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    recipients = models.PositiveSmallIntegerField(_("收件人数"), default=0)
    due_soon = models.PositiveIntegerField(_("即将到期"), default=0)
    overdue = models.PositiveIntegerField(_("已逾期"), default=0)

    class Meta:
        verbose_name = _("汇总邮件记录")
        verbose_name_plural = _("汇总邮件记录")
        ordering = ["-day"]

    def __str__(self) -> str:
        return str(self.day)
