"""What pages share: what a page says once it saved or submitted a reviewed submission
(workflow.review), and URLs reversed once for a list's every row."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

_MARKER = "2147483647"  # a value every URL converter of the routes it serves accepts


def url_maker(name: str) -> Callable[[object], str]:
    """``name``'s URL for any one argument that needs no quoting (a pk, a unit's code),
    reversed once rather than once per row of a long list or cell of a grid."""
    head, tail = reverse(name, args=[_MARKER]).split(_MARKER)
    return lambda arg: f"{head}{arg}{tail}"


def say_saved(request: HttpRequest, submission, submitted: bool) -> None:
    """A draft saved; or submitted and awaiting HQ, said to be late when it was."""
    if not submitted:
        messages.success(request, _("已保存草稿。"))
    elif submission.is_late:
        messages.warning(request, _("已报送。已超过截止日期，记为逾期报送。"))
    else:
        messages.success(request, _("已报送，等待专利文献部审核。"))
