from django.urls import path

from config.routes import pages

from .views import deadlines, plans

app_name = "planning"
# A plan's page, a task's, the notice import and the rollover show or write who carries a
# plan: they are provinces' (provinces/plan_urls.py), mounted in this namespace by config.urls.
urlpatterns = [
    path("", plans.plan_list, name="plan_list"),
    *pages("deadlines/", deadlines, "deadline", "list", "new"),
    path("deadlines/<int:pk>/", deadlines.deadline_edit, name="deadline_edit"),
    path("switch/", plans.switch_year, name="switch_year"),
    path("<int:year>/<str:action>/", plans.plan_transition, name="plan_transition"),
]
