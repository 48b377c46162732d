from django.urls import path

from config.routes import pages

from .views import allocations, overview, payments, spending

app_name = "funding"
urlpatterns = [
    path("", overview.overview, name="overview"),
    path("export.xlsx", overview.export, name="export"),
    *pages("allocations/", allocations, "allocation", "list", "detail"),
    path("allocations/task/<int:number>/", allocations.task_grid, name="task_grid"),
    path(
        "allocations/project/<int:pk>/",
        allocations.project_allocation,
        name="project_allocation",
    ),
    path("allocations/import/", allocations.allocation_import, name="allocation_import"),
    path("allocations/template.xlsx", allocations.allocation_template, name="allocation_template"),
    path("allocations/<int:pk>/pay/", payments.payment_new, name="payment_new"),
    path("payments/", payments.payment_list, name="payment_list"),
    path("allocations/<int:pk>/spending/", spending.spending, name="spending"),
    *pages("spending/", spending, "spending", "list", "action"),
    path("evidence/<int:pk>/", spending.evidence_download, name="evidence_download"),
]
