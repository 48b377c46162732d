from django.urls import path

from . import views, views_inbox

app_name = "notifications"
urlpatterns = [
    path("", views_inbox.inbox, name="inbox"),
    path("read/", views_inbox.mark_read, name="mark_read"),
    path("<int:pk>/open/", views_inbox.open_notification, name="open"),
    path("calendar/renew/", views_inbox.calendar_renew, name="calendar_renew"),
    path("calendar/<str:token>.ics", views_inbox.calendar_feed, name="calendar_feed"),
    path("deadlines/extend/", views_inbox.extension_request, name="extension_request"),
    path("extensions/", views_inbox.extension_list, name="extension_list"),
    path("extensions/<int:pk>/", views_inbox.extension_detail, name="extension_detail"),
    path(
        "extensions/<int:pk>/<str:action>/",
        views_inbox.extension_decide,
        name="extension_decide",
    ),
    path("reminders/", views.reminder_log, name="reminder_log"),
    path("remind/late/", views.remind_late, name="remind_late"),
    path("remind/<str:code>/", views.remind_unit, name="remind_unit"),
]
