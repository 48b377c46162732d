from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from planning import urls as planning_urls
from provinces import plan_urls

api_v1 = [
    path("", include("planning.api_urls")),
    path("", include("provinces.api_urls")),
    path("", include("projects.api_urls")),
    path("", include("funding.api_urls")),
    path("", include("reporting.api_urls")),
    path("", include("notifications.api_urls")),
    path("auth/token/", account_views.ObtainTokenView.as_view(), name="token"),
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # /plans/: planning's pages and, first, provinces' pages of a plan with who carries it.
    path("plans/", include((plan_urls.urlpatterns + planning_urls.urlpatterns, "planning"))),
    path("provinces/", include("provinces.urls")),
    path("projects/", include("projects.urls")),
    path("funding/", include("funding.urls")),
    path("reporting/", include("reporting.urls")),
    path("notifications/", include("notifications.urls")),
    path("imports/", include("workflow.urls")),
    path("api/v1/", include((api_v1, "v1"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("health/", account_views.health, name="health"),
]

handler404 = "accounts.views.page_not_found"
