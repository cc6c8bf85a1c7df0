"""The API documentation pages, served under the site's strict Content-Security-Policy."""

from __future__ import annotations

from csp.constants import NONCE
from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI with its settings script served as a separate request (drf-spectacular's
    CSP-friendly view) and the page's inline <style> moved to a static file."""

    template_name = "api/swagger_ui.html"


# What Redoc needs on this one page, still without unsafe-inline: it writes its styles into
# <style> elements at run time and tags them with the nonce it is given; two it writes
# while loading, before it knows the nonce, are allowed by hash (an empty one and its
# bundled scrollbar CSS; a sidecar upgrade that changes them shows in
# tests/mofa_site/test_security_browser.py); its search index runs in a worker made from
# a blob: URL.
REDOC_POLICY = {
    "style-src": [
        NONCE,
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
        "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
    ],
    "worker-src": ["'self'", "blob:"],
}


@method_decorator(csp_update(REDOC_POLICY), name="get")
class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"


SCHEMA_FILENAME = "mofa-un-archive-api"


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, saved under a plain file name: drf-spectacular names the file
    after the API's title, whose em dash browsers cannot take from the header (they saved
    a file called "download")."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.has_header("Content-Disposition"):
            suffix = response.accepted_renderer.format
            response["Content-Disposition"] = f'inline; filename="{SCHEMA_FILENAME}.{suffix}"'
        return response
