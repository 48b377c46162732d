from django.urls import path

from config.routes import pages

from .views import calendar, extensions, inbox, reminders

app_name = "notifications"
urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("read/", inbox.mark_read, name="mark_read"),
    path("<int:pk>/open/", inbox.open_notification, name="open"),
    path("calendar/renew/", calendar.calendar_renew, name="calendar_renew"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
    path("deadlines/extend/", extensions.extension_request, name="extension_request"),
    *pages("extensions/", extensions, "extension", "list", "detail"),
    path(
        "extensions/<int:pk>/<str:action>/",
        extensions.extension_decide,
        name="extension_decide",
    ),
    path("reminders/", reminders.reminder_log, name="reminder_log"),
    path("remind/late/", reminders.remind_late, name="remind_late"),
    path("remind/<str:code>/", reminders.remind_unit, name="remind_unit"),
]
