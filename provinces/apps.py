from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvincesConfig(AppConfig):
    name = "provinces"
    verbose_name = _("执行单位")

    def ready(self) -> None:
        from . import network_sheets, resources  # noqa: F401  (register the imports)
