"""A long job someone waits for: a row records its state and progress, and the page polls it.

The digest build and the spreadsheet imports are such jobs. The Celery task that runs one
takes its primary key, claims it with a conditional ``UPDATE … WHERE state = 'queued'`` (so
two workers never run it twice), reports progress on the row as it goes, and ends it done
or failed. ``static/workflow/progress.js`` polls ``status()`` through the job's status URL.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """State, progress and outcome of one background job; subclasses add what it makes."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    step = models.CharField(_("当前步骤"), max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def claim(cls, pk: int, **updates: Any) -> bool:
        """Start a queued job; False if another worker (or request) already has it."""
        return bool(
            cls._default_manager.filter(pk=pk, state=cls.State.QUEUED).update(
                state=cls.State.RUNNING, progress=1, **updates
            )
        )

    def report(self, progress: int, step: str) -> None:
        """Record how far the job is, for the page that polls it."""
        self.progress, self.step = max(1, min(progress, 99)), step[:200]
        type(self)._default_manager.filter(pk=self.pk).update(
            progress=self.progress, step=self.step
        )

    def finish(self, **updates: Any) -> None:
        """End the job done, saving what it made (``updates``) on the row."""
        self._end(state=self.State.DONE, progress=100, **updates)

    def fail(self, error: str, **updates: Any) -> None:
        self._end(state=self.State.FAILED, error=error[:4000], **updates)

    def _end(self, **updates: Any) -> None:
        updates["finished_at"] = timezone.now()
        type(self)._default_manager.filter(pk=self.pk).update(**updates)
        for name, value in updates.items():
            setattr(self, name, value)

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    def status(self) -> dict[str, Any]:
        """What the polling page reads (``progress.js``)."""
        return {
            "state": self.state,
            "state_label": self.get_state_display(),
            "progress": self.progress,
            "step": self.step,
            "error": self.error,
            "finished": self.is_finished,
        }
