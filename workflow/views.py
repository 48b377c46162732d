"""The pages every spreadsheet import shares: upload, the job (preview, progress, outcome),
its status for the progress bar, and the one confirm."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import ALL, role_required

from . import imports
from .models import ImportJob


def upload_page(request: HttpRequest, importer: imports.Importer) -> HttpResponse:
    """Upload → (bounded read) → a job previewing it. The calling page declares its roles."""
    form = imports.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = imports.start(
            importer,
            request.user,
            upload.name,
            form.cleaned_data["content"],
            form.cleaned_data["dataset"],
        )
        return redirect("workflow:import_job", pk=job.pk)
    return render(
        request,
        "workflow/import_upload.html",
        {"form": form, "importer": importer, "limits": imports.limits()},
    )


def _job(request: HttpRequest, pk: int) -> tuple[ImportJob, imports.Importer]:
    job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    importer = imports.IMPORTERS.get(job.kind)
    if importer is None or not request.user.has_role(importer.roles):
        raise Http404
    return job, importer


@role_required(ALL)
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job, importer = _job(request, pk)
    return render(
        request,
        "workflow/import_job.html",
        {
            "job": job,
            "importer": importer,
            "form": imports.ImportForm(),
            "limits": imports.limits(),
        },
    )


@role_required(ALL)
def import_status(request: HttpRequest, pk: int) -> JsonResponse:
    job, _importer = _job(request, pk)
    return JsonResponse(job.status())


@role_required(ALL)
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job, importer = _job(request, pk)
    if not imports.confirm(job, request.user):
        messages.error(request, _("该预览已确认导入过（或不能导入），不会重复写入。"))
        return redirect("workflow:import_job", pk=job.pk)
    if job.state == ImportJob.State.DONE:
        messages.success(
            request,
            _("已导入 %(n)d 行（新增 %(created)d 行，更新 %(updated)d 行，跳过重复 %(dup)d 行）。")
            % {
                "n": job.created + job.updated,
                "created": job.created,
                "updated": job.updated,
                "dup": job.duplicates,
            },
        )
        return redirect(importer.done_url)
    return redirect("workflow:import_job", pk=job.pk)
