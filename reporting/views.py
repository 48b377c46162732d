from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ALL, HQ, STAFF, role_required
from planning.models import Plan
from planning.working import working_plan
from provinces.models import Province
from workflow import sheets
from workflow.files import file_response
from workflow.machine import TransitionRefused, history

from . import services
from .digest import build_workbook
from .forms import SummaryForm
from .models import AnnualSummary, DigestBuild


def _plan(request: HttpRequest, year: int) -> Plan:
    """The plan named in the URL, among those the user may see (a draft is HQ's only)."""
    return get_object_or_404(Plan.objects.visible_to(request.user), year=year)


@role_required(STAFF | HQ)
def summary_list(request: HttpRequest, year: int) -> HttpResponse:
    plan = _plan(request, year)
    if request.user.is_province_staff:  # a unit has one summary a year: straight to it
        return redirect("reporting:summary", year=year, code=request.user.province.code)
    summaries = {
        s.province_id: s for s in AnnualSummary.objects.visible_to(request.user).filter(plan=plan)
    }
    rows = [(p, summaries.get(p.pk)) for p in Province.objects.visible_to(request.user)]
    return render(request, "reporting/summary_list.html", {"plan": plan, "rows": rows})


@role_required(STAFF | HQ, post=STAFF)
def summary(request: HttpRequest, year: int, code: str) -> HttpResponse:
    plan = _plan(request, year)
    province = get_object_or_404(Province.objects.visible_to(request.user), code=code)
    obj = (
        AnnualSummary.objects.visible_to(request.user).filter(plan=plan, province=province).first()
    )
    can_edit = request.user.is_province_staff and (obj is None or obj.is_editable)
    if request.method == "POST":
        if obj is None:
            obj = AnnualSummary.objects.create(plan=plan, province=province)
        if not obj.is_editable:
            messages.error(request, _("该年度工作总结已锁定，不能修改。"))
            return redirect(obj)
        form = SummaryForm(request.POST, instance=obj)
        if form.is_valid():
            form.save()
            if "submit" in request.POST:
                try:
                    services.submit_summary(obj, request.user)
                except TransitionRefused as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(request, _("已报送，等待专利文献部审核。"))
            else:
                messages.success(request, _("已保存草稿。"))
            return redirect(obj)
    else:
        form = SummaryForm(instance=obj)
    preview = services.ledger_figures(obj or AnnualSummary(plan=plan, province=province))
    return render(
        request,
        "reporting/summary.html",
        {
            "plan": plan,
            "province": province,
            "summary": obj,
            "form": form,
            "can_edit": can_edit,
            "figures": preview,
            "history": history(obj) if obj else [],
        },
    )


@role_required(HQ)
@require_POST
def summary_action(request: HttpRequest, year: int, code: str, action: str) -> HttpResponse:
    obj = get_object_or_404(
        AnnualSummary.objects.visible_to(request.user), plan__year=year, province__code=code
    )
    verbs = {"return": services.return_summary, "confirm": services.confirm_summary}
    if action not in verbs:
        raise Http404
    try:
        verbs[action](obj, request.user, request.POST.get("reason", ""))
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已处理。"))
    return redirect(obj)


# --- the annual digest ----------------------------------------------------------------


@role_required(HQ)
def digest(request: HttpRequest, year: int) -> HttpResponse:
    plan = _plan(request, year)
    if request.method == "POST":
        build = services.request_digest(plan, request.user)
        return redirect(f"{request.path}?build={build.pk}")
    builds = (
        DigestBuild.objects.visible_to(request.user)
        .filter(plan=plan)
        .select_related("requested_by")
    )
    return render(
        request,
        "reporting/digest_page.html",
        {"plan": plan, "builds": builds, "watch": request.GET.get("build", "")},
    )


@role_required(HQ)
def digest_status(request: HttpRequest, pk: int) -> JsonResponse:
    build = get_object_or_404(DigestBuild.objects.visible_to(request.user), pk=pk)
    return JsonResponse(
        {
            "state": build.state,
            "state_label": build.get_state_display(),
            "progress": build.progress,
            "step": build.step,
            "error": build.error,
            "download": f"/reporting/digests/{build.pk}/download/"
            if build.state == DigestBuild.State.DONE
            else None,
        }
    )


@role_required(HQ)
def digest_download(request: HttpRequest, pk: int) -> HttpResponse:
    build = get_object_or_404(
        DigestBuild.objects.visible_to(request.user), pk=pk, state=DigestBuild.State.DONE
    )
    return file_response(
        build.file, f"全国专利信息传播利用{build.plan.year}.pdf", "application/pdf"
    )


@role_required(ALL)
def home(request: HttpRequest) -> HttpResponse:
    plan = working_plan(request)
    if plan is None:
        return redirect("planning:plan_list")
    return redirect("reporting:summary_list", year=plan.year)


@role_required(HQ)
def digest_home(request: HttpRequest) -> HttpResponse:
    plan = working_plan(request)
    if plan is None:
        raise Http404
    return redirect("reporting:digest", year=plan.year)


@role_required(HQ)
def digest_workbook(request: HttpRequest, year: int) -> HttpResponse:
    """The digest's data as an Excel workbook (HQ)."""
    return sheets.download(f"digest-{year}.xlsx", *build_workbook(_plan(request, year)))
