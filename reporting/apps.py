from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("报告")

    def ready(self) -> None:
        from planning.models import Plan
        from planning.signals import plan_published

        from .services import prefill_registrations

        def prefill_on_publish(sender, plan, **kwargs) -> None:
            prefill_registrations(plan)

        plan_published.connect(
            prefill_on_publish, sender=Plan, weak=False, dispatch_uid="reporting.prefill"
        )
