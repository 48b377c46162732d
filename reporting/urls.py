from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.home, name="home"),
    path("digest/", views.digest_home, name="digest_home"),
    path("<int:year>/summaries/", views.summary_list, name="summary_list"),
    path("<int:year>/summaries/<str:code>/", views.summary, name="summary"),
    path(
        "<int:year>/summaries/<str:code>/<str:action>/",
        views.summary_action,
        name="summary_action",
    ),
    path("<int:year>/digest/", views.digest, name="digest"),
    path("digests/<int:pk>/status/", views.digest_status, name="digest_status"),
    path("digests/<int:pk>/download/", views.digest_download, name="digest_download"),
]
