from django.urls import path

from . import api

urlpatterns = [
    path("trends/", api.TrendsView.as_view(), name="trends"),
]
