from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from statements import health
from statements.api.docs import RedocView, SwaggerView

urlpatterns = [
    path("healthz/live", health.live, name="healthz-live"),
    path("healthz/ready", health.ready, name="healthz-ready"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("mofa_site.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/docs/redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include("statements.urls")),
]

# JSON for URLs under /api/ that match no route; Django's own pages elsewhere.
handler404 = "statements.api.exceptions.page_not_found"
handler500 = "statements.api.exceptions.server_error"
