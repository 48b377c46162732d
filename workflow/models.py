"""A record of every state change (who, when, from what, to what, and why); import jobs."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .jobs import Job
from .modelparts import meta

# What people read in a history, for each transition name the models use.
TRANSITION_LABELS = {
    "submit": _("报送"),
    "return": _("退回"),
    "confirm": _("确认"),
    "reopen": _("重新打开"),
    "publish": _("发布"),
    "start_review": _("开始评审"),
    "approve": _("批准立项"),
    "reject": _("不予立项"),
    "sign_agreement": _("签订任务书"),
    "request_acceptance": _("申请验收"),
    "accept": _("验收通过"),
    "rectify": _("要求整改"),
    "fail": _("验收不通过"),
    "approve_extension": _("同意延期"),
    "refuse_extension": _("不同意延期"),
    "complete_milestone": _("进度完成"),
    "select": _("选用"),
    "set_contacts": _("指定项目联系人"),
    "set_report_schedule": _("设置报告安排"),
    "send": _("发送"),
}


class TransitionLogQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> TransitionLogQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ).select_related("actor")


class TransitionLog(models.Model):
    """One transition of one object's state machine."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    transition = models.CharField(_("操作"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=30)
    to_state = models.CharField(_("新状态"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    reason = models.TextField(_("理由"), blank=True)

    objects = TransitionLogQuerySet.as_manager()

    Meta = meta(
        _("状态变更记录"),
        ordering=["at", "pk"],
        indexes=[models.Index(fields=["content_type", "object_id", "at"])],
    )

    def __str__(self) -> str:
        return f"{self.transition}: {self.from_state} → {self.to_state}"

    @property
    def transition_label(self) -> str:
        return str(TRANSITION_LABELS.get(self.transition, self.transition))

    def _state_label(self, state: str) -> str:
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()  # cached
        try:
            choices = dict(model._meta.get_field("state").flatchoices)
        except FieldDoesNotExist:  # a model without a state field: show the raw value
            return state
        return str(choices.get(state, state))

    @property
    def from_state_label(self) -> str:
        return self._state_label(self.from_state)

    @property
    def to_state_label(self) -> str:
        return self._state_label(self.to_state)


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> ImportJobQuerySet:
        """An import is seen only by who uploaded it."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(requested_by=user)


class ImportJob(Job):
    """One spreadsheet import: its preview, then (once confirmed) its writing.

    The file is kept on the row between the two and cleared once the import has run.
    """

    class Phase(models.TextChoices):
        PREVIEW = "preview", _("检查")
        IMPORT = "import", _("导入")

    kind = models.CharField(_("导入类型"), max_length=30)
    file_name = models.CharField(_("文件名"), max_length=200)
    content = models.BinaryField(_("文件内容"), blank=True)
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    phase = models.CharField(_("阶段"), max_length=10, choices=Phase.choices, default=Phase.PREVIEW)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    duplicates = models.PositiveIntegerField(_("重复"), default=0)
    problem_count = models.PositiveIntegerField(_("有问题的行"), default=0)
    problems = models.JSONField(_("问题"), default=list, blank=True)
    duplicate_rows = models.JSONField(_("重复的行"), default=list, blank=True)
    # The preview's first rows as read: {"headers": [...], "rows": [[number, [cell, ...]], ...]}
    preview_rows = models.JSONField(_("预览的行"), default=dict, blank=True)

    objects = ImportJobQuerySet.as_manager()

    Meta = meta(_("导入"), ordering=["-created_at", "-pk"])

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} #{self.pk}"

    @property
    def preview_table(self) -> list[tuple[int, list[str], str]]:
        """The previewed rows as (row number, cells, why it is a duplicate or "")."""
        duplicates = {number: "；".join(notes) for number, notes in self.duplicate_rows}
        return [
            (number, cells, duplicates.get(number, ""))
            for number, cells in (self.preview_rows or {}).get("rows", [])
        ]

    @property
    def preview_more(self) -> int:
        """How many rows the file has beyond those the preview lists."""
        return max(0, self.total - len((self.preview_rows or {}).get("rows", [])))

    @property
    def is_confirmable(self) -> bool:
        """A preview that passed and has rows to write; it can be confirmed once."""
        return (
            self.phase == self.Phase.PREVIEW
            and self.state == self.State.DONE
            and not self.error
            and not self.problem_count
            and self.created + self.updated > 0
        )
