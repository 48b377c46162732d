from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.call_list, name="call_list"),
    path("export.xlsx", views.export, name="export"),
    path("totals/", views.totals, name="totals"),
    path("totals.xlsx", views.totals_export, name="totals_export"),
    path("calls/new/", views.call_new, name="call_new"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:pk>/decide/", views.call_decide, name="call_decide"),
    path(
        "deliverables/<int:pk>/progress/", views.deliverable_progress, name="deliverable_progress"
    ),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("calls/<int:pk>/apply/", views.application_new, name="application_new"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path(
        "applications/<int:pk>/<str:action>/", views.application_action, name="application_action"
    ),
    path("reviews/", views.my_reviews, name="my_reviews"),
    path("reviews/<int:pk>/", views.review, name="review"),
]
