from django.contrib import admin
from django.urls import include, path

from mofa_site import health
from statements.api.docs import RedocView, SchemaView, SwaggerView

urlpatterns = [
    path("healthz/live", health.live, name="healthz-live"),
    path("healthz/ready", health.ready, name="healthz-ready"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("statements.api.urls")),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/docs/redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include("statements.pages.urls")),
]

# JSON for URLs under /api/ that match no route; Django's own pages elsewhere.
handler404 = "mofa_site.errors.page_not_found"
handler500 = "mofa_site.errors.server_error"
