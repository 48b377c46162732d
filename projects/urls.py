from django.urls import path

from config.routes import pages

from .views import agreements, applications, calls, reports, reviews, totals

app_name = "projects"
urlpatterns = [
    path("", calls.call_list, name="call_list"),
    path("export.xlsx", applications.export, name="export"),
    path("totals/", totals.totals, name="totals"),
    path("totals.xlsx", totals.totals_export, name="totals_export"),
    path("calls/new/", calls.call_new, name="call_new"),
    *pages("calls/", calls, "call", "detail", "decide"),
    path(
        "deliverables/<int:pk>/progress/",
        agreements.deliverable_progress,
        name="deliverable_progress",
    ),
    path("attachments/<int:pk>/", applications.attachment_download, name="attachment_download"),
    *pages("reports/", reports, "report", "list", "detail", "action", detail="report"),
    path("report-files/<int:pk>/", reports.report_file, name="report_file"),
    path(
        "applications/<int:pk>/reporting/",
        reports.project_reporting,
        name="project_reporting",
    ),
    path(
        "applications/<int:pk>/reporting/<str:action>/",
        reports.project_reporting_action,
        name="project_reporting_action",
    ),
    path("applications/<int:pk>/acceptance/", reports.acceptance, name="acceptance"),
    path("calls/<int:pk>/apply/", applications.application_new, name="application_new"),
    *pages("applications/", applications, "application", "detail", "edit", "action"),
    path("reviews/", reviews.my_reviews, name="my_reviews"),
    path("reviews/<int:pk>/", reviews.review, name="review"),
]
