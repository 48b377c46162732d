from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("提醒与通知")

    def ready(self) -> None:
        from celery.signals import beat_init

        from .schedule import on_beat_init

        # Each domain app's obligations.py registers what its models make units owe (as
        # admin.py registers with the admin site); notifications names none of them.
        autodiscover_modules("obligations")
        # Beat writes the schedule from the settings as it starts (see notifications.schedule).
        beat_init.connect(on_beat_init, dispatch_uid="notifications.sync_schedule")
