from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("allocations", api.AllocationViewSet, basename="allocation")
router.register("payments", api.PaymentViewSet, basename="payment")
router.register("spending-reports", api.SpendingReportViewSet, basename="spending-report")
urlpatterns = router.urls
