from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("summaries", api.AnnualSummaryViewSet, basename="summary")
router.register("bulletins", api.BulletinViewSet, basename="bulletin")
urlpatterns = [
    path("trends/", api.TrendsView.as_view(), name="trends"),
    *router.urls,
]
