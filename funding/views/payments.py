"""拨付: HQ records a tranche against an allocation; everyone who sees the money lists them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import HQ, STAFF, role_required
from planning.working import require_working_plan

from .. import services
from ..forms import PaymentForm
from ..models import Allocation, Payment


@role_required(HQ)
@require_POST
def payment_new(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = get_object_or_404(Allocation.objects.visible_to(request.user), pk=pk)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(allocation)
    try:
        payment = services.record_payment(allocation, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("已登记拨付 %(amount)s 万元（%(date)s）。")
            % {"amount": payment.amount, "date": f"{payment.date:%Y-%m-%d}"},
        )
    return redirect(allocation)


@role_required(STAFF | HQ)
def payment_list(request: HttpRequest) -> HttpResponse:
    plan = require_working_plan(request)
    payments = (
        Payment.objects.visible_to(request.user)
        .filter(allocation__plan=plan)
        .select_related("allocation__task", "allocation__province", "allocation__project")
        .order_by("-date", "-pk")
    )
    return render(request, "funding/payment_list.html", {"plan": plan, "payments": payments})
