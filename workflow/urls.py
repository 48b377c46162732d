from django.urls import path

from . import views

app_name = "workflow"
urlpatterns = [
    path("<int:pk>/", views.import_job, name="import_job"),
    path("<int:pk>/status/", views.import_status, name="import_status"),
    path("<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
]
