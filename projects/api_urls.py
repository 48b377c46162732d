from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("calls", api.CallViewSet, basename="call")
router.register("applications", api.ApplicationViewSet, basename="application")
router.register("review-assignments", api.ReviewAssignmentViewSet, basename="review-assignment")
router.register("project-reports", api.ProjectReportViewSet, basename="project-report")
urlpatterns = router.urls
