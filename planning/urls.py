from django.urls import path

from . import views, views_deadlines

app_name = "planning"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("import/", views.import_notice, name="import_notice"),
    path("deadlines/", views_deadlines.deadline_list, name="deadline_list"),
    path("deadlines/new/", views_deadlines.deadline_edit, name="deadline_new"),
    path("deadlines/<int:pk>/", views_deadlines.deadline_edit, name="deadline_edit"),
    path("switch/", views.switch_year, name="switch_year"),
    path("<int:year>/rollover/", views.plan_rollover, name="plan_rollover"),
    path("<int:year>/<str:action>/", views.plan_transition, name="plan_transition"),
    path("<int:year>/", views.plan_detail, name="plan_detail"),
    path("<int:year>/tasks/<int:number>/", views.task_detail, name="task_detail"),
]
