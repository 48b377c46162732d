from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("notifications", api.NotificationViewSet, basename="notification")
router.register("extension-requests", api.ExtensionRequestViewSet, basename="extension-request")
urlpatterns = router.urls
