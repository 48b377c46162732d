"""The contact directory (通讯录): the page, its Excel export, template and import."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import ALL, HQ, STAFF, role_required
from planning.working import working_plan
from workflow import sheets
from workflow.imports import IMPORTERS
from workflow.views import upload_page

from ..resources import contact_directory, contacts_template, contacts_workbook


@role_required(STAFF | HQ)
def contacts(request: HttpRequest) -> HttpResponse:
    """The national contact directory (通讯录): HQ sees all, a province its own."""
    plan = working_plan(request)
    qs = contact_directory(request.user, plan.year if plan else None)
    if request.GET.get("format") == "xlsx":
        return sheets.download("contacts.xlsx", contacts_workbook(qs))
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(request, "provinces/contacts.html", {"page": page})


@role_required(ALL)
def contacts_template_download(request: HttpRequest) -> HttpResponse:
    return sheets.download("contacts-template.xlsx", contacts_template(request.user))


@role_required(STAFF | HQ)
def contacts_import(request: HttpRequest) -> HttpResponse:
    """Upload a contacts file."""
    return upload_page(request, IMPORTERS["contacts"])
