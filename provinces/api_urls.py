from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("provinces", api.ProvinceViewSet, basename="province")
router.register("assignments", api.AssignmentViewSet, basename="assignment")
urlpatterns = router.urls
