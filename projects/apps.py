from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("项目")

    def ready(self) -> None:
        from . import board  # noqa: F401  (adds the project reports owed to HQ's board)
