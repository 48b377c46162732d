"""另行通知 pages: HQ writes and sends a notice, sees who read it and chases the rest; the
units read it (their first reading is recorded) and reply when it asks them to."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import HQ, STAFF, role_required
from planning.working import require_working_plan, working_plan
from workflow import sheets
from workflow.files import attach, download
from workflow.machine import TransitionRefused, history

from .. import services
from ..forms import NoticeForm, NoticeReplyForm
from ..models import Notice, NoticeAttachment, NoticeReceipt, NoticeReply, NoticeReplyFile
from ..report_sheets import receipts_sheet


def _notice(request: HttpRequest, pk: int):
    return get_object_or_404(
        Notice.objects.visible_to(request.user).select_related("plan", "task", "sent_by"), pk=pk
    )


@role_required(STAFF | HQ)
def notice_list(request: HttpRequest) -> HttpResponse:
    """The working plan's notices: HQ's with read counts, a unit's with its own receipt."""
    plan = working_plan(request)
    notices = (
        Notice.objects.visible_to(request.user)
        .filter(plan=plan)
        .select_related("task")
        .annotate(
            addressed=Count("receipts", distinct=True),
            read=Count("receipts", filter=Q(receipts__read_at__isnull=False), distinct=True),
            replied=Count("replies", distinct=True),
        )
    )
    receipts = {}
    if request.user.is_province_staff:
        receipts = {
            r.notice_id: r
            for r in NoticeReceipt.objects.filter(
                province_id=request.user.province_id, notice__plan=plan
            )
        }
    rows = [(n, receipts.get(n.pk)) for n in notices]
    return render(request, "provinces/notice_list.html", {"plan": plan, "rows": rows})


@role_required(HQ)
def notice_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """HQ: write a notice (or change a draft) in the working plan, with attachments."""
    notice = _notice(request, pk) if pk else None
    if notice and not notice.is_draft:
        messages.error(request, _("通知已发送，不能修改。"))
        return redirect("provinces:notice", pk=notice.pk)
    plan = notice.plan if notice else require_working_plan(request)
    instance = notice or Notice(plan=plan, created_by=request.user)
    form = NoticeForm(request.POST or None, request.FILES or None, instance=instance, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = form.save()
                attach(NoticeAttachment, form.cleaned_data["files"], request.user, notice=saved)
        except ValidationError as exc:  # a bad file: neither the notice nor any file is saved
            for message in exc.messages:
                form.add_error("files", message)
        else:
            messages.success(request, _("通知草稿已保存，核对后即可发送。"))
            return redirect("provinces:notice", pk=saved.pk)
    return render(
        request, "provinces/notice_form.html", {"form": form, "notice": notice, "plan": plan}
    )


@role_required(STAFF | HQ)
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A notice; a unit's first opening is its read receipt. HQ sees the receipts and replies."""
    notice = _notice(request, pk)
    services.mark_notice_read(notice, request.user)
    context = {"notice": notice, "attachments": notice.attachments.all()}
    if request.user.is_hq:
        context.update(
            receipts=notice.receipts.select_related("province", "read_by"),
            replies={
                r.province_id: r
                for r in NoticeReply.objects.visible_to(request.user)
                .filter(notice=notice)
                .select_related("replied_by")
                .prefetch_related("files")
            },
            history=history(notice),
            audience=notice.audience_units() if notice.is_draft else None,
        )
    else:
        reply = (
            NoticeReply.objects.visible_to(request.user)
            .filter(notice=notice)
            .prefetch_related("files")
            .first()
        )
        context.update(
            reply=reply,
            reply_form=NoticeReplyForm(initial={"text": reply.text if reply else ""}),
        )
    return render(request, "provinces/notice_detail.html", context)


@role_required(HQ)
@require_POST
def notice_send(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    try:
        services.send_notice(notice, request.user)
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("通知已发送给 %(n)d 个单位。") % {"n": notice.receipts.count()},
        )
    return redirect("provinces:notice", pk=notice.pk)


@role_required(HQ)
@require_POST
def notice_chase(request: HttpRequest, pk: int) -> HttpResponse:
    """HQ's 催阅: remind the units that have not read the notice (once a day per unit)."""
    notice = _notice(request, pk)
    try:
        sent = services.chase_unread(notice, request.user)
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已提醒 %(n)d 个未阅读的单位。") % {"n": sent})
    return redirect("provinces:notice", pk=notice.pk)


@role_required(STAFF)
@require_POST
def notice_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's reply (text and files) to a notice that asks for one."""
    notice = _notice(request, pk)
    form = NoticeReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("provinces:notice", pk=notice.pk)
    try:
        services.reply_to_notice(
            notice, request.user, form.cleaned_data["text"], form.cleaned_data["files"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已回复。"))
    return redirect("provinces:notice", pk=notice.pk)


@role_required(STAFF | HQ)
def notice_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    return download(get_object_or_404(NoticeAttachment.objects.visible_to(request.user), pk=pk))


@role_required(STAFF | HQ)
def notice_reply_file(request: HttpRequest, pk: int) -> HttpResponse:
    return download(get_object_or_404(NoticeReplyFile.objects.visible_to(request.user), pk=pk))


@role_required(HQ)
def notice_receipts_export(request: HttpRequest, pk: int) -> HttpResponse:
    """HQ: who has read a notice, and when, as a workbook."""
    notice = _notice(request, pk)
    return sheets.download(f"notice-{notice.pk}-receipts.xlsx", receipts_sheet(notice))
