"""The plan pages that show or write who carries a plan. config.urls mounts them under
/plans/ in the planning namespace (planning:plan_detail, …), before planning's own patterns
(``<int:year>/rollover/`` must come before ``<int:year>/<str:action>/``)."""

from django.urls import path

from .views import plan_import, plan_units, plans, rollover

urlpatterns = [
    path("import/", plan_import.import_notice, name="import_notice"),
    path("<int:year>/rollover/", rollover.plan_rollover, name="plan_rollover"),
    path("<int:year>/units/", plan_units.plan_units, name="plan_units"),
    path("<int:year>/", plans.plan_detail, name="plan_detail"),
    path("<int:year>/tasks/<int:number>/", plans.task_detail, name="task_detail"),
]
