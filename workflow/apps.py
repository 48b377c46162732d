from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("工作流")

    def ready(self) -> None:
        from . import pagecache
        from .files import connect_file_removal

        connect_file_removal()
        pagecache.connect()
