from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("提醒与通知")

    def ready(self) -> None:
        from celery.signals import beat_init

        from .schedule import on_beat_init

        # Beat writes the schedule from the settings as it starts (see notifications.schedule).
        beat_init.connect(on_beat_init, dispatch_uid="notifications.sync_schedule")
