"""The annual digest (汇编): build it, watch the build, download the PDF and the workbook."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import HQ, role_required
from planning.working import visible_plan, working_plan
from workflow import sheets
from workflow.files import file_response

from .. import services
from ..digest import build_workbook
from ..models import DigestBuild


@role_required(HQ)
def digest_home(request: HttpRequest) -> HttpResponse:
    plan = working_plan(request)
    if plan is None:
        raise Http404
    return redirect("reporting:digest", year=plan.year)


@role_required(HQ)
def digest(request: HttpRequest, year: int) -> HttpResponse:
    plan = visible_plan(request, year)
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
    done = build.state == DigestBuild.State.DONE
    download = f"/reporting/digests/{build.pk}/download/" if done else None
    return JsonResponse({**build.status(), "download": download})


@role_required(HQ)
def digest_download(request: HttpRequest, pk: int) -> HttpResponse:
    build = get_object_or_404(
        DigestBuild.objects.visible_to(request.user), pk=pk, state=DigestBuild.State.DONE
    )
    return file_response(
        build.file, f"全国专利信息传播利用{build.plan.year}.pdf", "application/pdf"
    )


@role_required(HQ)
def digest_workbook(request: HttpRequest, year: int) -> HttpResponse:
    """The digest's data as an Excel workbook (HQ)."""
    return sheets.download(f"digest-{year}.xlsx", *build_workbook(visible_plan(request, year)))
