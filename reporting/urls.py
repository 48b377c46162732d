from django.urls import path

from config.routes import pages

from .views import bulletins, cases, digest, summaries, trends

app_name = "reporting"
urlpatterns = [
    path("", summaries.home, name="home"),
    path("digest/", digest.digest_home, name="digest_home"),
    *pages("cases/", cases, "case", "list", "new", "detail", "edit", "action", detail="case"),
    path("case-evidence/<int:pk>/", cases.case_evidence, name="case_evidence"),
    *pages(
        "bulletins/",
        bulletins,
        "bulletin",
        "list",
        "new",
        "detail",
        "edit",
        "publish",
        "pdf",
        detail="bulletin",
    ),
    path("trends/", trends.trends_page, name="trends"),
    path("trends/export/", trends.trends_export, name="trends_export"),
    path("<int:year>/summaries/", summaries.summary_list, name="summary_list"),
    path("<int:year>/summaries/<str:code>/", summaries.summary, name="summary"),
    path(
        "<int:year>/summaries/<str:code>/<str:action>/",
        summaries.summary_action,
        name="summary_action",
    ),
    path("<int:year>/digest/", digest.digest, name="digest"),
    path("<int:year>/digest.xlsx", digest.digest_workbook, name="digest_workbook"),
    path("digests/<int:pk>/status/", digest.digest_status, name="digest_status"),
    path("digests/<int:pk>/download/", digest.digest_download, name="digest_download"),
]
