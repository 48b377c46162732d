from django.urls import path

from .views import agreements, applications, calls, reports, reviews, totals

app_name = "projects"
urlpatterns = [
    path("", calls.call_list, name="call_list"),
    path("export.xlsx", applications.export, name="export"),
    path("totals/", totals.totals, name="totals"),
    path("totals.xlsx", totals.totals_export, name="totals_export"),
    path("calls/new/", calls.call_new, name="call_new"),
    path("calls/<int:pk>/", calls.call_detail, name="call_detail"),
    path("calls/<int:pk>/decide/", calls.call_decide, name="call_decide"),
    path(
        "deliverables/<int:pk>/progress/",
        agreements.deliverable_progress,
        name="deliverable_progress",
    ),
    path("attachments/<int:pk>/", applications.attachment_download, name="attachment_download"),
    path("reports/", reports.report_list, name="report_list"),
    path("reports/<int:pk>/", reports.report_detail, name="report"),
    path("reports/<int:pk>/<str:action>/", reports.report_action, name="report_action"),
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
    path("applications/<int:pk>/", applications.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", applications.application_edit, name="application_edit"),
    path(
        "applications/<int:pk>/<str:action>/",
        applications.application_action,
        name="application_action",
    ),
    path("reviews/", reviews.my_reviews, name="my_reviews"),
    path("reviews/<int:pk>/", reviews.review, name="review"),
]
