from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("plans", api.PlanViewSet, basename="plan")
router.register("tasks", api.TaskViewSet, basename="task")
router.register("deadlines", api.DeadlineViewSet, basename="deadline")
urlpatterns = router.urls
