from django.urls import path

from .views import deadlines, imports, plans, rollover

app_name = "planning"
urlpatterns = [
    path("", plans.plan_list, name="plan_list"),
    path("import/", imports.import_notice, name="import_notice"),
    path("deadlines/", deadlines.deadline_list, name="deadline_list"),
    path("deadlines/new/", deadlines.deadline_edit, name="deadline_new"),
    path("deadlines/<int:pk>/", deadlines.deadline_edit, name="deadline_edit"),
    path("switch/", plans.switch_year, name="switch_year"),
    path("<int:year>/rollover/", rollover.plan_rollover, name="plan_rollover"),
    path("<int:year>/<str:action>/", plans.plan_transition, name="plan_transition"),
    path("<int:year>/", plans.plan_detail, name="plan_detail"),
    path("<int:year>/tasks/<int:number>/", plans.task_detail, name="task_detail"),
]
