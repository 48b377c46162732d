from django.urls import path

from . import views, views_year

app_name = "reporting"
urlpatterns = [
    path("", views.home, name="home"),
    path("digest/", views.digest_home, name="digest_home"),
    path("cases/", views_year.case_list, name="case_list"),
    path("cases/new/", views_year.case_edit, name="case_new"),
    path("cases/<int:pk>/", views_year.case_detail, name="case"),
    path("cases/<int:pk>/edit/", views_year.case_edit, name="case_edit"),
    path("cases/<int:pk>/<str:action>/", views_year.case_action, name="case_action"),
    path("case-evidence/<int:pk>/", views_year.case_evidence, name="case_evidence"),
    path("bulletins/", views_year.bulletin_list, name="bulletin_list"),
    path("bulletins/new/", views_year.bulletin_edit, name="bulletin_new"),
    path("bulletins/<int:pk>/", views_year.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/edit/", views_year.bulletin_edit, name="bulletin_edit"),
    path("bulletins/<int:pk>/publish/", views_year.bulletin_publish, name="bulletin_publish"),
    path("bulletins/<int:pk>/pdf/", views_year.bulletin_pdf, name="bulletin_pdf"),
    path("<int:year>/summaries/", views.summary_list, name="summary_list"),
    path("<int:year>/summaries/<str:code>/", views.summary, name="summary"),
    path(
        "<int:year>/summaries/<str:code>/<str:action>/",
        views.summary_action,
        name="summary_action",
    ),
    path("<int:year>/digest/", views.digest, name="digest"),
    path("<int:year>/digest.xlsx", views.digest_workbook, name="digest_workbook"),
    path("digests/<int:pk>/status/", views.digest_status, name="digest_status"),
    path("digests/<int:pk>/download/", views.digest_download, name="digest_download"),
]
