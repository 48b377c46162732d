"""What a page says once it saved or submitted a reviewed submission (workflow.review)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _


def say_saved(request: HttpRequest, submission, submitted: bool) -> None:
    """A draft saved; or submitted and awaiting HQ, said to be late when it was."""
    if not submitted:
        messages.success(request, _("已保存草稿。"))
    elif submission.is_late:
        messages.warning(request, _("已报送。已超过截止日期，记为逾期报送。"))
    else:
        messages.success(request, _("已报送，等待专利文献部审核。"))
