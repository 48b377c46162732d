from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("reminders/", views.reminder_log, name="reminder_log"),
    path("remind/late/", views.remind_late, name="remind_late"),
    path("remind/<str:code>/", views.remind_unit, name="remind_unit"),
]
