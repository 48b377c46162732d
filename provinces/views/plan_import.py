"""The notice import: paste or upload, preview, decide, set the bases, confirm. Mounted in
the planning namespace by config.urls."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import ADMINISTRATORS, role_required
from planning.forms import NoticeForm, mapping_forms
from planning.models import BaseLevel, Plan
from planning.notice import NoticeError, apply_mappings

from ..models import Province
from ..plans import save_parsed_plan, understand_notice


def _posted_bases(request: HttpRequest) -> dict[str, str] | None:
    """The preview's base selects (``base_<code>``) → province code → level; None when the
    form carried no selects (then the import proposes them)."""
    if not request.POST.get("bases_set"):
        return None
    return {
        key.removeprefix("base_"): value
        for key, value in request.POST.items()
        if key.startswith("base_") and value
    }


@role_required(ADMINISTRATORS, send_to_login=True)
def import_notice(request: HttpRequest) -> HttpResponse:
    """Paste or upload → preview every sentence that matters, map those not understood, set
    the year's bases → confirm.

    Nothing is saved before the confirmation, and nothing then if any sentence not understood
    is left without a decision.
    """
    parsed = None
    error = None
    form = None
    mappings = []
    if request.method == "POST" and request.POST.get("rebase"):
        text = request.session.get("notice_text", "")
        try:
            parsed = understand_notice(text, bases=_posted_bases(request))
        except NoticeError as exc:
            error = str(exc)
            form = NoticeForm(initial={"text": text})
        else:
            mappings = mapping_forms(parsed, _unit_choices(), request.POST)
    elif request.method == "POST" and request.POST.get("confirm"):
        text = request.session.get("notice_text", "")
        try:
            parsed = understand_notice(text, bases=_posted_bases(request))
            mappings = mapping_forms(parsed, _unit_choices(), request.POST)
            if all(f.is_valid() for f in mappings):
                apply_mappings(parsed, [f.mapping() for f in mappings])
                with transaction.atomic():
                    result = save_parsed_plan(parsed)
            else:
                result = None
                error = _("有句子尚未作出选择或填写有误，未作任何更改：请逐句处理后再确认。")
        except NoticeError as exc:
            error = str(exc)
            parsed = None
            form = NoticeForm(initial={"text": text})
        else:
            if result is not None:
                request.session.pop("notice_text", None)
                messages.success(
                    request,
                    _("已导入《%(title)s》：%(tasks)d 项任务，%(assignments)d 项任务承担。")
                    % {
                        "title": result.plan.title,
                        "tasks": result.tasks,
                        "assignments": result.assignments,
                    },
                )
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect(result.plan)
    elif request.method == "POST":
        form = NoticeForm(request.POST, request.FILES)
        if form.is_valid():
            text = form.cleaned_data["text"]
            try:
                parsed = understand_notice(text)
            except NoticeError as exc:
                error = str(exc)
            else:
                request.session["notice_text"] = text
                mappings = mapping_forms(parsed, _unit_choices())
                form = None
    else:
        form = NoticeForm()
    provinces = {p.code: p for p in Province.objects.all()} if parsed else {}
    return render(
        request,
        "planning/import_notice.html",
        {
            "form": form,
            "parsed": parsed,
            "sentences": _sentence_rows(parsed, mappings) if parsed else [],
            "error": error,
            "provinces": provinces,
            "levels": BaseLevel.choices,
            "existing": Plan.objects.for_year(parsed.year) if parsed else None,
        },
    )


def _sentence_rows(parsed, mappings) -> list[tuple]:
    """Each sentence that matters with its decision form when it still needs one."""
    by_sentence = {id(f.sentence): f for f in mappings}
    return [(s, by_sentence.get(id(s))) for s in parsed.sentences]


def _unit_choices() -> list[tuple[str, str]]:
    return list(Province.objects.order_by("sort_order").values_list("code", "short_name"))
