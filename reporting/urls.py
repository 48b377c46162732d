from django.urls import path

from .views import bulletins, cases, digest, summaries, trends

app_name = "reporting"
urlpatterns = [
    path("", summaries.home, name="home"),
    path("digest/", digest.digest_home, name="digest_home"),
    path("cases/", cases.case_list, name="case_list"),
    path("cases/new/", cases.case_edit, name="case_new"),
    path("cases/<int:pk>/", cases.case_detail, name="case"),
    path("cases/<int:pk>/edit/", cases.case_edit, name="case_edit"),
    path("cases/<int:pk>/<str:action>/", cases.case_action, name="case_action"),
    path("case-evidence/<int:pk>/", cases.case_evidence, name="case_evidence"),
    path("bulletins/", bulletins.bulletin_list, name="bulletin_list"),
    path("bulletins/new/", bulletins.bulletin_edit, name="bulletin_new"),
    path("bulletins/<int:pk>/", bulletins.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/edit/", bulletins.bulletin_edit, name="bulletin_edit"),
    path("bulletins/<int:pk>/publish/", bulletins.bulletin_publish, name="bulletin_publish"),
    path("bulletins/<int:pk>/pdf/", bulletins.bulletin_pdf, name="bulletin_pdf"),
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
