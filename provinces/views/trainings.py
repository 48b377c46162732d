"""Training class (培训班) pages: HQ's classes and each unit's, with roster and materials."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import HQ, STAFF, role_required
from planning.working import require_working_plan, working_plan
from workflow import sheets
from workflow.files import attach, download
from workflow.imports import IMPORTERS
from workflow.machine import TransitionRefused
from workflow.views import upload_page

from ..forms import TrainingClassForm
from ..models import TrainingClass, TrainingMaterial
from ..network_sheets import roster_template, trainings_workbook


def _listed(request: HttpRequest, plan):
    qs = TrainingClass.objects.visible_to(request.user).filter(plan=plan)
    organiser = request.GET.get("organiser", "")
    if organiser == "hq":
        qs = qs.filter(province__isnull=True)
    elif organiser and request.user.is_hq:
        qs = qs.filter(province__code=organiser)
    elif organiser == "own" and request.user.is_province_staff:
        qs = qs.filter(province_id=request.user.province_id)
    return qs


@role_required(STAFF | HQ)
def training_list(request: HttpRequest) -> HttpResponse:
    plan = working_plan(request)
    qs = _listed(request, plan) if plan else TrainingClass.objects.none()
    totals = qs.aggregate(
        classes=Count("pk"),
        attendees=Sum("attendee_count"),
        by_hq=Count("pk", filter=Q(province__isnull=True)),
    )
    rows = qs.select_related("province", "task").order_by("-start_date", "-pk")
    paginator = Paginator(rows, 50)
    paginator.count = totals["classes"]
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "provinces/training_list.html",
        {
            "plan": plan,
            "page": page,
            "totals": totals,
            "organiser": request.GET.get("organiser", ""),
            "query": query.urlencode(),
        },
    )


@role_required(STAFF | HQ)
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    training = get_object_or_404(
        TrainingClass.objects.visible_to(request.user).select_related("plan", "province", "task"),
        pk=pk,
    )
    can_edit = TrainingClass.objects.own(request.user).filter(pk=pk).exists()
    return render(
        request,
        "provinces/training_detail.html",
        {
            "training": training,
            "can_edit": can_edit,
            "roster": training.roster.all()[:500],
            "roster_size": training.roster.count(),
            "materials": training.materials.all(),
        },
    )


@role_required(STAFF | HQ)
def training_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A class of the user's own: a unit's (staff) or HQ's (HQ reviewers, administrators)."""
    training = get_object_or_404(TrainingClass.objects.own(request.user), pk=pk) if pk else None
    plan = training.plan if training else require_working_plan(request)
    try:
        plan.ensure_open()
    except TransitionRefused as exc:
        messages.error(request, exc.message)
        return redirect("provinces:training_list")
    province = request.user.province if request.user.is_province_staff else None
    form = TrainingClassForm(
        request.POST or None,
        request.FILES or None,
        instance=training,
        province=province,
        plan=plan,
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = form.save(commit=False)
                if saved.created_by_id is None:
                    saved.created_by = request.user
                saved.save()
                attach(TrainingMaterial, form.cleaned_data["files"], request.user, training=saved)
        except ValidationError as exc:  # a bad file: neither the class nor any file is saved
            for e in exc.messages:
                form.add_error("files", e)
        else:
            messages.success(
                request,
                _("培训班“%(title)s”已保存，培训材料 %(n)d 个。")
                % {"title": saved.title, "n": saved.materials.count()},
            )
            return redirect("provinces:training_detail", pk=saved.pk)
    return render(
        request,
        "provinces/training_form.html",
        {"form": form, "training": training, "plan": plan},
    )


@role_required(STAFF | HQ)
@require_POST
def training_delete(request: HttpRequest, pk: int) -> HttpResponse:
    training = get_object_or_404(TrainingClass.objects.own(request.user), pk=pk)
    try:
        training.plan.ensure_open()
    except TransitionRefused as exc:
        messages.error(request, exc.message)
        return redirect("provinces:training_detail", pk=pk)
    training.delete()  # roster and materials go with it; the files once that is committed
    messages.success(request, _("培训班已删除。"))
    return redirect(f"{reverse('provinces:training_list')}?year={training.plan.year}")


@role_required(STAFF | HQ)
def training_export(request: HttpRequest) -> HttpResponse:
    plan = require_working_plan(request)
    qs = _listed(request, plan).order_by("start_date", "pk")
    stamp = timezone.localdate().strftime("%Y%m%d")
    return sheets.download(f"trainings-{plan.year}-{stamp}.xlsx", *trainings_workbook(qs))


@role_required(STAFF | HQ)
def roster_import(request: HttpRequest) -> HttpResponse:
    return upload_page(request, IMPORTERS["roster"])


@role_required(STAFF | HQ)
def roster_template_download(request: HttpRequest) -> HttpResponse:
    """A blank roster; ``?training=`` fills in the number of one of the user's classes."""
    number = request.GET.get("training", "")
    training = (
        TrainingClass.objects.own(request.user).filter(pk=int(number)).first()
        if number.isdigit() and int(number) < 2**63
        else None
    )
    return sheets.download("roster-template.xlsx", roster_template(training))


@role_required(STAFF | HQ)
def material_download(request: HttpRequest, pk: int) -> HttpResponse:
    material = get_object_or_404(TrainingMaterial.objects.visible_to(request.user), pk=pk)
    return download(material)


@role_required(STAFF | HQ)
@require_POST
def material_delete(request: HttpRequest, pk: int) -> HttpResponse:
    material = get_object_or_404(
        TrainingMaterial.objects.filter(training__in=TrainingClass.objects.own(request.user)),
        pk=pk,
    )
    training_pk = material.training_id
    material.delete()
    messages.success(request, _("培训材料已删除。"))
    return redirect("provinces:training_detail", pk=training_pk)
