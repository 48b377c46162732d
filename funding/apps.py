from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("经费")

    def ready(self) -> None:
        from . import acceptance, resources  # noqa: F401  (register the import, the panel)
