from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.call_list, name="call_list"),
    path("export.xlsx", views.export, name="export"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:pk>/apply/", views.application_new, name="application_new"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path(
        "applications/<int:pk>/<str:action>/", views.application_action, name="application_action"
    ),
    path("reviews/", views.my_reviews, name="my_reviews"),
    path("reviews/<int:pk>/", views.review, name="review"),
]
